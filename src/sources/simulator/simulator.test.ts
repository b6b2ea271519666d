import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { REGIMES, type Regime } from '../../core/regime.ts';
import { loadBarsCsv } from '../csv.ts';
import { simulateBars, simulateBarsBefore } from './bars.ts';
import { MarketSimulator } from './market-simulator.ts';
import { DAILY_REGIME_MODEL, leaveProbability } from './regime-model.ts';
import type { Fault, InstrumentSpec, SimRecord, TruthPoint } from './types.ts';
import { DEFAULT_INSTRUMENTS, DEFAULT_VENUES } from './venues.ts';

// The same checks of the process drawn forwards in time and backwards (the simulator's history
// before its live start): read forwards, a past drawn backwards must have the model's law.
describe.each([
  ['forwards', () => simulateBars({ seed: 11, timeframe: '1d', count: 200_000, substeps: 1, model: DAILY_REGIME_MODEL })],
  [
    // From a price high enough that the past, which rose e^40 or so forwards, stays far above rounding.
    'backwards from a bear market',
    () =>
      simulateBarsBefore({
        seed: 11,
        timeframe: '1d',
        count: 200_000,
        substeps: 1,
        model: DAILY_REGIME_MODEL,
        endRegime: 'bear',
        initialPrice: 1e30,
      }),
  ],
])('regime process drawn %s (200,000 daily steps, one step per bar)', (_how, draw) => {
  const N = 200_000;
  const sim = draw();
  const r = new Float64Array(N - 1);
  for (let i = 1; i < N; i++) r[i - 1] = Math.log((sim.bars.close[i] as number) / (sim.bars.close[i - 1] as number));
  const dt = 1 / 365;

  it('visits every regime, each about as often as the chain stays in it in the long run', () => {
    expect(new Set(sim.regime)).toEqual(new Set(REGIMES));
    // Long-run shares from the model: π_i ∝ ν_i / p_i, ν the jump chain's stationary law
    // (power iteration here) and p_i the chance of leaving i in a step.
    const K = REGIMES.length;
    let nu = new Array<number>(K).fill(1 / K);
    for (let it = 0; it < 5000; it++)
      nu = REGIMES.map(
        (to, j) =>
          0.5 * (nu[j] as number) +
          0.5 * REGIMES.reduce((a, from, i) => a + (nu[i] as number) * (DAILY_REGIME_MODEL.next[from][to] ?? 0), 0),
      );
    const w = REGIMES.map((r, i) => (nu[i] as number) / leaveProbability(DAILY_REGIME_MODEL, r, 86_400_000));
    const total = w.reduce((a, b) => a + b, 0);
    REGIMES.forEach((r, i) => {
      const expected = (w[i] as number) / total;
      const share = sim.regime.filter((x) => x === r).length / N;
      // Spells, not days, are the independent units: with geometric stays the time spent has a
      // relative standard error of about √(2 / spells); allow 4 of them.
      const spells = N * expected * leaveProbability(DAILY_REGIME_MODEL, r, 86_400_000);
      expect(Math.abs(share / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / spells));
    });
  });

  it.each(REGIMES)('%s: mean spell length matches the model within 4 standard errors', (reg) => {
    const spells: number[] = [];
    let len = 0;
    for (let i = 0; i < N; i++) {
      if (sim.regime[i] === reg) len++;
      else if (len > 0) {
        spells.push(len);
        len = 0;
      }
    }
    const p = leaveProbability(DAILY_REGIME_MODEL, reg, 86_400_000);
    const expected = 1 / p;
    const mean = spells.reduce((a, b) => a + b, 0) / spells.length;
    const se = Math.sqrt(1 - p) / p / Math.sqrt(spells.length);
    expect(spells.length).toBeGreaterThan(100);
    expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
  });

  it.each(REGIMES)('%s: realized volatility and drift match the model', (reg) => {
    const { mu, sigma } = DAILY_REGIME_MODEL.params[reg];
    const xs: number[] = [];
    for (let i = 1; i < N; i++) if (sim.regime[i] === reg) xs.push(r[i - 1] as number);
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const sdTrue = sigma * Math.sqrt(dt);
    // sd: relative standard error ≈ 1/sqrt(2n); allow 5 of them.
    expect(Math.abs(sd / sdTrue - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
    expect(Math.abs(mean - (mu - 0.5 * sigma * sigma) * dt)).toBeLessThan((4 * sdTrue) / Math.sqrt(n));
  });

  it('crash is mostly followed by recovery, as the transition matrix says', () => {
    let fromCrash = 0;
    let toRecovery = 0;
    for (let i = 1; i < N; i++) {
      if (sim.regime[i - 1] === 'crash' && sim.regime[i] !== 'crash') {
        fromCrash++;
        if (sim.regime[i] === 'recovery') toRecovery++;
      }
    }
    const p = DAILY_REGIME_MODEL.next.crash.recovery as number;
    expect(Math.abs(toRecovery / fromCrash - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / fromCrash));
  });

  it('bars are consistent OHLC and volume rises with volatility', () => {
    const b = sim.bars;
    for (let i = 0; i < N; i++) {
      if ((b.high[i] as number) < Math.max(b.open[i] as number, b.close[i] as number)) throw new Error(`high at ${i}`);
      if ((b.low[i] as number) > Math.min(b.open[i] as number, b.close[i] as number)) throw new Error(`low at ${i}`);
    }
    const avgVol = (reg: Regime): number => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < N; i++)
        if (sim.regime[i] === reg) {
          s += b.volume[i] as number;
          n++;
        }
      return s / n;
    };
    expect(avgVol('high_volatility')).toBeGreaterThan(3 * avgVol('sideways'));
    // Each bar opens where the one before it closed.
    for (let i = 1; i < N; i++) if (b.open[i] !== b.close[i - 1]) throw new Error(`open at ${i}`);
  });
});

