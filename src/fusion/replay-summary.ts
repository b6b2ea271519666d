/** What a replay's fused rows say in sum: per instrument, the exclusions, and the rows without a price. */
import { median } from '../core/stats.ts';
import type { FusedRow, ReplayRow } from './replay.ts';

export interface InstrumentReplaySummary {
  status: Record<FusedRow['status'], number>;
  /** Mean weight (engine) or share (v1) of each source over the instrument's rows, largest first. */
  meanWeights: [string, number][];
}

export function instrumentReplaySummary(out: readonly FusedRow[], symbol: string): InstrumentReplaySummary {
  const mine = out.filter((f) => f.symbol === symbol);
  const count = (s: FusedRow['status']) => mine.filter((f) => f.status === s).length;
  const w = new Map<string, number>();
  for (const f of mine) for (const [s, x] of f.weights) w.set(s, (w.get(s) ?? 0) + x / mine.length);
  return {
    status: { ok: count('ok'), degraded: count('degraded'), unknown: count('unknown') },
    meanWeights: [...w.entries()].sort((a, b) => b[1] - a[1]),
  };
}

/** Source-rows excluded from the output, by reason (in order of first appearance). */
export function exclusionReasons(out: readonly FusedRow[]): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const f of out)
    for (const e of f.excluded) reasons[e.slice(e.lastIndexOf(':') + 1)] = (reasons[e.slice(e.lastIndexOf(':') + 1)] ?? 0) + 1;
  return reasons;
}

/**
 * Rows without a price (status unknown), told apart: a gap in the data (no row of the instrument
 * within `maxAgeMs` before: nights, weekends) or rows there were, all excluded.
 */
export function unpricedRows(
  rows: readonly ReplayRow[],
  out: readonly FusedRow[],
  instrumentOf: (r: ReplayRow) => string,
  maxAgeMs: number,
): { unknown: number; gaps: number } {
  const unknown = out.filter((f) => f.status === 'unknown');
  if (!unknown.length) return { unknown: 0, gaps: 0 };
  const times = new Map<string, number[]>();
  for (const r of rows) {
    const k = instrumentOf(r);
    let a = times.get(k);
    if (!a) times.set(k, (a = []));
    a.push(r.time);
  }
  let gaps = 0;
  for (const f of unknown) {
    const a = times.get(f.symbol) ?? [];
    // Last row at or before f.ts (binary search: a is in time order).
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((a[mid] as number) <= f.ts) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || f.ts - (a[lo - 1] as number) > maxAgeMs) gaps++;
  }
  return { unknown: unknown.length, gaps };
}

/** The median time between two rows of one source for one instrument (what a staleness limit must exceed). */
export function medianQuoteInterval(rows: readonly ReplayRow[], instrumentOf: (r: ReplayRow) => string): number {
  const lastBy = new Map<string, number>();
  const gaps: number[] = [];
  for (const r of rows) {
    const k = `${r.source}\u0000${instrumentOf(r)}`;
    const p = lastBy.get(k);
    if (p !== undefined) gaps.push(r.time - p);
    lastBy.set(k, r.time);
  }
  return median(gaps);
}
