/**
 * A bounded queue between two stages, with an explicit overflow policy and priorities.
 *
 * - `block`: a full queue makes the producer wait (`push` returns a promise that resolves when
 *   there is room) — nothing is lost, the producer slows down;
 * - `drop_oldest`: the oldest item of the lowest-priority non-empty lane is dropped and counted;
 * - `coalesce`: an item whose key is already queued replaces it in place (latest quote per
 *   instrument); a new key on a full queue drops the oldest, counted.
 *
 * Lanes: priority 0 is served first (e.g. trades and quotes before statistics). Memory is
 * bounded by `capacity` items whatever the consumer does.
 */
export type OverflowPolicy = 'block' | 'drop_oldest' | 'coalesce';

export interface BoundedQueueOptions<T> {
  capacity: number;
  policy: OverflowPolicy;
  /** Number of priority lanes (default 1); `priority(item)` picks one, 0 first. */
  lanes?: number;
  priority?: (item: T) => number;
  /** Coalescing key (required for `coalesce`). */
  key?: (item: T) => string;
}

interface Slot<T> {
  item: T;
  key: string | undefined;
  live: boolean;
}

export class BoundedQueue<T> {
  private readonly lanes: Slot<T>[][];
  private readonly heads: number[];
  private readonly byKey = new Map<string, Slot<T>>();
  private size = 0;
  private waiters: (() => void)[] = [];
  private readers: ((r: IteratorResult<T>) => void)[] = [];
  private closed = false;
  readonly stats = { pushed: 0, popped: 0, dropped: 0, coalesced: 0, blocked: 0, maxDepth: 0 };

  constructor(private readonly opts: BoundedQueueOptions<T>) {
    if (opts.capacity < 1) throw new RangeError('capacity must be ≥ 1');
    if (opts.policy === 'coalesce' && !opts.key) throw new RangeError('coalesce needs a key function');
    const n = opts.lanes ?? 1;
    this.lanes = Array.from({ length: n }, () => []);
    this.heads = new Array<number>(n).fill(0);
  }

  get length(): number {
    return this.size;
  }

  /** Adds an item; with `block` on a full queue, resolves once it is in. */
  push(item: T): undefined | Promise<void> {
    if (this.closed) throw new Error('queue closed');
    this.stats.pushed++;
    const key = this.opts.key?.(item);
    if (this.opts.policy === 'coalesce' && key !== undefined) {
      const slot = this.byKey.get(key);
      if (slot?.live) {
        slot.item = item;
        this.stats.coalesced++;
        return undefined;
      }
    }
    if (this.size >= this.opts.capacity) {
      if (this.opts.policy === 'block') {
        this.stats.blocked++;
        return new Promise<void>((resolve) => {
          this.waiters.push(() => {
            this.enqueue(item, key);
            resolve();
          });
        });
      }
      this.dropOldest();
    }
    this.enqueue(item, key);
    return undefined;
  }

  private lane(item: T): number {
    const p = this.opts.priority?.(item) ?? 0;
    return Math.max(0, Math.min(this.lanes.length - 1, p));
  }

  private enqueue(item: T, key: string | undefined): void {
    // A waiting reader takes the item at once.
    const reader = this.readers.shift();
    if (reader) {
      this.stats.popped++;
      reader({ value: item, done: false });
      return;
    }
    const slot: Slot<T> = { item, key, live: true };
    (this.lanes[this.lane(item)] as Slot<T>[]).push(slot);
    if (key !== undefined && this.opts.policy === 'coalesce') this.byKey.set(key, slot);
    this.size++;
    if (this.size > this.stats.maxDepth) this.stats.maxDepth = this.size;
  }

  private dropOldest(): void {
    for (let l = this.lanes.length - 1; l >= 0; l--) {
      const s = this.take(l);
      if (s) {
        this.stats.dropped++;
        return;
      }
    }
  }

  private take(l: number): Slot<T> | undefined {
    const lane = this.lanes[l] as Slot<T>[];
    let h = this.heads[l] as number;
    while (h < lane.length) {
      const s = lane[h] as Slot<T>;
      h++;
      if (!s.live) continue;
      s.live = false;
      if (s.key !== undefined && this.byKey.get(s.key) === s) this.byKey.delete(s.key);
      this.size--;
      // Compact now and then so the array does not grow without bound.
      if (h > 1024 && h * 2 > lane.length) {
        lane.splice(0, h);
        h = 0;
      }
      this.heads[l] = h;
      return s;
    }
    this.heads[l] = h;
    return undefined;
  }

  /** The next item by priority, or undefined when empty. */
  shift(): T | undefined {
    for (let l = 0; l < this.lanes.length; l++) {
      const s = this.take(l);
      if (s) {
        this.stats.popped++;
        const w = this.waiters.shift();
        if (w) w();
        return s.item;
      }
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const r of this.readers.splice(0)) r({ value: undefined, done: true });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (true) {
      const x = this.shift();
      if (x !== undefined) {
        yield x;
        continue;
      }
      if (this.closed) return;
      const r = await new Promise<IteratorResult<T>>((resolve) => this.readers.push(resolve));
      if (r.done) return;
      yield r.value;
    }
  }
}
