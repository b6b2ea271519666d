import type { Alert, Conflict, RegimeState, Signal } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import type { FusedRow, MarketStore, StageCheckpoint, StoreBatch } from './store.ts';
import { isEmptyBatch } from './store.ts';

export interface StoreWriterOptions {
  /** Flush at least this often (ms). */
  intervalMs?: number;
  /** Flush early once this many rows are pending. */
  maxPending?: number;
  /** Rows kept pending at most while the store is failing; beyond this the oldest are dropped and counted. */
  maxBuffered?: number;
  onError?: (err: unknown) => void;
}

/**
 * Buffers rows and commits them in batches (one transaction each), so the hot path never
 * waits on the disk. A failed flush keeps its rows for the next attempt, up to a bound.
 */
export class StoreWriter {
  private pending: Required<StoreBatch> = StoreWriter.empty();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly opts: Required<Omit<StoreWriterOptions, 'onError'>> & Pick<StoreWriterOptions, 'onError'>;
  /** Rows committed, rows dropped because the store failed for too long, failed flushes. */
  readonly stats = { written: 0, dropped: 0, errors: 0 };
  /** Rows added so far, and how many of the first of them are known committed (see `mark`). */
  private added = 0;
  private committedUpTo = 0;

  constructor(
    private readonly store: MarketStore,
    opts: StoreWriterOptions = {},
  ) {
    this.opts = { intervalMs: 1000, maxPending: 5000, maxBuffered: 200_000, ...opts };
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs);
    this.timer.unref();
  }

  checkpoint(c: StageCheckpoint): void {
    this.add(this.pending.checkpoints, c);
  }
  bar(b: Bar): void {
    this.add(this.pending.bars, b);
  }
  fused(f: FusedRow): void {
    this.add(this.pending.fused, f);
  }
  signal(s: Signal): void {
    this.add(this.pending.signals, s);
  }
  regime(r: RegimeState): void {
    this.add(this.pending.regimes, r);
  }
  alert(a: Alert): void {
    this.add(this.pending.alerts, a);
  }
  conflict(c: Conflict): void {
    this.add(this.pending.conflicts, c);
  }

  /**
   * A position in the rows added so far: once `committed(mark)` is true, every row added before
   * the mark is in the store (what was consumed to make them may be acknowledged upstream).
   */
  mark(): number {
    return this.added;
  }

  committed(mark: number): boolean {
    return this.committedUpTo >= mark;
  }

  /**
   * Commits nothing until `until` settles (rows are kept and counted meanwhile): for a reader that
   * must see the store as it was before this writer's rows.
   */
  holdUntil(until: Promise<unknown>): void {
    this.flushing = this.flushing
      .then(
        () => until,
        () => until,
      )
      .then(
        () => {},
        () => {},
      );
  }

  /** Commits everything pending; resolves when it is durable. Flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  /** Final flush and stop the timer (the store itself is closed by its owner). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private add<T>(list: T[], row: T): void {
    list.push(row);
    this.count++;
    this.added++;
    if (this.count >= this.opts.maxPending) void this.flush();
  }

  private async flushNow(): Promise<void> {
    const upTo = this.added;
    if (isEmptyBatch(this.pending)) {
      this.committedUpTo = upTo;
      return;
    }
    const batch = this.pending;
    const n = this.count;
    this.pending = StoreWriter.empty();
    this.count = 0;
    try {
      await this.store.append(batch);
      this.stats.written += n;
      // A failed batch is put back in front of newer rows, so a success covers every earlier row.
      this.committedUpTo = upTo;
    } catch (err) {
      this.stats.errors++;
      this.opts.onError?.(err);
      this.requeue(batch, n);
    }
  }

  /** Puts a failed batch back in front of newer rows, dropping the oldest beyond the bound. */
  private requeue(batch: Required<StoreBatch>, n: number): void {
    const keys = Object.keys(batch) as (keyof StoreBatch)[];
    for (const k of keys) (this.pending[k] as unknown[]) = [...(batch[k] as unknown[]), ...(this.pending[k] as unknown[])];
    this.count += n;
    let excess = this.count - this.opts.maxBuffered;
    for (const k of keys) {
      if (excess <= 0) break;
      const list = this.pending[k] as unknown[];
      const cut = Math.min(excess, list.length);
      list.splice(0, cut);
      excess -= cut;
      this.count -= cut;
      this.stats.dropped += cut;
    }
  }

  private static empty(): Required<StoreBatch> {
    return { checkpoints: [], bars: [], fused: [], signals: [], regimes: [], alerts: [], conflicts: [] };
  }
}
