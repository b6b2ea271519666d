/**
 * The default pipeline on FX: the simulator's Dukascopy-, OANDA- and cTrader-style venues, each
 * served on loopback in its own protocol (hour files over HTTP, a chunked JSON price stream,
 * JSON over WebSocket with a handshake) and read by the real clients, fused into one EUR-USD.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmpEvent, FusedPrice } from '../../src/core/events.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';

const until = async (pred: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('EUR-USD fused from FX sources over their protocols', () => {
  it('uses dukascopy, oanda and ctrader together, at FX precision', async () => {
    const cfg = parseConfig({
      instruments: ['EUR-USD', 'USD-JPY'],
      // The servers in their worker thread (Dukascopy's in a worker of its own inside it).
      simulator: { seed: 4, speed: 1, transport: 'ws', thread: 'worker', faults: false, historyMs: 0 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-fx-')) },
      analysis: { timeframes: ['1m'] },
    });
    const p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    const events: EmpEvent[] = [];
    p.bus.subscribe({}, (e) => events.push(e));
    await p.start();
    const fused = (sym: string): FusedPrice[] => events.filter((e): e is FusedPrice => e.type === 'fused' && e.symbol === sym);
    try {
      const all3 = (f: FusedPrice): boolean => ['dukascopy', 'oanda', 'ctrader'].every((v) => f.sources.some((s) => s.venue === v));
      await until(() => fused('EUR-USD').some(all3), 20_000, 'EUR-USD fused from all three FX sources');
      const f = fused('EUR-USD').find(all3) as FusedPrice;
      expect(Math.abs(f.price - 1.085)).toBeLessThan(0.02);
      for (const s of f.sources) expect(Math.abs(s.price - f.price) / f.price).toBeLessThan(5e-4);
      await until(() => fused('USD-JPY').some(all3), 10_000, 'USD-JPY from all three');
      expect(Math.abs((fused('USD-JPY').find(all3) as FusedPrice).price - 150)).toBeLessThan(3);
      // No crypto venue was started for FX-only instruments, and no source reported bad frames.
      expect(p.stats.sourceErrors).toBe(0);
    } finally {
      await p.stop();
    }
  }, 60_000);
});
