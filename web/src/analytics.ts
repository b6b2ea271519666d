/**
 * Client-side analytics for the dashboard: the project's pure indicator and level code, run in
 * the browser on the bars in view (the server sends bars; overlays are computed here).
 */
import { pointSize } from '../../src/core/fx.ts';
import { splitInstrument } from '../../src/core/instrument.ts';
import type { BarSeries } from '../../src/core/market.ts';
import { computeIndicator, type IndicatorInfo } from '../../src/indicators/index.ts';
import { scanCandlesticks } from '../../src/patterns/candlestick.ts';
import { type ChartPatternHit, detectChartPatterns } from '../../src/patterns/chart.ts';
import { findLevels, type Level } from '../../src/patterns/levels.ts';
import type { CalibrationBin, Scorecard } from '../../src/signals/evaluate.ts';
import type { SeriesReport } from '../../src/signals/report.ts';

export type Catalogue = IndicatorInfo[];

export interface OverlayResult {
  outputs: { name: string; values: Float64Array }[];
}

export interface Annotations {
  /** Candlestick-pattern hits, one per bar (see selectPatternMarks for which get a label). */
  marks: PatternMark[];
  levels: Level[];
  /** Chart patterns with a confirmed breakout, latest last, each line as a segment over its span. */
  chart: { hit: ChartPatternHit; segments: { from: number; to: number; a: number; b: number }[] }[];
}

export function computeOverlay(name: string, series: BarSeries): OverlayResult | undefined {
  try {
    const out = computeIndicator(name, series);
    return { outputs: Object.entries(out).map(([n, values]) => ({ name: n, values })) };
  } catch {
    // Too few bars for the indicator's parameters, or an unknown name: nothing to draw.
    return undefined;
  }
}

/** Candlestick patterns (TA-Lib's, on the bars in view), chart patterns and support/resistance levels. */
export function annotate(series: BarSeries, maxChart = 3): Annotations {
  const chart = detectChartPatterns(series)
    .filter((h) => h.breakoutIndex !== null)
    .slice(-maxChart)
    .map((hit) => ({
      hit,
      // Each line from the pattern's first pivot to its breakout, in bar indices (price = a + b·index).
      segments: hit.lines.map(({ line }) => ({ from: hit.startIndex, to: hit.breakoutIndex as number, a: line.a, b: line.b })),
    }));
  return { marks: candlestickMarks(series), levels: findLevels(series), chart };
}

// --- presentation rules (pure, so the browser test and unit tests agree on them) ------------

/** ISO 4217 currencies and metals: an instrument between two of these is FX, priced in points. */
const FX_CURRENCIES = new Set([
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CHF',
  'AUD',
  'CAD',
  'NZD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'TRY',
  'ZAR',
  'MXN',
  'SGD',
  'HKD',
  'CNH',
  'THB',
  'BRL',
  'XAU',
  'XAG',
]);

/**
 * Decimals to show for an instrument's prices: FX in points (5, or 3 for yen pairs and gold, from
 * the same point sizes the FX sources use); anything else to cents, or to ~4 significant digits
 * below 1 so a sub-dollar coin does not read 0.00.
 */
export function pricePrecision(symbol: string, samplePrice?: number): number {
  let parts: { base: string; quote: string };
  try {
    parts = splitInstrument(symbol);
  } catch {
    return 2;
  }
  if (FX_CURRENCIES.has(parts.base) && FX_CURRENCIES.has(parts.quote)) return Math.round(-Math.log10(pointSize(symbol)));
  if (samplePrice !== undefined && samplePrice > 0 && samplePrice < 1) return Math.min(8, Math.ceil(-Math.log10(samplePrice)) + 3);
  return 2;
}

