/**
 * EMP v1's conflict strategies, kept as selectable methods so users of the original can compare
 * them with the engine on the same input.
 *
 * v1 held one fixed weight per source (its "confidence"), compared the fresh sources against a
 * conflict threshold in price units (1 pip, 0.0001, by default) and stamped quotes with times
 * floored to the minute. When the fresh sources agree within the threshold (highest − lowest ≤
 * threshold) the result is their plain mean; otherwise the selected strategy resolves:
 *
 * - `weighted-average`: Σ wᵢ·pᵢ / Σ wᵢ over the fresh sources;
 * - `highest-confidence`: the fresh source with the highest weight (ties: their mean);
 * - `most-recent`: the fresh source with the latest floored time (ties, e.g. two quotes within
 *   the same minute: their weighted mean — v1's minute stamps cannot order them);
 * - `median`: the plain median of the fresh prices (even count: mean of the middle two).
 *
 * Freshness is judged on the exact time (a minute-floored time would make every quote up to a
 * minute older than it is); the floor only decides which quote counts as "most recent".
 * Pure: no I/O, no clock; no allocation per update or per evaluation once every source is known.
 */

export const V1_METHODS = ['weighted-average', 'highest-confidence', 'most-recent', 'median'] as const;
export type V1Method = (typeof V1_METHODS)[number];

export function isV1Method(s: string): s is V1Method {
  return (V1_METHODS as readonly string[]).includes(s);
}

export interface V1Options {
  /** Fixed weight per source name; sources not listed get `defaultWeight`. Must be > 0. */
  weights?: Readonly<Record<string, number>>;
  /** Weight of a source missing from `weights` (default 1). */
  defaultWeight?: number;
  /** Fresh sources whose range is within this (price units) agree: plain mean (default 0.0001, 1 pip). */
  conflictThreshold?: number;
  /** Times are floored to this grid (ms) before `most-recent` compares them (default 60 000; 0: exact). */
  floorMs?: number;
}

/** One source's state; read-only for callers (`V1Fuser.slots`). */
export interface V1Slot {
  readonly source: string;
  readonly weight: number;
  /** Last price and its exact and floored times. */
  price: number;
  ts: number;
  floorTs: number;
  /** At the last `value()`: within the age limit, and taking part in the result. */
  fresh: boolean;
  used: boolean;
}

export class V1Fuser {
  readonly method: V1Method;
  readonly conflictThreshold: number;
  readonly floorMs: number;
  private readonly weights: Readonly<Record<string, number>>;
  private readonly defaultWeight: number;
  private readonly index = new Map<string, number>();
  private readonly slotList: V1Slot[] = [];
  /** Scratch for the median, grown with the number of sources (not per call). */
  private scratch = new Float64Array(8);
  /** At the last `value()`: fresh sources, and whether they disagreed beyond the threshold. */
  fresh = 0;
  conflict = false;

  constructor(method: V1Method, opts: V1Options = {}) {
    if (!isV1Method(method)) throw new RangeError(`unknown v1 method "${method}" (expected ${V1_METHODS.join(', ')})`);
    this.method = method;
    this.weights = opts.weights ?? {};
    this.defaultWeight = opts.defaultWeight ?? 1;
    this.conflictThreshold = opts.conflictThreshold ?? 0.0001;
    this.floorMs = opts.floorMs ?? 60_000;
    for (const [k, w] of Object.entries(this.weights)) {
      if (!(w > 0 && Number.isFinite(w))) throw new RangeError(`weight of "${k}" must be a positive number, got ${w}`);
    }
    if (!(this.defaultWeight > 0 && Number.isFinite(this.defaultWeight))) throw new RangeError('defaultWeight must be positive');
    if (!(this.conflictThreshold >= 0)) throw new RangeError('conflictThreshold must be ≥ 0');
    if (!(this.floorMs >= 0 && Number.isFinite(this.floorMs))) throw new RangeError('floorMs must be ≥ 0');
  }

  get slots(): readonly V1Slot[] {
    return this.slotList;
  }

  /** The last price of a source replaces its previous one (arrival order, as v1 kept one quote per source). */
  update(source: string, price: number, ts: number): void {
    let i = this.index.get(source);
    if (i === undefined) {
      i = this.slotList.length;
      this.index.set(source, i);
      this.slotList.push({
        source,
        weight: this.weights[source] ?? this.defaultWeight,
        price: Number.NaN,
        ts: Number.NaN,
        floorTs: Number.NaN,
        fresh: false,
        used: false,
      });
      if (this.slotList.length > this.scratch.length) this.scratch = new Float64Array(this.scratch.length * 2);
    }
    const s = this.slotList[i] as V1Slot;
    s.price = price;
    s.ts = ts;
    s.floorTs = this.floorMs > 0 ? Math.floor(ts / this.floorMs) * this.floorMs : ts;
  }

  /** The fused price at `now` from sources updated within `maxAgeMs`; NaN when none is fresh. */
  value(now: number, maxAgeMs: number): number {
    const slots = this.slotList;
    let n = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const s of slots) {
      s.used = false;
      s.fresh = Number.isFinite(s.price) && now - s.ts <= maxAgeMs;
      if (!s.fresh) continue;
      n++;
      sum += s.price;
      if (s.price < lo) lo = s.price;
      if (s.price > hi) hi = s.price;
    }
    this.fresh = n;
    this.conflict = n > 1 && hi - lo > this.conflictThreshold;
    if (n === 0) return Number.NaN;
    if (!this.conflict) {
      for (const s of slots) s.used = s.fresh;
      return sum / n;
    }
    switch (this.method) {
      case 'weighted-average':
        for (const s of slots) s.used = s.fresh;
        return this.weightedMeanOfUsed();
      case 'highest-confidence': {
        let best = Number.NEGATIVE_INFINITY;
        for (const s of slots) if (s.fresh && s.weight > best) best = s.weight;
        for (const s of slots) s.used = s.fresh && s.weight === best;
        return this.weightedMeanOfUsed();
      }
      case 'most-recent': {
        let last = Number.NEGATIVE_INFINITY;
        for (const s of slots) if (s.fresh && s.floorTs > last) last = s.floorTs;
        for (const s of slots) s.used = s.fresh && s.floorTs === last;
        return this.weightedMeanOfUsed();
      }
      case 'median': {
        const a = this.scratch;
        let k = 0;
        for (const s of slots) {
          s.used = s.fresh;
          if (!s.fresh) continue;
          // Insertion into the sorted prefix: n is the number of sources, small.
          let j = k - 1;
          while (j >= 0 && (a[j] as number) > s.price) {
            a[j + 1] = a[j] as number;
            j--;
          }
          a[j + 1] = s.price;
          k++;
        }
        const mid = k >> 1;
        return k % 2 ? (a[mid] as number) : ((a[mid - 1] as number) + (a[mid] as number)) / 2;
      }
    }
  }

  private weightedMeanOfUsed(): number {
    let sw = 0;
    let swp = 0;
    for (const s of this.slotList) {
      if (!s.used) continue;
      sw += s.weight;
      swp += s.weight * s.price;
    }
    return swp / sw;
  }
}
