import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmpEvent, FusedPrice } from '../../src/core/events.ts';
import type { Bar } from '../../src/core/market.ts';
import { parseConfig, type ServiceConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import type { BarAnalysis } from '../../src/pipeline/stages.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

const until = async (pred: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Records what the pipeline hands an analysis stage. */
class SeenBars implements BarAnalysis {
  warmed: Bar[] = [];
  seen: Bar[] = [];
  warm(bar: Bar): void {
    this.warmed.push(bar);
  }
  onBar(bar: Bar): void {
    this.seen.push({ ...bar });
  }
}

function config(dataDir: string): ServiceConfig {
  // 120 simulated seconds per second: a 1-minute bar closes every 0.5 s.
  return parseConfig({
    instruments: ['BTC-USD', 'ETH-USD', 'EUR-USD'],
    // Live data only here (history at start has its own test).
    simulator: { seed: 3, speed: 120, transport: 'memory', historyMs: 0 },
    store: { dataDir, fusedEveryMs: 0 },
    analysis: { timeframes: ['1m', '5m'] },
  });
}

describe('LivePipeline on the in-process simulator', () => {
  it('fuses, builds bars per timeframe, feeds analysis, stores closed bars, and warms from them on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-pipe-'));
    const cfg = config(dir);
    const stages = new Map<string, SeenBars>();
    const parts = {
      ...defaultParts(cfg),
      analysis: (symbol: string, tf: string): BarAnalysis[] => {
        const s = new SeenBars();
        stages.set(`${symbol}:${tf}`, s);
        return [s];
      },
    };
    const p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), parts);
    const events: EmpEvent[] = [];
    p.bus.subscribe({}, (e) => events.push(e));
    await p.start();
    const finals = (): Bar[] => events.filter((e): e is Bar => e.type === 'bar' && e.final);
    await until(() => finals().filter((b) => b.timeframe === '1m' && b.symbol === 'BTC-USD').length >= 4, 15_000);
    expect(p.ready()).toBe(true);
    await p.stop();

    const fused = events.filter((e): e is FusedPrice => e.type === 'fused');
    expect(fused.length).toBeGreaterThan(10);
    for (const f of fused) {
      expect(f.price).toBeGreaterThan(0);
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.sources.length).toBeGreaterThan(0);
    }
    // Bars: OHLC consistent, aligned to their timeframe, consecutive closed bars in time order,
    // and each closed bar's range contains every fused price published inside it.
    for (const sym of ['BTC-USD', 'ETH-USD']) {
      const closed = finals().filter((b) => b.symbol === sym && b.timeframe === '1m');
      expect(closed.length).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < closed.length; i++) {
        const b = closed[i] as Bar;
        expect(b.ts % 60_000).toBe(0);
        expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
        expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
        if (i > 0) expect(b.ts).toBeGreaterThan((closed[i - 1] as Bar).ts);
        for (const f of fused) {
          if (f.symbol !== sym || f.ts < b.ts || f.ts >= b.ts + 60_000) continue;
          expect(f.price).toBeGreaterThanOrEqual(b.low);
          expect(f.price).toBeLessThanOrEqual(b.high);
        }
      }
    }
    // Source health was published for every venue: five crypto exchanges, three FX sources.
    const health = events.filter((e) => e.type === 'source_health');
    expect([...new Set(health.map((h) => (h as { venue: string }).venue))].sort()).toEqual([
      'binance',
      'bitstamp',
      'coinbase',
      'ctrader',
      'dukascopy',
      'kraken',
      'oanda',
      'okx',
    ]);
    // EUR-USD is fused from the FX sources only, at FX precision.
    const eur = fused.filter((f) => f.symbol === 'EUR-USD');
    expect(eur.length).toBeGreaterThan(0);
    for (const f of eur) for (const src of f.sources) expect(['dukascopy', 'oanda', 'ctrader']).toContain(src.venue);
    expect(Math.abs((eur[eur.length - 1] as FusedPrice).price - 1.085)).toBeLessThan(0.05);
    // The analysis saw the closed bars.
    const seen = stages.get('BTC-USD:1m') as SeenBars;
    expect(seen.seen.filter((b) => b.final).length).toBe(finals().filter((b) => b.symbol === 'BTC-USD' && b.timeframe === '1m').length);

    // Every closed bar published before stop() is in the store.
    const store = new SqliteStore(join(dir, 'emp.sqlite'));
    const stored = await store.bars({ symbol: 'BTC-USD', timeframe: '1m', limit: 10_000 });
    await store.close();
    const published = finals().filter((b) => b.symbol === 'BTC-USD' && b.timeframe === '1m');
    expect(stored.map((b) => [b.ts, b.close])).toEqual(published.map((b) => [b.ts, b.close]));

    // Restart on the same data directory: the analysis is warmed from the stored bars.
    const stages2 = new Map<string, SeenBars>();
    const p2 = await LivePipeline.open(cfg, await simulatorSource(cfg, console), {
      ...parts,
      analysis: (symbol: string, tf: string) => {
        const s = new SeenBars();
        stages2.set(`${symbol}:${tf}`, s);
        return [s];
      },
    });
    await p2.start();
    await p2.stop();
    expect((stages2.get('BTC-USD:1m') as SeenBars).warmed.map((b) => b.ts)).toEqual(published.map((b) => b.ts));
  }, 30_000);
});