/** Oscillators bounded to 0–100: they share one pane (and its 30/70-style reading). */
const BOUNDED_0_100 = new Set([
  'RSI',
  'STOCH',
  'STOCHF',
  'STOCHRSI',
  'MFI',
  'ULTOSC',
  'AROON',
  'ADX',
  'ADXR',
  'DX',
  'PLUS_DI',
  'MINUS_DI',
  'IMI',
  'CHOP',
]);

/**
 * Which pane an indicator is drawn in: `price` for overlays; `osc` for the 0–100 oscillators;
 * the MACD family together (same units); ATR with the true range (price units); anything else
 * alone under its own name, so no two scales are ever mixed in one pane.
 */
export function paneKey(info: Pick<IndicatorInfo, 'name' | 'group' | 'overlay'>): string {
  if (info.overlay) return 'price';
  if (BOUNDED_0_100.has(info.name)) return 'osc';
  if (/^MACD/.test(info.name)) return 'macd';
  if (info.name === 'ATR' || info.name === 'TRANGE') return 'atr';
  return info.name;
}

/** A candlestick-pattern marker: all hits on one bar merged. */
export interface PatternMark {
  ts: number;
  index: number;
  direction: number;
  names: string[];
  /** TA-Lib's ±200: a confirmed or strong form of the pattern. */
  strong: boolean;
  /** Price went the pattern's way: within 3 bars the close moved past the pattern bar's close by its range. */
  followThrough: boolean;
}

/** Candlestick hits per bar on `series`, with strength and follow-through. */
function candlestickMarks(series: BarSeries): PatternMark[] {
  const byBar = new Map<number, PatternMark>();
  for (const [name, hits] of Object.entries(scanCandlesticks(series))) {
    hits.forEach((v, i) => {
      if (v === 0) return;
      const label = name.replace(/^CDL/, '').toLowerCase();
      const m = byBar.get(i);
      if (m) {
        m.names.push(label);
        m.strong ||= Math.abs(v) >= 200;
        return;
      }
      const close = series.close[i] as number;
      const range = (series.high[i] as number) - (series.low[i] as number);
      let follow = false;
      for (let k = i + 1; k <= Math.min(i + 3, series.close.length - 1); k++) {
        if (Math.sign(v) * ((series.close[k] as number) - close) >= range && range > 0) follow = true;
      }
      byBar.set(i, {
        ts: series.time[i] as number,
        index: i,
        direction: Math.sign(v),
        names: [label],
        strong: Math.abs(v) >= 200,
        followThrough: follow,
      });
    });
  }
  return [...byBar.values()].sort((a, b) => a.index - b.index);
}

/**
 * The markers worth a label: by default only strong or followed-through hits, at most one per
 * `minGap` bars (the later wins; labels of neighbouring bars overlap) and the last `max` of them;
 * `all` keeps every hit (one marker per bar).
 */
export function selectPatternMarks(marks: PatternMark[], mode: 'significant' | 'all', max = 8, minGap = 20): PatternMark[] {
  if (mode === 'all') return marks;
  const out: PatternMark[] = [];
  for (const m of marks) {
    if (!m.strong && !m.followThrough) continue;
    const prev = out[out.length - 1];
    if (prev && m.index - prev.index < minGap) out[out.length - 1] = m;
    else out.push(m);
  }
  return out.slice(-max);
}

/** What a user can put in the address bar: instrument, timeframe, indicators. */
export interface ViewState {
  symbol?: string;
  tf?: string;
  indicators?: string[];
  patterns?: 'significant' | 'all';
}

export function parseViewState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const v: ViewState = {};
  const symbol = q.get('symbol');
  if (symbol) v.symbol = symbol;
  const tf = q.get('tf') ?? q.get('timeframe');
  if (tf) v.tf = tf;
  const ind = q.get('ind') ?? q.get('indicators');
  if (ind !== null)
    v.indicators = ind
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
  const p = q.get('patterns');
  if (p === 'all' || p === 'significant') v.patterns = p;
  return v;
}

