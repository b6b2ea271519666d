/**
 * A small metrics registry rendered in the Prometheus text format. Values are read at scrape
 * time from getters, so the hot path only bumps plain numbers it already keeps.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { workerHeaps } from '../sources/module-worker.ts';

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  samples: () => [Labels, number][];
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** Registers a metric whose samples are read when scraped. */
  register(name: string, type: Family['type'], help: string, samples: () => [Labels, number][] | number): void {
    this.families.set(name, {
      help,
      type,
      samples: () => {
        const s = samples();
        return typeof s === 'number' ? [[{}, s]] : s;
      },
    });
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const [labels, v] of f.samples()) {
        const l = Object.entries(labels)
          .map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
          .join(',');
        out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 'NaN'}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/**
 * The process's own health, in the registry of the process that serves /metrics: how late the
 * event loop runs its callbacks (a busy loop answers every socket and request that late), and its
 * memory. The delay quantiles are those of the last complete window of `windowMs` (default 10 s),
 * sampled every 10 ms. Returns a function that stops the sampling.
 */
export function registerProcessMetrics(m: MetricsRegistry, windowMs = 10_000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let last: [number, number][] = [];
  const roll = (): void => {
    // Nanoseconds to milliseconds; an empty window (no sample yet) reads 0.
    last = h.count === 0 ? [] : ([0.5, 0.99, 1] as const).map((q) => [q, (q === 1 ? h.max : h.percentile(q * 100)) / 1e6]);
    h.reset();
  };
  const timer = setInterval(roll, windowMs);
  timer.unref();
  m.register('emp_event_loop_delay_ms', 'gauge', `event-loop delay over the last ${windowMs / 1000} s, by quantile (1: the longest)`, () =>
    last.map(([q, v]) => [{ quantile: String(q) }, v]),
  );
  m.register('emp_process_resident_memory_bytes', 'gauge', 'resident set size of the process', () => process.memoryUsage.rss());
  m.register(
    'emp_process_memory_bytes',
    'gauge',
    'V8 heap reserved and in use (live objects and garbage not yet collected), and memory outside it',
    () => {
      const u = process.memoryUsage();
      return [
        [{ kind: 'heap_total' }, u.heapTotal],
        [{ kind: 'heap_used' }, u.heapUsed],
        [{ kind: 'external' }, u.external],
        [{ kind: 'array_buffers' }, u.arrayBuffers],
      ];
    },
  );
  // Which part of the heap holds the reserve: young objects, old ones, large objects, code.
  m.register('emp_v8_heap_space_bytes', 'gauge', "the main thread's V8 heap by space: reserved (size) and in use (used)", () =>
    getHeapSpaceStatistics().flatMap((s): [Labels, number][] => [
      [{ space: s.space_name, kind: 'size' }, s.space_size],
      [{ space: s.space_name, kind: 'used' }, s.space_used_size],
    ]),
  );
  // A worker thread's isolate has a heap of its own, which the figures above leave out but RSS holds.
  m.register(
    'emp_worker_memory_bytes',
    'gauge',
    "each worker thread's V8 heap reserved and in use, and its memory outside it, as the worker last reported (every 10 s)",
    () =>
      workerHeaps().flatMap((h) => {
        const l = { worker: h.worker, thread: String(h.threadId) };
        return [
          [{ ...l, kind: 'heap_total' }, h.heapTotal],
          [{ ...l, kind: 'heap_used' }, h.heapUsed],
          [{ ...l, kind: 'external' }, h.external],
        ] as [Labels, number][];
      }),
  );
  // The heap in use right after each full (mark-compact) collection: the live set, without the
  // garbage that makes heap_used and RSS swing by tens of MB between collections. A leak shows
  // as this rising; the swings do not.
  // RSS is taken at the same moment, at the same phase of the collector each time (V8 keeps the
  // pages it reserved after collecting, so it still follows the heap's reserve).
  let liveAfterGc = Number.NaN;
  let rssAfterGc = Number.NaN;
  // Main-thread pause time by kind of collection: what a smaller heap reserve costs in CPU.
  const gcSeconds = { major: 0, minor: 0, incremental: 0, weakcb: 0 };
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (kind & constants.NODE_PERFORMANCE_GC_MAJOR) {
        liveAfterGc = getHeapStatistics().used_heap_size;
        rssAfterGc = process.memoryUsage.rss();
        gcSeconds.major += e.duration / 1000;
      } else if (kind & constants.NODE_PERFORMANCE_GC_MINOR) gcSeconds.minor += e.duration / 1000;
      else if (kind & constants.NODE_PERFORMANCE_GC_INCREMENTAL) gcSeconds.incremental += e.duration / 1000;
      else gcSeconds.weakcb += e.duration / 1000;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  m.register(
    'emp_process_heap_live_bytes',
    'gauge',
    'V8 heap in use after the last full collection (NaN before the first)',
    () => liveAfterGc,
  );
  m.register('emp_gc_pause_seconds_total', 'counter', "the main thread's time in garbage-collection pauses, by kind", () =>
    Object.entries(gcSeconds).map(([kind, v]): [Labels, number] => [{ kind }, v]),
  );
  m.register('emp_process_cpu_seconds_total', 'counter', 'CPU time of the process (all its threads), user and system', () => {
    const u = process.cpuUsage();
    return [
      [{ mode: 'user' }, u.user / 1e6],
      [{ mode: 'system' }, u.system / 1e6],
    ];
  });
  m.register(
    'emp_process_resident_memory_after_gc_bytes',
    'gauge',
    'resident set size right after the last full collection (NaN before the first)',
    () => rssAfterGc,
  );
  return () => {
    clearInterval(timer);
    h.disable();
    gc.disconnect();
  };
}