describe('simulateBarsBefore', () => {
  it('ends in the state it is given: the last close and the regime then in force', () => {
    for (const endRegime of REGIMES) {
      const s = simulateBarsBefore({ seed: 3, timeframe: '1m', count: 500, initialPrice: 2500, endRegime, start: 60_000 });
      expect(s.regime[499]).toBe(endRegime);
      expect(s.bars.close[499]).toBe(2500);
      expect(s.bars.time[0]).toBe(60_000);
      expect(s.bars.time[499]).toBe(60_000 + 499 * 60_000);
    }
    expect(simulateBarsBefore({ seed: 3, timeframe: '1m', count: 0, endRegime: 'bull' }).bars.close.length).toBe(0);
  });
});

describe('MarketSimulator venues and faults (6 h, seed 5)', () => {
  const sim = new MarketSimulator({ seed: 5, durationMs: 6 * 3_600_000 });
  const records = [...sim.records()];
  const truth = [...sim.truth()];
  const faults = sim.faults();
  const skew = new Map(DEFAULT_VENUES.map((v) => [v.name, v.clockSkewMs]));
  const usdt = new Map(DEFAULT_VENUES.map((v) => [v.name, v.quote === 'USDT']));
  const truthAt = new Map<string, TruthPoint>();
  for (const p of truth) truthAt.set(`${p.symbol}@${p.ts}`, p);
  const tickOf = (t: number): number => sim.config.start + Math.floor((t - sim.config.start) / 1000) * 1000;
  const base = (s: string): string => s.split('-')[0] as string;
  const byFeed = new Map<string, SimRecord[]>();
  for (const r of records) {
    const k = `${r.venue}/${base(r.symbol)}`;
    const list = byFeed.get(k) ?? [];
    list.push(r);
    byFeed.set(k, list);
  }
  const feed = (f: Fault): SimRecord[] => byFeed.get(`${f.venue}/${base(f.symbol)}`) ?? [];
  /** Event time: the venue clock minus its normal skew (valid outside clock jumps). */
  const eventTime = (r: SimRecord): number => (r.ts as number) - (skew.get(r.venue) as number);

  it('delivers records in receipt-time order', () => {
    for (let i = 1; i < records.length; i++)
      if ((records[i] as SimRecord).recvTs < (records[i - 1] as SimRecord).recvTs) throw new Error(`order at ${i}`);
    expect(records.length).toBeGreaterThan(200_000);
  });

  it('each feed arrives in the order it was sent: trade ids one by one in receipt order (latency delays, never reorders)', () => {
    let feeds = 0;
    for (const list of byFeed.values()) {
      const ids = list.filter((r) => r.type === 'trade').map((r) => Number(r.id));
      if (ids.length === 0) continue;
      feeds++;
      // Outages drop records before they are numbered, so even through faults there is no gap.
      ids.forEach((id, i) => {
        if (i > 0 && id !== (ids[i - 1] as number) + 1) throw new Error(`trade id ${id} after ${ids[i - 1]}`);
      });
      for (let i = 1; i < list.length; i++) expect((list[i] as SimRecord).recvTs).toBeGreaterThan((list[i - 1] as SimRecord).recvTs);
    }
    expect(feeds).toBeGreaterThanOrEqual(12);
  });

  it('schedules every kind of fault', () => {
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(['freeze', 'bad_print', 'outage', 'burst', 'clock_jump']));
  });

  it('uses each venue symbol convention and quote currency', () => {
    const raw = new Map<string, string>();
    for (const r of records) if (r.symbol.startsWith('BTC')) raw.set(r.venue, `${r.rawSymbol} ${r.symbol}`);
    expect(Object.fromEntries(raw)).toEqual({
      binance: 'BTCUSDT BTC-USDT',
      coinbase: 'BTC-USD BTC-USD',
      kraken: 'BTC/USD BTC-USD',
      bitstamp: 'btcusd BTC-USD',
      okx: 'BTC-USDT BTC-USDT',
    });
  });

  it('outage: no records from the venue in the window', () => {
    const outages = faults.filter((f) => f.kind === 'outage');
    expect(outages.length).toBeGreaterThan(0);
    for (const f of outages) {
      const inside = feed(f).filter((r) => eventTime(r) >= f.start && eventTime(r) < f.end);
      expect(inside).toEqual([]);
    }
  });

  it('freeze: the venue repeats one stale quote through the window', () => {
    const freezes = faults.filter((f) => f.kind === 'freeze');
    expect(freezes.length).toBeGreaterThan(0);
    for (const f of freezes) {
      const quotes = feed(f).filter((r) => r.type === 'quote' && eventTime(r) >= f.start && eventTime(r) < f.end) as Extract<
        SimRecord,
        { type: 'quote' }
      >[];
      expect(quotes.length).toBeGreaterThan(3);
      expect(new Set(quotes.map((q) => `${q.bid}/${q.ask}`)).size).toBe(1);
    }
  });

  it('bad_print: one trade off the market by the scheduled magnitude', () => {
    const prints = faults.filter((f) => f.kind === 'bad_print');
    expect(prints.length).toBeGreaterThan(0);
    for (const f of prints) {
      const hit = feed(f).filter((r) => r.type === 'trade' && eventTime(r) === f.start) as Extract<SimRecord, { type: 'trade' }>[];
      expect(hit.length).toBe(1);
      const p = truthAt.get(`${f.symbol}@${tickOf(f.start)}`) as TruthPoint;
      const fair = p.price / (usdt.get(f.venue) ? p.usdtBasis : 1);
      expect(Math.abs((hit[0] as { price: number }).price / fair - 1 - f.magnitude)).toBeLessThan(1e-4);
    }
  });

  it('clock_jump: the venue clock shifts by the magnitude during the window', () => {
    const jumps = faults.filter((f) => f.kind === 'clock_jump');
    expect(jumps.length).toBeGreaterThan(0);
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.floor(s.length / 2)] as number;
    };
    for (const f of jumps) {
      const rs = feed(f);
      const offset = (r: SimRecord): number => (r.ts as number) - r.recvTs;
      const inside = rs.filter((r) => r.recvTs >= f.start + 1000 && r.recvTs < f.end);
      const before = rs.filter((r) => r.recvTs < f.start && r.recvTs > f.start - 120_000);
      expect(Math.abs(median(inside.map(offset)) - median(before.map(offset)) - f.magnitude)).toBeLessThan(60);
    }
  });

  it('burst: traffic multiplies in the window', () => {
    const bursts = faults.filter((f) => f.kind === 'burst');
    expect(bursts.length).toBeGreaterThan(0);
    for (const f of bursts) {
      const rs = feed(f).filter((r) => r.symbol.startsWith(base(f.symbol)));
      const inside = rs.filter((r) => eventTime(r) >= f.start && eventTime(r) < f.end).length / ((f.end - f.start) / 1000);
      const before = rs.filter((r) => eventTime(r) >= f.start - 600_000 && eventTime(r) < f.start).length / 600;
      expect(inside).toBeGreaterThan(2.5 * before);
    }
  });
});

