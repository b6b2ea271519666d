/**
 * Planted chart patterns for measuring detection: each pattern's key turning points (in ATR-like
 * units), joined by noisy straight legs, embedded between random-walk stretches. Seeded.
 */
import type { BarSeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import type { ChartPatternKind } from './chart.ts';

/** Key prices (the first is the start level); legs between them take `leg` bars. */
const SHAPES: Record<ChartPatternKind, number[]> = {
  double_top: [100, 110, 104, 110, 97],
  double_bottom: [100, 90, 96, 90, 103],
  triple_top: [100, 110, 104, 110, 104, 110, 97],
  triple_bottom: [100, 90, 96, 90, 96, 90, 103],
  head_and_shoulders: [100, 108, 103, 114, 103, 108, 95],
  inverse_head_and_shoulders: [100, 92, 97, 86, 97, 92, 105],
  ascending_triangle: [100, 110, 102, 110, 105, 110, 107, 116],
  descending_triangle: [100, 90, 98, 90, 95, 90, 93, 84],
  symmetrical_triangle: [100, 112, 101, 110, 103, 108, 104.5, 113],
  rising_wedge: [100, 107, 103, 110, 107.5, 112, 110.5, 101],
  falling_wedge: [100, 93, 97, 90, 92.5, 88, 89.5, 99],
  channel_up: [100, 107, 103, 110, 106, 113, 109, 118],
  channel_down: [100, 93, 97, 90, 94, 87, 91, 82],
  bull_flag: [100, 114, 109, 118],
  bear_flag: [100, 86, 91, 82],
  bull_pennant: [100, 114, 109, 113, 110, 112, 119],
  bear_pennant: [100, 86, 91, 87, 90, 88, 81],
};

export interface PlantedPattern {
  series: BarSeries;
  kind: ChartPatternKind | null;
  /** Bar indices of the first and last turning point of the pattern proper (before the breakout leg). */
  start: number;
  end: number;
}

function build(closes: number[], rng: Rng): BarSeries {
  const n = closes.length;
  const s: BarSeries = {
    time: Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: Float64Array.from(closes),
    volume: Float64Array.from({ length: n }, () => 1000 + 500 * rng.next()),
    hasOhlc: true,
    hasVolume: true,
  };
  for (let i = 0; i < n; i++) {
    const o = i ? (closes[i - 1] as number) : (closes[0] as number);
    const c = closes[i] as number;
    s.open[i] = o;
    s.high[i] = Math.max(o, c) + 0.3 * Math.abs(rng.normal());
    s.low[i] = Math.min(o, c) - 0.3 * Math.abs(rng.normal());
  }
  return s;
}

/** A pattern (or, with `kind` null, none) in noise: 60 random-walk bars, the pattern, 30 more. */
export function plantPattern(kind: ChartPatternKind | null, seed: number, noise = 0.35): PlantedPattern {
  const rng = new Rng(seed);
  const closes: number[] = [];
  let p = 100;
  for (let i = 0; i < 60; i++) {
    p += 0.5 * rng.normal();
    closes.push(p);
  }
  let start = closes.length;
  let end = start;
  if (kind) {
    const shape = SHAPES[kind];
    const shift = p - (shape[0] as number);
    const flag = kind.endsWith('flag') || kind.endsWith('pennant');
    const pennant = kind.endsWith('pennant');
    for (let k = 1; k < shape.length; k++) {
      const from = (shape[k - 1] as number) + shift;
      const to = (shape[k] as number) + shift;
      // Poles are steep; a pennant's swings are short.
      const leg = flag && k === 1 ? 7 : pennant && k < shape.length - 1 ? 4 + rng.int(2) : 8 + rng.int(5);
      for (let j = 1; j <= leg; j++) closes.push(from + ((to - from) * j) / leg + noise * rng.normal());
      if (k === 1) start = closes.length - leg - 1;
      if (k === shape.length - 2) end = closes.length - 1;
    }
    p = closes[closes.length - 1] as number;
  }
  for (let i = 0; i < 30; i++) {
    p += 0.5 * rng.normal();
    closes.push(p);
  }
  return { series: build(closes, rng), kind, start, end };
}
