/**
 * The whole service through a real browser: `emp start` on the simulator (real process, real
 * sockets, real SQLite), Debian's chromium driven by playwright-core. Saves a screenshot to
 * test-output/dashboard.png, and one per screen width under the system's tmp dir
 * (emp-dashboard-shots/), printed at the end, for a person to look at.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Bar, barSeries } from '../../src/core/market.ts';
import { evaluateSeries } from '../../src/signals/report.ts';
import { calibrationProtocol, scorecardCells, seriesFingerprint } from '../../web/src/analytics.ts';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let proc: ChildProcess;
let url = '';
let browser: Browser;
let startedAt = 0;

beforeAll(async () => {
  execFileSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'ignore' });
  const dataDir = mkdtempSync(join(tmpdir(), 'emp-dash-'));
  startedAt = Date.now();
  // 120 simulated seconds per second: 1-minute candles close every half second.
  proc = spawn(join(root, 'bin', 'emp'), ['start', '--port', '0', '--data-dir', dataDir, '--speed', '120'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emp start printed no address: ${out}`)), 50_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard and API at (http:\/\/[^\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    proc.on('exit', (code) => reject(new Error(`emp start exited with ${code}: ${out}`)));
  });
  if (!CHROMIUM) throw new Error('chromium not found (.ci/run installs it: apt-get install -y chromium)');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  // The build (the page and the calibration worker) alone takes 30 s or more on a busy 2-core machine.
}, 120_000);

afterAll(async () => {
  await browser?.close();
  proc?.kill('SIGTERM');
});

describe('dashboard', () => {
  // A test that fails before closing its page must not leave it running (a live chart at 120×
  // costs the machine a core) under the tests after it.
  afterEach(async () => {
    for (const ctx of browser?.contexts() ?? []) await ctx.close();
  });

  it('shows live fused candles, the regime band, the venue table and an alert; saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    // Live fused candles within 10 s of the page opening.
    const opened = Date.now();
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.bars ?? 0) >= 2, undefined, { timeout: 10_000 });
    const candlesAfterMs = Date.now() - opened;
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    expect(Number(await page.locator('#chart').getAttribute('data-last-close'))).toBeGreaterThan(0);
    await page.waitForFunction(() => /\d/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, { timeout: 10_000 });
    // The regime band and probabilities.
    await page.waitForFunction(() => (document.getElementById('regime-band')?.dataset.regime ?? '') !== '', undefined, { timeout: 15_000 });
    expect(await page.locator('#regime-probs .prob').count()).toBe(6);
    // Five venues, connected, with prices and weights.
    await page.waitForFunction(() => document.querySelectorAll('#venues tr').length === 5, undefined, { timeout: 10_000 });
    const states = await page.locator('#venues tr td:nth-child(2)').allTextContents();
    expect(states.every((s) => s === 'open')).toBe(true);
    // An alert (a regime change, a volatility spike or a source conflict) within a minute of data.
    await page.waitForFunction(() => document.querySelectorAll('#alerts li').length > 0, undefined, { timeout: 40_000 });
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', 'dashboard.png') });
    expect(errors).toEqual([]);
    console.log(`dashboard: candles ${candlesAfterMs} ms after the page opened, ${Date.now() - startedAt} ms after emp start`);
  }, 90_000);

  it('right after emp start: a day of 1-minute candles, the last hours in view, indicator values, a regime that is not uniform', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/`);
    await waitForBars(page, 1440);
    const chart = page.locator('#chart');
    expect(Number(await chart.getAttribute('data-span-ms'))).toBeGreaterThanOrEqual(86_400_000 - 60_000);
    // The last few hours, not two days squashed into the width.
    const visible = Number(await chart.getAttribute('data-visible-bars'));
    expect(visible).toBeGreaterThanOrEqual(60);
    expect(visible).toBeLessThanOrEqual(400);
    // Indicator values at the last bar, each in the pane of its scale.
    for (const [name, pane] of [
      ['SMA', 'price'],
      ['BBANDS', 'price'],
      ['RSI', 'osc'],
      ['MACD', 'macd'],
    ] as const) {
      const v = await page.locator(`.legend[data-pane="${pane}"] [data-indicator="${name}"]`).getAttribute('data-value');
      expect(Number.isFinite(Number(v)), `${name} has a value`).toBe(true);
    }
    const rsi = Number(await page.locator('.legend [data-indicator="RSI"]').getAttribute('data-value'));
    expect(rsi).toBeGreaterThan(0);
    expect(rsi).toBeLessThan(100);
    // OHLCV readout.
    expect(await page.locator('.legend .ohlc').textContent()).toMatch(/O \d+\.\d{2} H \d+\.\d{2} L \d+\.\d{2} C \d+\.\d{2}/);
    // A regime the model is sure of, and more than one over the history in the band.
    await page.waitForFunction(() => Number(document.getElementById('regime-band')?.dataset.maxProb ?? 0) > 0.3, undefined, {
      timeout: 10_000,
    });
    const probs = await page.locator('#regime-probs .prob').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.p)));
    expect(probs).toHaveLength(6);
    expect(Math.max(...probs) - Math.min(...probs)).toBeGreaterThan(0.1);
    expect(Number(await page.locator('#regime-band').getAttribute('data-distinct'))).toBeGreaterThanOrEqual(2);
    // Calibrated on the history; the label is the regime its probabilities support, or the panel
    // says why it is held (read at once: states arrive twice a second).
    const panel = await page.evaluate(() => {
      const why = document.getElementById('regime-why') as HTMLElement;
      const { held, supported, calibrated } = why.dataset;
      return { label: document.getElementById('regime-band')?.dataset.regime, text: why.textContent ?? '', held, supported, calibrated };
    });
    expect(panel.calibrated).toBe('true');
    if (panel.held) expect(panel.text).toBe(`— held: ${panel.held} (${panel.supported?.replace('_', ' ')} leads)`);
    else expect(panel.label).toBe(panel.supported);
    // Hovering a bar shows that bar's OHLC, not the last one's.
    const lastTs = await page.locator('.legend .ohlc').getAttribute('data-ts');
    const box = await chart.boundingBox();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) * 0.4, (box?.y ?? 0) + 120, { steps: 5 });
    await page.waitForFunction((ts) => document.querySelector<HTMLElement>('.legend .ohlc')?.dataset.ts !== ts, lastTs, {
      timeout: 15_000,
    });
    // Significant pattern markers only by default; the toggle shows every hit.
    const key = Number(await chart.getAttribute('data-pattern-marks'));
    expect(key).toBeLessThanOrEqual(8);
    await page.click('#patterns');
    await page.waitForFunction(() => document.getElementById('patterns')?.dataset.mode === 'all');
    expect(Number(await chart.getAttribute('data-pattern-marks'))).toBeGreaterThanOrEqual(key);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("draws the consolidated depth chart and a venue's own from the live books", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/?symbol=BTC-USD`);
    /**
     * What the chart shows: its view, levels, touch, and the drawn areas' sizes on screen — read in
     * one evaluation: the chart redraws a few times a second, and attributes read one await apart
     * can come from two books (a bid of one and an ask of the next looked crossed in CI).
     */
    const shown = () =>
      page.evaluate(() => {
        const d = (document.getElementById('depth') as unknown as SVGSVGElement).dataset;
        const box = (id: string) => {
          const r = document.getElementById(id)?.getBoundingClientRect();
          return r && r.width > 0 ? { x: r.x, width: r.width, height: r.height } : null;
        };
        return {
          view: d.view ?? null,
          bidLevels: Number(d.bidLevels),
          askLevels: Number(d.askLevels),
          bestBid: Number(d.bestBid),
          bestAsk: Number(d.bestAsk),
          crossed: d.crossed ?? null,
          bids: document.getElementById('depth-bids')?.getAttribute('d') ?? null,
          asks: document.getElementById('depth-asks')?.getAttribute('d') ?? null,
          bidBox: box('depth-bids'),
          askBox: box('depth-asks'),
          meta: document.getElementById('book-meta')?.textContent ?? null,
        };
      });
    await page
      .waitForFunction(
        () => {
          const d = document.getElementById('depth')?.dataset;
          return d?.view === 'consolidated' && Number(d.bidLevels) >= 20 && Number(d.askLevels) >= 20;
        },
        undefined,
        // The venues' books start with their snapshots (Binance and Bitstamp over REST) once the sockets are up.
        { timeout: 45_000 },
      )
      .catch(async (e: Error) => {
        throw new Error(`${e.message}\ndepth chart: ${JSON.stringify(await shown())}`);
      });
    const c = await shown();
    expect(c.bestBid).toBeGreaterThan(0);
    expect(c.bestAsk).toBeGreaterThan(0);
    // Across venues the touch may cross (the simulated venues scatter around the price by more
    // than their half-spreads); the page says so when it does.
    if (c.crossed === 'true') expect(c.meta).toContain('venues cross each other');
    else expect(c.bestBid).toBeLessThan(c.bestAsk);
    // Two filled areas, each a staircase with a step per level, side by side around the mid.
    for (const [d, box] of [
      [c.bids, c.bidBox],
      [c.asks, c.askBox],
    ] as const) {
      expect((d ?? '').split(' L').length).toBeGreaterThan(20);
      expect(box?.width ?? 0).toBeGreaterThan(50);
      expect(box?.height ?? 0).toBeGreaterThan(20);
    }
    expect(c.meta).toMatch(/bid [\d.]+ · ask [\d.]+ · spread/);
    expect(c.meta).toMatch(/±10 bps/);
    // The same book the API serves (it moves a few times a second: compare loosely, in the same range).
    const api = (await (await page.request.get(`${url}/api/book/BTC-USD`)).json()) as {
      bestBid: number;
      bestAsk: number;
      venues: { venue: string }[];
    };
    expect(Math.abs(api.bestBid - c.bestBid) / c.bestBid).toBeLessThan(0.01);
    // Books out of sync (resyncing after a stall of this loaded machine) sit out until rebuilt.
    expect(api.venues.length).toBeGreaterThanOrEqual(1);
    // One venue's own book: Kraken's subscriber holds its top 10 levels.
    await page.waitForSelector('#book-view option[value="kraken"]', { state: 'attached', timeout: 15_000 });
    await page.selectOption('#book-view', 'kraken');
    await page.waitForFunction(() => document.getElementById('depth')?.dataset.view === 'kraken', undefined, { timeout: 5000 });
    await page.waitForFunction(() => Number(document.getElementById('depth')?.dataset.bidLevels) > 0, undefined, { timeout: 10_000 });
    const k = await shown();
    expect(k.bidLevels).toBeLessThanOrEqual(10);
    expect(k.bestBid).toBeGreaterThan(0);
    expect(k.bestBid).toBeLessThan(k.bestAsk);
    expect(k.bids).not.toBe(c.bids);
    expect(k.crossed).toBe('false');
    expect(k.bidBox?.width ?? 0).toBeGreaterThan(20);
    expect(k.askBox?.width ?? 0).toBeGreaterThan(20);
    // A venue's own book never crosses: its bid area ends left of where its ask area starts.
    expect((k.bidBox?.x ?? 0) + (k.bidBox?.width ?? 0)).toBeLessThanOrEqual((k.askBox?.x ?? 0) + 1);
    expect(k.meta).toMatch(/kraken BTC-USD/);
    await page
      .locator('[data-testid="book"]')
      .screenshot({ path: join(root, 'test-output', 'depth-kraken.png') })
      .catch(() => {});
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("shows each strategy's reliability diagram and scorecard, as evaluateSeries gives on the same closed bars", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/?symbol=BTC-USD&tf=1m`);
    await cardScoredAfterFills(page);
    const { shown, bars } = await cardAgreeingWithStore(page, 'BTC-USD');
    const protocol = calibrationProtocol('BTC-USD', '1m');
    expect(shown.data.horizon).toBe(String(protocol.horizon));
    expect(shown.data.costBps).toBe(String(protocol.costBps));
    expect(shown.data.timeframes).toBe(protocol.timeframes.join(','));
    expect(shown.protocol).toContain(`Walk-forward over ${Number(shown.data.bars).toLocaleString('en-US')} closed 1m bars`);
    const report = evaluateSeries(barSeries(bars), protocol);
    const strategies = report.methods.filter((m) => m.kind === 'strategy');
    expect(shown.rows.map((r) => r.data.strategy)).toEqual(strategies.map((m) => m.method));
    const same = (shownValue: string | undefined, v: number) => {
      const x = Number(shownValue);
      if (Number.isNaN(v)) expect(x).toBeNaN();
      else expect(x).toBeCloseTo(v, 9);
    };
    for (const [k, m] of strategies.entries()) {
      const row = shown.rows[k];
      if (!row) throw new Error(`no row for ${m.method}`);
      expect(Number(row.data.signals), m.method).toBe(m.signals);
      same(row.data.hitRate, m.hitRate);
      same(row.data.ece, m.ece);
      same(row.data.brierSkill, m.brierSkill);
      same(row.data.avgReturnBps, m.avgReturnBps);
      same(row.data.deflatedSharpe, m.deflatedSharpe);
      // What a reader sees: the same figures, formatted.
      expect(row.cells, m.method).toEqual(scorecardCells(m));
      // The diagram: the diagonal and one point per non-empty bucket, sized by its signals.
      expect(row.diagonals).toBe(1);
      expect(row.points.map((p) => p.n)).toEqual(m.calibration.filter((b) => b.n > 0).map((b) => b.n));
      for (const p of row.points) expect(p.box).toBeGreaterThan(0);
      if (m.signals < 30) expect(row.note).toMatch(/too few|no scored signal/);
      else expect(row.note).toBe('');
    }
    // On a day or two of 1-minute bars the rules fire: points to plot, bigger for fuller buckets.
    expect(shown.rows.filter((r) => r.points.length > 0).length).toBeGreaterThanOrEqual(1);
    console.log(
      `calibration card: ${shown.data.bars} bars in ${shown.data.ms} ms (worker); ${strategies.map((m) => `${m.method} ${m.signals}`).join(', ')}`,
    );
    await page
      .locator('#calibration')
      .screenshot({ path: join(root, 'test-output', 'calibration.png') })
      .catch(() => {});
    expect(errors).toEqual([]);
    await page.close();
  }, 210_000);

  it('heals the bars the live stream lost: a lost close and a lost bar come back from the store, into the chart and the scorecard', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectErrors(page);
    // Between the page and the server, a link that loses BTC-USD 1m bar updates once armed, as the
    // server does to a slow page (it drops, then says how many): the close of one bar, every
    // update of the next.
    let armed = false;
    const lost: { ts: number; what: 'close' | 'bar' }[] = [];
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (armed && lost.length < 2 && typeof m === 'string' && m.includes('"type":"bar"')) {
          const e = JSON.parse(m) as Bar;
          if (e.symbol === 'BTC-USD' && e.timeframe === '1m') {
            if (lost.length === 0 && e.final) {
              lost.push({ ts: e.ts, what: 'close' });
              return;
            }
            if (lost.length === 1 && e.ts > (lost[0]?.ts ?? 0)) {
              // Every update of this bar is lost; the next bar's first update ends the loss.
              if (e.final) lost.push({ ts: e.ts, what: 'bar' });
              return;
            }
          }
        }
        ws.send(m);
      });
    });
    await page.goto(`${url}/?symbol=BTC-USD&tf=1m`);
    // Armed once the page's own fills after load are done: what it heals from here on, it heals
    // because it noticed the loss.
    await cardScoredAfterFills(page);
    const losses = async () => Number((await page.locator('#chart').getAttribute('data-losses')) ?? 0);
    const lossesBefore = await losses();
    armed = true;
    for (let i = 0; i < 120 && lost.length < 2; i++) await new Promise((r) => setTimeout(r, 250));
    expect(lost.map((l) => l.what)).toEqual(['close', 'bar']);
    // The page noticed (the next bar's first update came after an unclosed one, then a gap).
    await page.waitForFunction((n) => Number(document.getElementById('chart')?.dataset.losses ?? 0) > n, lossesBefore, {
      timeout: 30_000,
    });
    // The card scores again on bars that include both, and they are the store's closed bars.
    let agreed = await cardAgreeingWithStore(page, 'BTC-USD');
    const deadline = Date.now() + 60_000;
    while (Number(agreed.shown.data.last) <= (lost[1]?.ts ?? 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      agreed = await cardAgreeingWithStore(page, 'BTC-USD');
    }
    const scored = new Set(agreed.bars.map((b) => b.ts));
    for (const l of lost) expect(scored.has(l.ts), `lost ${l.what} at ${l.ts}`).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('prices EUR-USD in points: 5 decimals on the price axis, the legend and the fused price', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/?symbol=EUR-USD`);
    await waitForBars(page, 1440);
    const chart = page.locator('#chart');
    expect(await chart.getAttribute('data-price-decimals')).toBe('5');
    // The price axis' own formatter (what its labels and the crosshair label read).
    expect(await chart.getAttribute('data-axis-label')).toMatch(/^\d\.\d{5}$/);
    expect(await page.locator('.legend [data-f="close"]').textContent()).toMatch(/^\d\.\d{5}$/);
    await page.waitForFunction(() => /^\d\.\d{5}$/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    // FX sources send quotes only: no volume pane.
    expect(await page.locator('.legend[data-pane="volume"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 40_000);

  it('fits 390, 1024 and 1600 px screens: the chart first and nearly full width on a phone', async () => {
    const dir = join(tmpdir(), 'emp-dashboard-shots');
    mkdirSync(dir, { recursive: true });
    // One page resized, as a rotated phone or a resized window would be (and one load, not three).
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/`);
    await waitForBars(page, 1440);
    await page.waitForFunction(() => document.querySelectorAll('#venues tr').length > 0, undefined, { timeout: 10_000 });
    for (const [width, height] of [
      [390, 844],
      [1024, 768],
      [1600, 1000],
    ] as const) {
      await page.setViewportSize({ width, height });
      // Let the chart's resize observer lay the panes out again.
      await page.waitForTimeout(300);
      const layout = await page.evaluate(() => {
        const c = (document.getElementById('chart') as HTMLElement).getBoundingClientRect();
        const a = (document.querySelector('aside') as HTMLElement).getBoundingClientRect();
        return {
          chartW: c.width,
          chartH: c.height,
          chartBottom: c.bottom,
          asideTop: a.top,
          asideLeft: a.left,
          scrollW: document.documentElement.scrollWidth,
        };
      });
      expect(layout.scrollW, `no sideways scrolling at ${width}px`).toBeLessThanOrEqual(width);
      expect(layout.chartH).toBeGreaterThanOrEqual(300);
      if (width < 900) {
        expect(layout.chartW).toBeGreaterThanOrEqual(0.9 * width);
        expect(layout.asideTop, 'panels below the chart').toBeGreaterThanOrEqual(layout.chartBottom);
      } else {
        expect(layout.asideLeft, 'panels beside the chart').toBeGreaterThanOrEqual(layout.chartW);
      }
      await page.screenshot({ path: join(dir, `dashboard-${width}.png`), fullPage: width < 900 });
    }
    expect(errors).toEqual([]);
    await page.close();
    console.log(`dashboard screenshots in ${dir}`);
  }, 60_000);

  it('keeps instrument, timeframe and indicators in the URL and across reloads', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    // Any spelling of a served instrument; indicators by name.
    await page.goto(`${url}/?symbol=eth-usd&tf=5m&ind=EMA,ATR`);
    await waitForBars(page, 2);
    expect(await page.locator('#symbol').inputValue()).toBe('ETH-USD');
    expect(await page.locator('#timeframes button.active').textContent()).toBe('5m');
    expect(await page.locator('#overlays .chip').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.indicator))).toEqual([
      'EMA',
      'ATR',
    ]);
    expect(await page.locator('.legend[data-pane="atr"] [data-indicator="ATR"]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('symbol')).toBe('ETH-USD');
    // Changes go to the address bar…
    await page.click('#timeframes button[data-tf="15m"]');
    await page.selectOption('#indicator', 'RSI');
    await page.selectOption('#symbol', 'SOL-USD');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('symbol') === 'SOL-USD');
    const q = new URL(page.url()).searchParams;
    expect([q.get('tf'), q.get('ind')]).toEqual(['15m', 'EMA,ATR,RSI']);
    // …and survive a reload, and a bare URL in the same browser reopens them.
    for (const target of [page.url(), `${url}/`]) {
      await page.goto(target);
      await waitForBars(page, 2);
      expect(await page.locator('#symbol').inputValue()).toBe('SOL-USD');
      expect(await page.locator('#timeframes button.active').textContent()).toBe('15m');
      expect(await page.locator('#overlays .chip').count()).toBe(3);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('says so on the page when the URL names an unknown instrument', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = collectErrors(page);
    await page.goto(`${url}/?symbol=NOPE-USD`);
    await page.locator('#error').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#error').textContent()).toMatch(/NOPE-USD.*BTC-USD/);
    expect(await page.locator('#symbol').inputValue()).not.toBe('BTC-USD');
    expect(await page.locator('#symbol option:checked').textContent()).toContain('NOPE-USD');
    expect(await page.locator('#chart').getAttribute('data-bars')).toBe('0');
    // Picking a served instrument clears the error.
    await page.selectOption('#symbol', 'BTC-USD');
    await waitForBars(page, 2);
    expect(await page.locator('#error').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 40_000);
});

/** Waits for the chart to hold `n` bars; on a timeout says what the page showed instead. */
async function waitForBars(page: Page, n: number): Promise<void> {
  await page
    .waitForFunction((k) => Number(document.getElementById('chart')?.dataset.bars ?? 0) >= k, n, { timeout: 30_000 })
    .catch(async (e: Error) => {
      const shown = await page.evaluate(() => ({
        bars: document.getElementById('chart')?.dataset.bars,
        error: document.getElementById('error')?.textContent,
        conn: document.getElementById('conn')?.textContent,
      }));
      throw new Error(`${e.message}\npage: ${JSON.stringify(shown)}`);
    });
}

/** Waits until the calibration card has scored the history after the page's fills (up to 90 s). */
async function cardScoredAfterFills(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const card = document.getElementById('calibration')?.dataset;
        return card?.state === 'ready' && card.afterFills === '1';
      },
      undefined,
      { timeout: 90_000 },
    )
    .catch(async (e: Error) => {
      throw new Error(
        `${e.message}\ncard: ${await page.locator('#calibration').getAttribute('data-state')} ${await page.locator('#cal-protocol').textContent()}`,
      );
    });
}

/** One read of the whole calibration card (it may recompute a few bar closes later). */
function readCard(page: Page) {
  return page.evaluate(() => {
    const el = document.getElementById('calibration') as HTMLElement;
    return {
      data: { ...el.dataset },
      protocol: document.getElementById('cal-protocol')?.textContent ?? '',
      rows: Array.from(el.querySelectorAll<HTMLElement>('.cal-row')).map((r) => ({
        data: { ...r.dataset },
        cells: Object.fromEntries(Array.from(r.querySelectorAll<HTMLElement>('[data-f]')).map((c) => [c.dataset.f, c.textContent])),
        points: Array.from(r.querySelectorAll<SVGCircleElement>('svg.reliability circle.pt')).map((c) => ({
          n: Number(c.dataset.n),
          r: Number(c.getAttribute('r')),
          box: c.getBoundingClientRect().width,
        })),
        diagonals: r.querySelectorAll('svg.reliability line.diag').length,
        note: r.querySelector('.cal-note')?.textContent ?? '',
      })),
    };
  });
}

/**
 * A reading of the calibration card and the store's closed 1m bars over the span it scored, once
 * they are the same bars (the card names them by fingerprint). The store writes in batches,
 * seconds behind the stream, and the page rescores when it heals a bar the stream lost: the card
 * is read again until a reading and the store agree (up to 60 s), and the test fails if none does.
 */
async function cardAgreeingWithStore(page: Page, symbol: string) {
  const closedBars = async (first: string | undefined, last: string | undefined) => {
    const res = await page.request.get(`${url}/api/history/bars?symbol=${symbol}&timeframe=1m&from=${first}&to=${last}&limit=100000`);
    return ((await res.json()) as Bar[]).filter((b) => b.final);
  };
  let shown = await readCard(page);
  let bars = await closedBars(shown.data.first, shown.data.last);
  const deadline = Date.now() + 60_000;
  while (seriesFingerprint(barSeries(bars)) !== shown.data.fingerprint && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    shown = await readCard(page);
    bars = await closedBars(shown.data.first, shown.data.last);
  }
  expect(
    seriesFingerprint(barSeries(bars)),
    `closed bars from ${shown.data.first} to ${shown.data.last} (count:hash): the API's against the page's`,
  ).toBe(shown.data.fingerprint);
  expect(bars.length).toBe(Number(shown.data.bars));
  return { shown, bars };
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('dashboard against a server that requires a token', () => {
  const TOKEN = 'dash-token-42';
  let authProc: ChildProcess;
  let authUrl = '';
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emp-dash-auth-'));
    // Two hours of history, not two days: this test is about the token, and a short replay starts
    // quickly while the first server is still running.
    authProc = spawn(
      join(root, 'bin', 'emp'),
      ['start', '--port', '0', '--data-dir', dataDir, '--speed', '120', '--token', TOKEN, '--history', '2h'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    authUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`emp start printed no address: ${out}`)), 50_000);
      authProc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /dashboard and API at (http:\/\/[^\s]+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
    });
  }, 60_000);
  afterAll(() => {
    authProc?.kill('SIGTERM');
  });

  it('asks for the token, refuses a wrong one, then works over HTTP and WS; the tab remembers it', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const authHeaders: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) authHeaders.push(r.headers().authorization ?? '');
    });
    await page.goto(`${authUrl}/`);
    await page
      .locator('#auth')
      .waitFor({ state: 'visible', timeout: 20_000 })
      .catch(async (e: Error) => {
        // Say what the page showed instead (an error banner, a console message).
        throw new Error(
          `${e.message}\npage error banner: ${await page.locator('#error').textContent()}\nauth headers sent: ${authHeaders.join(',')}`,
        );
      });
    expect(await page.locator('#auth-why').textContent()).toMatch(/requires an API token/);
    await page.fill('#auth-token', 'wrong-token');
    await page.click('#auth button');
    await page.waitForFunction(() => /refused/.test(document.getElementById('auth-why')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    await page.fill('#auth-token', TOKEN);
    await page.click('#auth button');
    // Data over HTTP (history) and the WebSocket (live candles and the fused price). Generous
    // waits: this is about the token reaching both, and the machine running the suite is busy.
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.bars ?? 0) >= 2, undefined, { timeout: 45_000 });
    await page.waitForFunction(() => /\d/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.locator('#conn').textContent()).toBe('live');
    expect(await page.evaluate(() => sessionStorage.getItem('emp.token'))).toBe(TOKEN);
    expect(authHeaders).toContain(`Bearer ${TOKEN}`);
    // A reload in the same tab does not ask again.
    await page.reload();
    await page.waitForFunction(() => /\d/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.locator('#auth').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
