/**
 * The whole service through a real browser: `emp start` on the simulator (real process, real
 * sockets, real SQLite), Debian's chromium driven by playwright-core. Saves a screenshot to
 * test-output/dashboard.png.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
    const timer = setTimeout(() => reject(new Error(`emp start printed no address: ${out}`)), 20_000);
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
}, 60_000);

afterAll(async () => {
  await browser?.close();
  proc?.kill('SIGTERM');
});

describe('dashboard', () => {
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
});

describe('dashboard against a server that requires a token', () => {
  const TOKEN = 'dash-token-42';
  let authProc: ChildProcess;
  let authUrl = '';
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emp-dash-auth-'));
    authProc = spawn(join(root, 'bin', 'emp'), ['start', '--port', '0', '--data-dir', dataDir, '--speed', '120', '--token', TOKEN], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    authUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`emp start printed no address: ${out}`)), 20_000);
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
    await page.locator('#auth').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#auth-why').textContent()).toMatch(/requires an API token/);
    await page.fill('#auth-token', 'wrong-token');
    await page.click('#auth button');
    await page.waitForFunction(() => /refused/.test(document.getElementById('auth-why')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    await page.fill('#auth-token', TOKEN);
    await page.click('#auth button');
    // Data over HTTP (history) and the WebSocket (live candles and the fused price).
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.bars ?? 0) >= 2, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => /\d/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await page.locator('#conn').textContent()).toBe('live');
    expect(await page.evaluate(() => sessionStorage.getItem('emp.token'))).toBe(TOKEN);
    expect(authHeaders).toContain(`Bearer ${TOKEN}`);
    // A reload in the same tab does not ask again.
    await page.reload();
    await page.waitForFunction(() => /\d/.test(document.getElementById('fused-price')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(await page.locator('#auth').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
