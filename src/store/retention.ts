/**
 * Retention on a schedule: rows older than their table's age are deleted once at start and then
 * every `everyMs`, so the store stays bounded however long the service runs.
 */
import type { MarketStore, Retention } from './store.ts';

const DAY_MS = 86_400_000;

/** Retention ages in days (as configured) to milliseconds; an absent age keeps forever. */
export function retentionFromDays(days: { bars?: number; fused?: number; events?: number }): Retention {
  const ms = (d: number | undefined): number | undefined => (d === undefined ? undefined : d * DAY_MS);
  return { bars: ms(days.bars), fused: ms(days.fused), events: ms(days.events) };
}

export interface PruneScheduleOptions {
  everyMs: number;
  onError?: (err: unknown) => void;
  clock?: () => number;
}

export class PruneSchedule {
  /** Prune passes run, rows deleted, failed passes, time of the last pass that succeeded (0: none). */
  readonly stats = { runs: 0, pruned: 0, errors: 0, lastRunTs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: MarketStore,
    private readonly retention: Retention,
    private readonly opts: PruneScheduleOptions,
  ) {}

  /** True when some table has an age: otherwise there is nothing to schedule. */
  get active(): boolean {
    const r = this.retention;
    return r.bars !== undefined || r.fused !== undefined || r.events !== undefined;
  }

  start(): void {
    if (!this.active || this.timer) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.opts.everyMs);
    this.timer.unref();
  }

  /** One pass now, unless one is still running (then that one is awaited). */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      const now = (this.opts.clock ?? Date.now)();
      try {
        this.stats.pruned += await this.store.prune(this.retention, now);
        this.stats.runs++;
        this.stats.lastRunTs = now;
      } catch (err) {
        this.stats.errors++;
        this.opts.onError?.(err);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops the schedule and waits for a pass in progress (the store may be closed after). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
