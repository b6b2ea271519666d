/**
 * `simulator.chaos`: the simulator's loopback venues go down, go silent, cut their clients off
 * and send malformed and oversized frames on a seeded schedule. The pipeline counts every fault
 * it sees, reconnects, and keeps publishing fused prices throughout.
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

/** A labelled series' value from the Prometheus text. */
const metric = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
};

describe('venue chaos in the simulator', () => {
  it('injects every kind of socket fault; the pipeline counts them, reconnects and keeps fusing', async () => {
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      // The servers in their worker thread: the faults it injects are reported across.
      simulator: { seed: 4, speed: 10, thread: 'worker', faults: false, historyMs: 0, chaos: { meanGapMs: 150, outageMs: [300, 900] } },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-chaos-')) },
      analysis: { timeframes: ['1m'] },
    });
    const p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    const events: EmpEvent[] = [];
    p.bus.subscribe({}, (e) => events.push(e));
    await p.start();
    const fusedCount = (): number => events.filter((e): e is FusedPrice => e.type === 'fused').length;
    const injected = (kind: string): number => metric(p.metrics(), `emp_simulator_venue_faults_total{kind="${kind}"}`);
    try {
      await until(
        () => ['down', 'silent', 'close', 'malformed', 'oversized'].every((k) => injected(k) >= 1),
        30_000,
        'every kind of fault injected',
      );
      // Malformed and oversized frames reach the clients and are counted as source errors.
      await until(() => p.stats.sourceErrors > 0, 5000, 'a source error counted');
      const text = p.metrics();
      let reconnects = 0;
      for (const line of text.split('\n')) if (line.startsWith('emp_source_reconnects_total{')) reconnects += Number(line.split(' ')[1]);
      expect(reconnects).toBeGreaterThan(0);
      // Fusion keeps going while venues come and go.
      const n = fusedCount();
      await until(() => fusedCount() > n + 20, 10_000, 'fused prices during chaos');
      expect(p.stats.analysisErrors).toBe(0);
    } finally {
      await p.stop();
    }
  }, 60_000);
});
