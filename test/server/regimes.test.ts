import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EmpEvent, RegimeState } from '../../src/core/events.ts';
import { REGIMES } from '../../src/core/regime.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import { API_SCHEMAS } from '../../src/server/schema.ts';
import { startServer } from '../../src/server/server.ts';

/** What every regime state carries, wherever it is served. */
function expectFullState(r: Partial<RegimeState>): void {
  expect(REGIMES).toContain(r.supported);
  // The label is the supported regime, or a hold reason says why not.
  if (r.regime !== r.supported) expect(['smoothing', 'margin', 'dwell']).toContain(r.held);
  else expect(r.held).toBeUndefined();
  expect(typeof r.trend).toBe('number');
  expect(['low', 'normal', 'high']).toContain(r.volatilityRegime);
  expect(r.calibrated).toBe(true);
  expect(r.fallback).toBeUndefined();
  expect(r.forecast?.horizons).toEqual([1, 5, 20]);
  expect(Object.keys(r.forecast?.probabilities ?? {}).sort()).toEqual([...REGIMES].sort());
}

/**
 * The live regime state on a real pipeline: six hours of simulated history (360 one-minute bars,
 * past the classifier's 250), then a restart on the same store that warms the regime stage from
 * the stored bars; its first event is calibrated, and the WebSocket `regimes` channel, the
 * history endpoint and `/api/instruments` carry the supported regime, hold reason, trend,
 * volatility regime and forecast in their published shapes.
 */
describe('live regime state', () => {
  it('warmed from history and from the store, calibrated from the first live bar; served on HTTP and the WebSocket', async () => {
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      simulator: { seed: 3, speed: 60, transport: 'memory', historyMs: 6 * 3_600_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-regimes-')) },
      analysis: { timeframes: ['1m'], regimeTimeframe: '1m' },
    });
    // First start: the history goes through the stage bar by bar.
    const first: EmpEvent[] = [];
    const p1 = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    p1.bus.subscribe({ types: ['regime'] }, (e) => first.push(e));
    await p1.start();
    await p1.stop();
    const replayed = first as RegimeState[];
    expect(replayed.length).toBeGreaterThanOrEqual(355);
    expect(replayed[replayed.length - 1]?.calibrated).toBe(true);

    // Restart on the same store: the stage is warmed from the stored bars before anything is emitted.
    const events: RegimeState[] = [];
    const p2 = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    p2.bus.subscribe({ types: ['regime'] }, (e) => events.push(e as RegimeState));
    const srv = await startServer(p2, { host: '127.0.0.1', port: 0 });
    try {
      await p2.start();
      const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
      const msgs: Record<string, unknown>[] = [];
      ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'regimes', symbols: ['BTC-USD'] }));
      // At 60× a minute closes every second: wait for two live states past the snapshot.
      const end = Date.now() + 20_000;
      while (Date.now() < end && msgs.filter((m) => m.type === 'regime').length < 3) await new Promise((r) => setTimeout(r, 50));
      ws.close();
      expect(events.length).toBeGreaterThan(0);
      expect(events[0]?.calibrated).toBe(true);
      const onWs = msgs.filter((m) => m.type === 'regime');
      expect(onWs.length).toBeGreaterThanOrEqual(3);
      for (const m of onWs) {
        API_SCHEMAS['ws:regimes'].parse(m);
        expectFullState(m as Partial<RegimeState>);
      }
      const get = async (path: string): Promise<unknown> => (await fetch(`${srv.url}${path}`)).json();
      const inst = API_SCHEMAS['/api/instruments'].parse(await get('/api/instruments'));
      expectFullState(inst[0]?.regime as Partial<RegimeState>);
      const hist = API_SCHEMAS['/api/history/regimes'].parse(await get('/api/history/regimes?symbol=BTC-USD&limit=5000'));
      // Every stored state since the 250th return is calibrated, with the same fields.
      expect(hist.length).toBeGreaterThan(300);
      for (const r of hist.slice(260)) expectFullState(r);
    } finally {
      await srv.close();
      await p2.stop();
    }
  }, 90_000);
});