describe('MarketSimulator history and live market', () => {
  it('the history ends where the live market starts: in price and in regime', () => {
    for (const seed of [1, 2, 3]) {
      const sim = new MarketSimulator({ seed, durationMs: 60_000 });
      const first = new Map<string, TruthPoint>();
      for (const p of sim.truth()) if (!first.has(p.symbol)) first.set(p.symbol, p);
      for (const h of sim.history(sim.config.start - 2 * 86_400_000)) {
        const n = h.bars.close.length;
        expect(n).toBe(2880);
        const spec = sim.config.instruments.find((i) => i.symbol === h.symbol);
        expect(h.bars.close[n - 1]).toBe(spec?.initialPrice);
        expect(h.regime[n - 1]).toBe(first.get(h.symbol)?.regime);
      }
    }
  });

  it("live trades are larger when the market is rough: mean notional per regime in proportion to its volatility, as the history's volume", () => {
    const sim = new MarketSimulator({
      seed: 5,
      durationMs: 12 * 3_600_000,
      faults: 'none',
      instruments: [DEFAULT_INSTRUMENTS[0] as InstrumentSpec],
    });
    const regimeAt = new Map<number, Regime>();
    for (const p of sim.truth()) regimeAt.set(p.ts, p.regime);
    const sums = new Map<Regime, { n: number; notional: number }>();
    for (const r of sim.records()) {
      if (r.type !== 'trade') continue;
      // The regime of the step the trade was made in (its receipt is a few ms to a few hundred later).
      const reg = regimeAt.get(sim.config.start + Math.floor(((r.ts as number) - sim.config.start) / 1000) * 1000);
      if (!reg) continue;
      const s = sums.get(reg) ?? { n: 0, notional: 0 };
      s.n++;
      s.notional += r.size * r.price;
      sums.set(reg, s);
    }
    const { params } = sim.config.model;
    let seen = 0;
    for (const [reg, { n, notional }] of sums) {
      if (n < 200) continue;
      seen++;
      // Sizes are exponential around 5,000 of notional (coefficient of variation 1): 4 standard errors.
      expect(Math.abs(notional / n / (5000 * (params[reg].sigma / params.sideways.sigma)) - 1)).toBeLessThan(4 / Math.sqrt(n));
    }
    expect(seen).toBeGreaterThanOrEqual(3);
  });
});