export function formatViewState(v: Required<Pick<ViewState, 'symbol' | 'tf' | 'indicators'>> & ViewState): string {
  const q = new URLSearchParams();
  q.set('symbol', v.symbol);
  q.set('tf', v.tf);
  q.set('ind', v.indicators.join(','));
  if (v.patterns === 'all') q.set('patterns', 'all');
  // Commas and slashes stay readable in the address bar.
  return `?${q.toString().replace(/%2C/g, ',')}`;
}

/** Generic shapes that accompany more specific ones on the same bar (a dragonfly doji is also a doji). */
const GENERIC = new Set(['doji', 'longline', 'shortline', 'spinningtop', 'highwave', 'longleggeddoji', 'rickshawman']);

/** The one name a marker shows: the most specific pattern on the bar, "+n" for the others. */
export function markLabel(m: PatternMark): string {
  const main = m.names.find((n) => !GENERIC.has(n)) ?? m.names[0] ?? '';
  return m.names.length > 1 ? `${main} +${m.names.length - 1}` : main;
}

// --- signal calibration card (pure shaping of evaluateSeries' scorecards) --------------------

/** Below this many scored signals a reliability diagram is mostly sampling noise (ECE's floor alone is ~0.1). */
const MIN_DIAGRAM_SIGNALS = 30;

/** The next larger timeframe confirms a signal, as the live stage's ×5 does on 1-minute bars. */
const CONFIRMING_TF: Record<string, string> = { '1m': '5m', '5m': '15m', '15m': '1h', '1h': '4h', '4h': '1d', '1d': '1w' };

/** What evaluateSeries is asked on the dashboard: the CLI's protocol, with costs and confirmation suited to the chart. */
export interface CalibrationProtocol {
  horizon: number;
  embargo: number;
  /** Per side, basis points. */
  costBps: number;
  /** Base timeframe then the confirming one. */
  timeframes: string[];
  /** Random draws per random baseline (10, not the CLI's 50: the page recomputes as bars close). */
  draws: number;
}

/** FX pays about a basis point per side, everything else (crypto taker fees, index futures) about five. */
export function calibrationProtocol(symbol: string, tf: string): CalibrationProtocol {
  let fx = false;
  try {
    const { base, quote } = splitInstrument(symbol);
    fx = FX_CURRENCIES.has(base) && FX_CURRENCIES.has(quote);
  } catch {
    // Not an instrument name: priced like the rest.
  }
  const up = CONFIRMING_TF[tf];
  return { horizon: 5, embargo: 5, costBps: fx ? 1 : 5, timeframes: up ? [tf, up] : [tf], draws: 10 };
}

/**
 * A 32-bit FNV-1a-style hash over every value of a bar series (its IEEE-754 bits, word by word): equal only when two
 * series hold the same bars, so a card can say which bars it scored without listing them.
 */
