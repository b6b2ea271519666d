/**
 * The default pipeline (simulated venues over their real protocols on loopback sockets) loses
 * a venue server mid-run: the source is marked down, fusion carries on with the others, and the
 * venue is back in the fused price once its server returns.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert, EmpEvent, FusedPrice, SourceStatusEvent } from '../../src/core/events.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import type { SimulatedVenues } from '../../src/pipeline/venue-sources.ts';
import type { LocalVenueServer } from '../../src/sources/loopback/local-venue-server.ts';

const until = async (pred: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('killing a venue during the live pipeline', () => {
  it('marks it down, keeps fusing on the others, and takes it back when it returns', async () => {
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      // The servers on this thread: the test takes Kraken's down and up.
      simulator: { seed: 9, speed: 10, transport: 'ws', thread: 'main', faults: false, historyMs: 0 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-kill-')) },
      analysis: { timeframes: ['1m'] },
    });
    const source = (await simulatorSource(cfg, console)) as SimulatedVenues;
    const p = await LivePipeline.open(cfg, source, defaultParts(cfg));
    const events: EmpEvent[] = [];
    p.bus.subscribe({}, (e) => events.push(e));
    await p.start();
    const fused = (): FusedPrice[] => events.filter((e): e is FusedPrice => e.type === 'fused');
    const lastFused = (): FusedPrice | undefined => fused()[fused().length - 1];
    try {
      await until(() => (lastFused()?.sources.length ?? 0) === 5, 15_000, 'five venues in the fused price');
      // Connecting the first time is not "connected again".
      expect(events.filter((e) => e.type === 'alert' && (e as Alert).kind === 'source_up')).toHaveLength(0);
      const kraken = source.servers.get('kraken')?.ws as LocalVenueServer;
      // Counted from before the cut: the client may see the close (and the alert go out) while down() still awaits.
      const downAt = events.length;
      await kraken.down();
      await until(
        () =>
          events
            .slice(downAt)
            .some((e) => e.type === 'alert' && (e as Alert).kind === 'source_down' && (e as Alert).message.includes('kraken')),
        5000,
        'source_down alert',
      );
      const statuses = events.filter((e): e is SourceStatusEvent => e.type === 'source_status' && e.venue === 'kraken').map((s) => s.state);
      expect(statuses).toContain('reconnecting');
      // Fusion carries on without it: new fused prices, kraken no longer used.
      const n = fused().length;
      await until(
        () => fused().length > n + 5 && !(lastFused()?.sources.some((s) => s.venue === 'kraken') ?? true),
        10_000,
        'fusion without kraken',
      );
      // The others (a quiet one may be momentarily stale at 10× speed) carry the price.
      expect(lastFused()?.sources.length).toBeGreaterThanOrEqual(3);
      expect(Number.isFinite(lastFused()?.price)).toBe(true);
      // Back up: it reconnects, resubscribes and is used again.
      await kraken.up();
      await until(
        () => events.some((e) => e.type === 'alert' && (e as Alert).kind === 'source_up' && (e as Alert).message.includes('kraken')),
        10_000,
        'source_up',
      );
      await until(() => lastFused()?.sources.some((s) => s.venue === 'kraken') ?? false, 15_000, 'kraken back in the fused price');
      expect(p.stats.analysisErrors).toBe(0);
    } finally {
      await p.stop();
    }
  }, 60_000);
});