describe('MarketSimulator prices', () => {
  it('USD venues track the latent price; USDT venues track it divided by the basis', () => {
    const sim = new MarketSimulator({
      seed: 9,
      durationMs: 3_600_000,
      faults: 'none',
      instruments: [{ symbol: 'BTC-USD', initialPrice: 60_000 }],
    });
    const truth = new Map([...sim.truth()].map((p) => [p.ts, p]));
    const errs = new Map<string, number[]>();
    for (const r of sim.records()) {
      if (r.type !== 'quote') continue;
      const v = DEFAULT_VENUES.find((x) => x.name === r.venue);
      const p = truth.get(sim.config.start + Math.floor(((r.ts as number) - (v?.clockSkewMs ?? 0) - sim.config.start) / 1000) * 1000);
      if (!p || !v) continue;
      const fair = p.price / (v.quote === 'USDT' ? p.usdtBasis : 1);
      const list = errs.get(v.name) ?? [];
      list.push(Math.abs(((r.bid + r.ask) / 2 / fair - 1) * 1e4));
      errs.set(v.name, list);
    }
    for (const v of DEFAULT_VENUES) {
      const e = (errs.get(v.name) ?? []).sort((a, b) => a - b);
      // 99th percentile of |error| within about 3 noise sd (+ rounding to the price tick).
      expect(e[Math.floor(0.99 * e.length)]).toBeLessThan(3 * v.noiseBps + 0.5);
    }
  });

  it('stream() paces records in scaled real time on the wall clock, and stops on abort', async () => {
    const sim = new MarketSimulator({ seed: 2, durationMs: 3_600_000, faults: 'none' });
    const ac = new AbortController();
    const t0 = Date.now();
    const got: SimRecord[] = [];
    for await (const r of sim.stream({ speed: 600, signal: ac.signal })) {
      got.push(r);
      if (got.length === 200) ac.abort();
    }
    expect(got.length).toBe(200);
    const last = got[got.length - 1] as SimRecord;
    // Re-based: timestamps are current wall-clock times, not the simulated 2026-01-05.
    expect(Math.abs(last.recvTs - Date.now())).toBeLessThan(1000);
    expect(got.every((r, i) => i === 0 || r.recvTs >= (got[i - 1] as SimRecord).recvTs)).toBe(true);
    expect((got[0] as SimRecord).recvTs).toBeGreaterThanOrEqual(t0);
  });

  it('stream() behind schedule gives the event loop a turn after every record while giveWay says so, and runs in slices otherwise', async () => {
    // Far behind: at this speed every record is due at once.
    const turnsBetween = async (giveWay: (() => boolean) | undefined): Promise<number[]> => {
      const sim = new MarketSimulator({ seed: 3, durationMs: 3_600_000, faults: 'none' });
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const seen: number[] = [];
      const ac = new AbortController();
      for await (const _ of sim.stream({ speed: 1e9, signal: ac.signal, ...(giveWay ? { giveWay } : {}) })) {
        seen.push(turns);
        if (seen.length === 300) ac.abort();
      }
      ticking = false;
      return seen.slice(1).map((t, i) => t - (seen[i] as number));
    };
    const yielding = await turnsBetween(() => true);
    expect(yielding.every((d) => d >= 1)).toBe(true);
    // Without it, records come many to a turn (10-ms slices).
    const sliced = await turnsBetween(undefined);
    expect(sliced.filter((d) => d === 0).length).toBeGreaterThan(sliced.length / 2);
    expect(await turnsBetween(() => false)).toEqual(expect.arrayContaining([0]));
  });
});

