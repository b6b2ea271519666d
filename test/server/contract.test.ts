import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REGIMES } from '../../src/core/regime.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import { API_SCHEMAS } from '../../src/server/schema.ts';
import { type RunningServer, startServer } from '../../src/server/server.ts';

/**
 * The API contract on a real pipeline (simulator with an hour of history): every answer parses
 * with the published schema, history and WebSocket carry the same shapes, symbols are accepted in
 * any common spelling and unknown ones refused, times as epoch ms or ISO 8601, unknown paths 404.
 */
describe('API contract', () => {
  let p: LivePipeline;
  let srv: RunningServer;
  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const r = await fetch(`${srv.url}${path}`);
    return { status: r.status, body: await r.json() };
  };

  beforeAll(async () => {
    const cfg = parseConfig({
      instruments: ['BTC-USD', 'EUR-USD'],
      simulator: { seed: 2, speed: 30, transport: 'memory', historyMs: 3_600_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-contract-')), fusedEveryMs: 0 },
      analysis: { timeframes: ['1m', '1h'], regimeTimeframe: '1m' },
    });
    p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    srv = await startServer(p, { host: '127.0.0.1', port: 0 });
    await p.start();
    // A few seconds of live data, so fused prices are stored too.
    const end = Date.now() + 10_000;
    while (Date.now() < end && (await p.store.fused({ symbol: 'BTC-USD', limit: 5 })).length < 3)
      await new Promise((r) => setTimeout(r, 100));
  }, 30_000);
  afterAll(async () => {
    await srv?.close();
    await p?.stop();
  });

  it('every endpoint answers in its published shape; regimes are a per-bar series keyed by regime', async () => {
    const inst = await get('/api/instruments');
    expect(API_SCHEMAS['/api/instruments'].parse(inst.body)).toHaveLength(2);
    for (const kind of ['bars', 'fused', 'regimes', 'signals', 'alerts', 'conflicts'] as const) {
      const r = await get(`/api/history/${kind}?symbol=BTC-USD&timeframe=1m&limit=5000`);
      expect(r.status).toBe(200);
      API_SCHEMAS[`/api/history/${kind}`].parse(r.body);
    }
    const fused = API_SCHEMAS['/api/history/fused'].parse((await get('/api/history/fused?symbol=BTC-USD')).body);
    expect(fused.length).toBeGreaterThan(0);
    expect(fused.some((f) => f.sources.length > 0)).toBe(true);
    const regimes = API_SCHEMAS['/api/history/regimes'].parse((await get('/api/history/regimes?symbol=BTC-USD&limit=5000')).body);
    // One state per closed minute of the hour of history, not only the changes.
    expect(regimes.length).toBeGreaterThanOrEqual(55);
    for (const r of regimes) expect(Object.keys(r.probabilities).sort()).toEqual([...REGIMES].sort());
    // The open bar ends the series: the current hour is served before it closes.
    const hours = API_SCHEMAS['/api/history/bars'].parse((await get('/api/history/bars?symbol=BTC-USD&timeframe=1h')).body);
    const lastHour = hours[hours.length - 1];
    expect(lastHour?.final).toBe(false);
    // (the simulation runs 30 times faster than the wall clock, so it may be in a later hour).
    expect(lastHour?.ts).toBeGreaterThanOrEqual(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    // No hole where the store has not caught up yet: minute after minute up to the open one.
    for (let k = 0; k < 5; k++) {
      const mins = API_SCHEMAS['/api/history/bars'].parse((await get('/api/history/bars?symbol=BTC-USD&timeframe=1m&limit=10')).body);
      for (let i = 1; i < mins.length; i++) expect((mins[i]?.ts as number) - (mins[i - 1]?.ts as number)).toBe(60_000);
      expect(mins[mins.length - 1]?.final).toBe(false);
      await new Promise((r) => setTimeout(r, 700));
    }
    const schema = await get('/api/schema');
    expect(Object.keys((schema.body as { schemas: object }).schemas)).toContain('ws:fused');
  });

  it('symbols in any common spelling; an unknown one is a 400 naming the served ones', async () => {
    // A closed stretch of history (the open end moves while the requests go out).
    const recent = (await get('/api/history/bars?symbol=BTC-USD&timeframe=1m&limit=30')).body as { ts: number }[];
    const window = `from=${(recent[0] as { ts: number }).ts}&to=${(recent[9] as { ts: number }).ts}`;
    const canonical = (await get(`/api/history/bars?symbol=BTC-USD&timeframe=1m&${window}`)).body as { ts: number }[];
    expect(canonical.length).toBe(10);
    for (const spelling of ['btc-usd', 'BTCUSD', 'BTC/USD', 'btc_usd', 'XBT/USD']) {
      const r = await get(`/api/history/bars?symbol=${encodeURIComponent(spelling)}&timeframe=1m&${window}`);
      expect(r.status).toBe(200);
      expect((r.body as { ts: number }[]).map((b) => b.ts)).toEqual(canonical.map((b) => b.ts));
    }
    const bad = await get('/api/history/bars?symbol=NOPE-USD&timeframe=1m');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/unknown instrument "NOPE-USD".*BTC-USD, EUR-USD/);
  });

  it('times as epoch ms or ISO 8601, both giving the same rows; a bad time is a 400 that says what is expected', async () => {
    const all = (await get('/api/history/bars?symbol=BTC-USD&timeframe=1m&limit=100')).body as { ts: number }[];
    // A closed stretch (the simulation runs 30× faster than the wall: the open end moves).
    const from = (all[40] as { ts: number }).ts;
    const to = (all[50] as { ts: number }).ts;
    const byMs = (await get(`/api/history/bars?symbol=BTC-USD&timeframe=1m&from=${from}&to=${to}`)).body as { ts: number }[];
    const q = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const byIso = (await get(`/api/history/bars?symbol=BTC-USD&timeframe=1m&${q}`)).body as { ts: number }[];
    expect(byMs.map((b) => b.ts)).toEqual(all.slice(40, 51).map((b) => b.ts));
    expect(byIso).toEqual(byMs);
    const bad = await get('/api/history/bars?symbol=BTC-USD&timeframe=1m&from=yesterday');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/epoch milliseconds or ISO 8601/);
  });

  it('an unknown API path is a JSON 404, not the dashboard', async () => {
    for (const path of ['/api/nope', '/api/history', '/api/instruments/extra']) {
      const r = await fetch(`${srv.url}${path}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
    }
  });

  it('WebSocket: the same shapes as history; any spelling subscribes; an unknown symbol is an error message', async () => {
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
    const msgs: Record<string, unknown>[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused', symbols: ['btcusd'] }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'regimes', symbols: ['NOPE'] }));
    const end = Date.now() + 10_000;
    while (Date.now() < end && !(msgs.some((m) => m.type === 'fused') && msgs.some((m) => m.type === 'error')))
      await new Promise((r) => setTimeout(r, 50));
    ws.close();
    const updates = msgs.filter((m) => m.type === 'fused');
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) {
      expect(API_SCHEMAS['ws:fused'].parse(u).symbol).toBe('BTC-USD');
    }
    const err = msgs.find((m) => m.type === 'error') as { code: string; error: string };
    expect(err.code).toBe('UNKNOWN_SYMBOL');
    expect(err.error).toMatch(/"NOPE".*BTC-USD/);
  });
});
