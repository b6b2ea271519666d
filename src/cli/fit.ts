/**
 * Options that do not fit the data: found before a command computes anything, as an error that
 * says what the data is and what would work, or as a stated warning on stderr. Never silent: a
 * `--timeframes 1h,4h` on daily bars used to print "4h confirmations" made of daily bars.
 */
import { EmpError } from '../core/errors.ts';
import type { BarSeries } from '../core/market.ts';
import { listIndicators } from '../indicators/index.ts';
import type { Operand, StrategySpec } from '../signals/index.ts';

const NAMED: [string, number][] = [
  ['1m', 60e3],
  ['5m', 300e3],
  ['15m', 900e3],
  ['30m', 1800e3],
  ['1h', 3600e3],
  ['4h', 14_400e3],
  ['1d', 86_400e3],
  ['1w', 7 * 86_400e3],
];

/** The bars' typical spacing: the median gap over the first thousand bars (weekends and holidays are the exception). */
function barSpacingMs(s: Pick<BarSeries, 'time'>): number {
  const gaps: number[] = [];
  for (let i = 1; i < Math.min(s.time.length, 1001); i++) gaps.push((s.time[i] as number) - (s.time[i - 1] as number));
  if (gaps.length === 0) return Number.NaN;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] as number;
}

/** A spacing as a timeframe name when it is one (1d), else in the largest whole unit. */
function spacingName(ms: number): string {
  const named = NAMED.find(([, v]) => Math.abs(v - ms) <= v * 0.01);
  if (named) return named[0];
  for (const [u, v] of [
    ['d', 86_400e3],
    ['h', 3600e3],
    ['m', 60e3],
    ['s', 1e3],
  ] as const)
    if (ms >= v) return `${+(ms / v).toFixed(2)}${u}`;
  return `${ms}ms`;
}

/**
 * `--timeframes BASE,HIGHER...`: the base is the bars' own size (confirmations are counted in
 * bars of the file), so a base finer or coarser than the bars is an error naming the file's
 * bar size and a list that fits.
 */
export function checkTimeframes(file: string, s: Pick<BarSeries, 'time'>, timeframes: readonly string[]): void {
  const base = timeframes[0];
  if (!base) return;
  const baseMs = NAMED.find(([n]) => n === base)?.[1];
  const spacing = barSpacingMs(s);
  if (baseMs === undefined || !Number.isFinite(spacing)) return; // an unknown name is the signals engine's error
  // Within a factor of 1.5 either way: daily stock bars are 1 day apart, 3 over weekends.
  if (baseMs >= spacing / 1.5 && baseMs <= spacing * 1.5) return;
  const have = spacingName(spacing);
  const higher = NAMED.filter(([, v]) => v > spacing * 1.5).map(([n]) => n);
  const example = higher.length ? ` e.g. --timeframes ${have},${higher[0]}` : '';
  throw new EmpError(
    'BAD_ARGUMENT',
    `--timeframes ${timeframes.join(',')}: the base (${base}) must be the bars' own size, and ${file} has ${have} bars (median spacing)${
      baseMs < spacing ? `: ${base} bars cannot be made from ${have} bars` : ''
    }; give the bar size first, then larger timeframes:${example || ' (none is larger than these bars)'}`,
  );
}

/**
 * A strategy's indicators against a close-only file: an indicator its rules read that needs
 * high and low (trend following's ADX) is an error, since its value from closes alone is not
 * that indicator; one used only to scale strength (ATR) is a stated warning.
 */
export function checkStrategyInputs(file: string, s: Pick<BarSeries, 'hasOhlc'>, spec: StrategySpec): string[] {
  if (s.hasOhlc) return [];
  const catalogue = new Map(listIndicators().map((i) => [i.name, i.inputs as readonly string[]]));
  const needsRange = (label: string): boolean => {
    const name = spec.indicators[label]?.[0];
    const inputs = name ? catalogue.get(name) : undefined;
    return !!inputs && (inputs.includes('high') || inputs.includes('low'));
  };
  const describe = (label: string): string => {
    const [name, params] = spec.indicators[label] ?? [label];
    const p = params?.timeperiod;
    return p === undefined ? name : `${name}(${p})`;
  };
  const ind = (o: Operand | undefined): string | undefined => (o && typeof o === 'object' ? o.ind : undefined);
  const rules = new Set<string>();
  const scales = new Set<string>();
  for (const c of [...spec.buy, ...spec.sell]) {
    for (const o of [c.left, c.right]) {
      const l = ind(o);
      if (l && needsRange(l)) rules.add(l);
    }
    const sc = ind(c.scale);
    if (sc && needsRange(sc)) scales.add(sc);
  }
  if (rules.size) {
    throw new EmpError(
      'BAD_ARGUMENT',
      `--strategy ${spec.name} reads ${[...rules].map(describe).join(', ')}, which needs high and low, and ${file} has only a close column; give a file with open,high,low,close, or a strategy whose rules read closes (mean_reversion, breakout, ma_cross)`,
    );
  }
  return [...scales]
    .filter((l) => !rules.has(l))
    .map(
      (l) =>
        `${file} has only a close column: the strength of ${spec.name}'s signals is scaled by ${describe(l)} from closes alone (true range = the close-to-close move)`,
    );
}