describe('emp simulate', () => {
  const hashDir = (dir: string, files: string[]): string => {
    const h = createHash('sha256');
    for (const f of files) h.update(readFileSync(join(dir, f)));
    return h.digest('hex');
  };
  const FILES = ['truth.csv', 'faults.csv', ...DEFAULT_VENUES.flatMap((v) => [`${v.name}/trades.csv`, `${v.name}/quotes.csv`])];

  it('same seed, identical files; another seed, different files; faults.csv lists the schedule', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'emp-sim-'));
    const run = async (seed: number, out: string): Promise<number> =>
      main(['node', 'emp', 'simulate', '--seed', String(seed), '--duration', '30m', '--out', join(tmp, out), '--no-progress']);
    expect(await run(4, 'a')).toBe(0);
    expect(await run(4, 'b')).toBe(0);
    expect(await run(5, 'c')).toBe(0);
    expect(hashDir(join(tmp, 'a'), FILES)).toBe(hashDir(join(tmp, 'b'), FILES));
    expect(hashDir(join(tmp, 'a'), FILES)).not.toBe(hashDir(join(tmp, 'c'), FILES));
    const lines = readFileSync(join(tmp, 'a', 'faults.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const expected = new MarketSimulator({ seed: 4, durationMs: 30 * 60_000 }).faults();
    expect(lines.map((l) => l.split(',').slice(0, 5).join(','))).toEqual(
      expected.map((f) => `${f.start},${f.end},${f.venue},${f.symbol},${f.kind}`),
    );
  });

  it('--bars writes bars with a regime column that the CSV loader reads', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'emp-simbars-'));
    expect(await main(['node', 'emp', 'simulate', '--bars', '1d', '--count', '300', '--seed', '7', '--out', tmp])).toBe(0);
    const s = await loadBarsCsv(join(tmp, 'bars.csv'), { requireOhlc: true, requireVolume: true });
    const direct = simulateBars({ seed: 7, timeframe: '1d', count: 300 });
    expect(Array.from(s.close)).toEqual(Array.from(direct.bars.close));
    const regimes = readFileSync(join(tmp, 'bars.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[6]);
    expect(regimes).toEqual(direct.regime);
  });

  it('bad options exit with 2', async () => {
    expect(await main(['node', 'emp', 'simulate', '--duration', 'forever', '--out', tmpdir()])).toBe(2);
    expect(await main(['node', 'emp', 'simulate', '--venues', '9', '--out', tmpdir()])).toBe(2);
    expect(await main(['node', 'emp', 'simulate', '--bars', '7m', '--out', tmpdir()])).toBe(2);
  });
});
