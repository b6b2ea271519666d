import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { InstrumentId } from '../core/instrument.ts';
import { LocalDukascopyServer } from '../sources/fx/local-dukascopy-server.ts';
import { refreshWorkerHeaps } from '../sources/module-worker.ts';
import { MetricsRegistry, registerProcessMetrics } from './metrics.ts';

/** A full collection on demand (the flag reaches contexts made after it is set). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The value of an unlabelled sample in rendered metrics. */
const sample = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

/** Waits for the observer's report of the collection just run (delivered on a later turn). */
const nextTurns = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('MetricsRegistry', () => {
  it('renders counters and labelled gauges in the Prometheus text format, read at scrape time', () => {
    const m = new MetricsRegistry();
    let events = 3;
    m.register('emp_events_total', 'counter', 'Events processed', () => events);
    m.register('emp_queue_depth', 'gauge', 'Queue depth', () => [
      [{ queue: 'fusion' }, 2],
      [{ queue: 'we"ird' }, 0],
    ]);
    events = 5;
    expect(m.render()).toBe(
      [
        '# HELP emp_events_total Events processed',
        '# TYPE emp_events_total counter',
        'emp_events_total 5',
        '# HELP emp_queue_depth Queue depth',
        '# TYPE emp_queue_depth gauge',
        'emp_queue_depth{queue="fusion"} 2',
        'emp_queue_depth{queue="we\\"ird"} 0',
        '',
      ].join('\n'),
    );
  });

  it('reports the live heap and RSS after a full collection: they rise by what is kept, and the heap falls when it is let go', async () => {
    const m = new MetricsRegistry();
    const stop = registerProcessMetrics(m);
    try {
      expect(m.render()).toContain('# TYPE emp_process_heap_live_bytes gauge');
      fullGc();
      await nextTurns();
      const before = sample(m.render(), 'emp_process_heap_live_bytes');
      const rssBefore = sample(m.render(), 'emp_process_resident_memory_after_gc_bytes');
      expect(before).toBeGreaterThan(0);
      expect(rssBefore).toBeGreaterThan(before);
      // 40 MB in 40,000 small arrays, in the V8 heap (not external memory).
      let kept: number[][] | undefined = Array.from({ length: 40_000 }, (_, i) => new Array<number>(125).fill(i + 0.5));
      fullGc();
      await nextTurns();
      const holding = sample(m.render(), 'emp_process_heap_live_bytes');
      expect(holding - before).toBeGreaterThan(30 * 2 ** 20);
      // Resident too, measured at the same moment: what the heap keeps is in RAM.
      expect(sample(m.render(), 'emp_process_resident_memory_after_gc_bytes') - rssBefore).toBeGreaterThan(30 * 2 ** 20);
      expect(kept.length).toBe(40_000);
      kept = undefined;
      fullGc();
      await nextTurns();
      expect(holding - sample(m.render(), 'emp_process_heap_live_bytes')).toBeGreaterThan(30 * 2 ** 20);
    } finally {
      stop();
    }
  });

  it('counts CPU time and the pauses of full collections: busy work and forced collections raise them', async () => {
    const m = new MetricsRegistry();
    const stop = registerProcessMetrics(m);
    try {
      const cpu = (text: string): number => sample(text, 'emp_process_cpu_seconds_total\\{mode="user"\\}');
      const major = (text: string): number => sample(text, 'emp_gc_pause_seconds_total\\{kind="major"\\}');
      const before = m.render();
      // 200 ms of busy work on this thread, then ten full collections of a heap holding ~20 MB.
      const until = performance.now() + 200;
      let x = 0;
      while (performance.now() < until) x += Math.sqrt(x + 1);
      const kept = Array.from({ length: 20_000 }, (_, i) => new Array<number>(125).fill(i + x));
      for (let i = 0; i < 10; i++) fullGc();
      await nextTurns();
      const after = m.render();
      expect(kept.length).toBe(20_000);
      expect(cpu(after) - cpu(before)).toBeGreaterThan(0.15);
      // In seconds: ten pauses of a few milliseconds each, not thousands of (milliseconds read as) seconds.
      expect(major(after) - major(before)).toBeGreaterThan(0.001);
      expect(major(after) - major(before)).toBeLessThan(cpu(after) - cpu(before) + 1);
      for (const kind of ['minor', 'incremental', 'weakcb'])
        expect(after).toMatch(new RegExp(`^emp_gc_pause_seconds_total\\{kind="${kind}"\\} \\d`, 'm'));
    } finally {
      stop();
    }
  });

  it('reports the heap by space: a large array is held in a large-object space, and the spaces add up to the heap', () => {
    const m = new MetricsRegistry();
    const stop = registerProcessMetrics(m);
    try {
      const spaces = (text: string, kind: string): Map<string, number> =>
        new Map(
          [...text.matchAll(new RegExp(`^emp_v8_heap_space_bytes\\{space="([a-z_]+)",kind="${kind}"\\} (\\S+)$`, 'gm'))].map((x) => [
            x[1] as string,
            Number(x[2]),
          ]),
        );
      // Young or old: where V8 puts a fresh large object depends on how it grew.
      const large = (text: string): number => {
        const used = spaces(text, 'used');
        return (used.get('large_object_space') ?? 0) + (used.get('new_large_object_space') ?? 0);
      };
      const before = large(m.render());
      // 8 MB of doubles in one JS array: far above the size V8 keeps in its regular pages.
      const big = Array.from({ length: 1_000_000 }, (_, i) => i + 0.5);
      const text = m.render();
      expect(large(text) - before).toBeGreaterThan(7 * 2 ** 20);
      expect(big.length).toBe(1_000_000);
      const sizes = [...spaces(text, 'size').values()];
      expect(sizes.length).toBeGreaterThanOrEqual(5);
      // Read by two getters in one scrape: a collection between them may resize the young space.
      expect(Math.abs(sizes.reduce((a, b) => a + b, 0) - sample(text, 'emp_process_memory_bytes\\{kind="heap_total"\\}'))).toBeLessThan(
        8 * 2 ** 20,
      );
    } finally {
      stop();
    }
  });

  it("reports each worker thread's own heap: what a worker keeps shows there, and the worker's series goes when it exits", async () => {
    const m = new MetricsRegistry();
    const stop = registerProcessMetrics(m);
    const server = await LocalDukascopyServer.startInWorker();
    try {
      const heap = (kind: string): number[] =>
        [
          ...m
            .render()
            .matchAll(
              new RegExp(`^emp_worker_memory_bytes\\{worker="serveDukascopyInWorker",thread="\\d+",kind="${kind}"\\} (\\S+)$`, 'gm'),
            ),
        ].map((x) => Number(x[1]));
      await refreshWorkerHeaps();
      const [total] = heap('heap_total');
      const [before] = heap('heap_used');
      expect(heap('heap_used')).toHaveLength(1);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThanOrEqual(total as number);
      // 400,000 quotes in one hour: five columns of 400,000 numbers (16 MB) kept in the worker's heap.
      const hour = Date.UTC(2024, 0, 2, 10);
      for (let i = 0; i < 400_000; i++)
        server.publish({
          type: 'quote',
          venue: 'dukascopy',
          symbol: 'EUR-USD' as InstrumentId,
          ts: hour + i / 200,
          recvTs: hour,
          bid: 1.1,
          ask: 1.1001,
          bidSize: 1e6,
          askSize: 1e6,
        });
      let after = before as number;
      for (let tries = 0; tries < 50 && after - (before as number) < 12 * 2 ** 20; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        await refreshWorkerHeaps();
        after = heap('heap_used')[0] ?? Number.NaN;
      }
      expect(after - (before as number)).toBeGreaterThan(12 * 2 ** 20);
    } finally {
      await server.close();
      stop();
    }
    expect(m.render()).not.toMatch(/^emp_worker_memory_bytes\{worker="serveDukascopyInWorker"/m);
  });
});