export function seriesFingerprint(s: BarSeries): string {
  const cols = [s.time, s.open, s.high, s.low, s.close, s.volume];
  const n = s.time.length;
  const cell = new Float64Array(1);
  const words = new Uint32Array(cell.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    for (const c of cols) {
      cell[0] = c[i] as number;
      h = Math.imul(h ^ (words[0] as number), 0x01000193);
      h = Math.imul(h ^ (words[1] as number), 0x01000193);
    }
  }
  return `${n}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

export interface ReliabilityPoint {
  /** SVG coordinates inside a `size`-wide square, y downwards. */
  x: number;
  y: number;
  r: number;
  n: number;
  bucket: string;
  predicted: number;
  realized: number;
}

/**
 * One point per non-empty confidence bucket of a reliability diagram drawn in a `size` square with
 * `pad` on each side: x the mean stated confidence, y the realized hit rate (both 0–1), the area
 * proportional to the bucket's signals (radius from rMin to rMax at the largest bucket).
 */
export function reliabilityPoints(bins: readonly CalibrationBin[], size: number, pad: number, rMin = 1.5, rMax = 5): ReliabilityPoint[] {
  const span = size - 2 * pad;
  const maxN = Math.max(1, ...bins.map((b) => b.n));
  return bins
    .filter((b) => b.n > 0)
    .map((b) => ({
      x: pad + b.predicted * span,
      y: pad + (1 - b.realized) * span,
      r: rMin + (rMax - rMin) * Math.sqrt(b.n / maxN),
      n: b.n,
      bucket: b.bucket,
      predicted: b.predicted,
      realized: b.realized,
    }));
}

const MINUS = '\u2212';
export const signed = (s: string): string => s.replace(/^-/, MINUS);

/** The scorecard row as shown ('–' where the figure does not exist, e.g. no signals). */
export interface ScorecardCells {
  signals: string;
  hitRate: string;
  /** With its sampling floor: "0.148 (0.091)". */
  ece: string;
  brierSkill: string;
  avgReturn: string;
  deflatedSharpe: string;
}

export function scorecardCells(
  c: Pick<Scorecard, 'signals' | 'hitRate' | 'ece' | 'eceFloor' | 'brierSkill' | 'avgReturnBps' | 'deflatedSharpe'>,
): ScorecardCells {
  const ok = Number.isFinite;
  return {
    signals: String(c.signals),
    hitRate: ok(c.hitRate) ? `${(c.hitRate * 100).toFixed(1)} %` : '–',
    ece: ok(c.ece) ? `${c.ece.toFixed(3)}${ok(c.eceFloor) ? ` (${c.eceFloor.toFixed(3)})` : ''}` : '–',
    brierSkill: ok(c.brierSkill) ? signed(c.brierSkill.toFixed(3)) : '–',
    avgReturn: ok(c.avgReturnBps) ? `${signed(c.avgReturnBps.toFixed(1))} bps` : '–',
    deflatedSharpe: ok(c.deflatedSharpe) ? c.deflatedSharpe.toFixed(2) : '–',
  };
}

/** What a diagram with `signals` points can say: nothing plotted, noise, or a reading. */
export function diagramNote(signals: number, min = MIN_DIAGRAM_SIGNALS): string {
  if (signals === 0) return 'no scored signal yet';
  if (signals < min) return `only ${signals} signal${signals === 1 ? '' : 's'}: too few for a meaningful diagram (fewer than ${min})`;
  return '';
}

/** The protocol the card states, in one sentence. */
export function protocolText(
  r: Pick<SeriesReport, 'bars' | 'horizon' | 'costBps' | 'embargo' | 'calibration' | 'memory' | 'trials'>,
  p: CalibrationProtocol,
): string {
  const tf = p.timeframes[0] ?? '';
  const confirm = p.timeframes[1] ? `, confirmed on ${p.timeframes[1]}` : '';
  return (
    `Walk-forward over ${r.bars.toLocaleString('en-US')} closed ${tf} bars${confirm}: each signal judged ${r.horizon} bars later, ` +
    `its confidence calibrated (${r.calibration}, ${r.memory} memory) only on earlier signals whose horizon ended ` +
    `≥ ${r.embargo} bars before it (purged, embargoed); ${r.costBps} bp${r.costBps === 1 ? '' : 's'} cost per side; ` +
    `Sharpe deflated for ${r.trials} rules tried.`
  );
}

/**
 * Whether the card is due for a new evaluation: at once for another instrument or timeframe,
 * otherwise after `every` bars closed since the last run (counted by time, so trimming old bars
 * from memory does not reset it) and `minMs` since it (a replay at 120× closes a 1-minute bar
 * every half second), never while one is running.
 */
export function calibrationDue(
  s: { key: string; lastKey: string; newCloses: number; now: number; lastAt: number; busy: boolean },
  every = 5,
  minMs = 30_000,
): boolean {
  if (s.busy) return false;
  if (s.key !== s.lastKey) return true;
  return s.newCloses >= every && s.now - s.lastAt >= minMs;
}
