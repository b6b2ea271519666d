/** `emp evaluate signals` tables and JSON: one series' scorecard, or a family's summary per method. */
import type { BarSeries } from '../core/market.ts';
import { formatIso } from '../core/time.ts';
import { COVERAGE_THRESHOLDS, ECE_TARGET } from '../signals/evaluate.ts';
import type { FamilyRow, SeriesReport } from '../signals/report.ts';
import type { CalibrationVerdict } from '../signals/suite.ts';

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** The family summary as a table. */
export function familyTable(
  { seeds: [from, to], costBps: cost, horizon }: { seeds: number[]; costBps: number; horizon: number },
  timeframes: readonly string[],
  rows: readonly FamilyRow[],
): string {
  return `${[
    `data: simulated daily bars, seeds ${from}..${to} (5,000 bars each, planted regimes); same protocol as for one series (cost ${cost} bps per side, judged ${horizon} bars later, confirmations ${timeframes.slice(1).join(', ') || 'none'})`,
    '',
    '| method | series | signals | hit rate | ECE (floor) | series with ECE ≤ 0.05 (of those with ≥ 100 signals) | Brier skill | avg return/signal after costs | Sharpe (mean) | deflated Sharpe > 0.95 |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      r.method === 'buy and hold'
        ? `| buy and hold | ${r.series} | – | – | – | – | – | total ${pct(r.avgReturnBps / 1e4)} (mean) | ${f(r.sharpe)} | ${pct(r.significant)} |`
        : `| ${r.method} | ${r.series} | ${r.signals} | ${pct(r.hitRate)} | ${f(r.ece, 3)} (${f(r.eceFloor, 3)}) | ${r.calibrated.atMost005}/${r.calibrated.scored} | ${f(r.brierSkill, 4)} | ${f(r.avgReturnBps, 1)} bps | ${f(r.sharpe)} | ${pct(r.significant)} |`,
    ),
  ].join('\n')}\n`;
}

/** A series' scorecard as `--format json` gives it. */
export function reportJson(r: SeriesReport) {
  const strategies = r.methods.filter((m) => m.kind === 'strategy');
  return {
    protocol: {
      bars: r.bars,
      horizon: r.horizon,
      costBps: r.costBps,
      embargo: r.embargo,
      calibration: r.calibration,
      memory: r.memory,
      trials: r.trials,
      expectedMaxSharpePerBar: r.expectedMaxSharpe,
    },
    methods: r.methods.map((m) => ({
      name: m.method,
      kind: m.kind,
      signals: m.signals,
      hitRate: m.hitRate,
      ece: m.ece,
      eceFloor: m.eceFloor,
      eceChance: m.eceChance,
      eceTargetChance: m.eceTargetChance,
      brierSkill: m.brierSkill,
      avgReturnBps: m.avgReturnBps,
      sharpe: m.sharpe,
      deflatedSharpe: m.deflatedSharpe,
      profitFactor: Number.isFinite(m.profitFactor) ? m.profitFactor : null,
      maxDrawdown: m.maxDrawdown,
    })),
    calibration: strategies.flatMap((m) => m.calibration.map((b) => ({ method: m.method, ...b }))),
    coverage: strategies.flatMap((m) =>
      m.coverage.map((c) => ({ method: m.method, threshold: c.threshold, coverage: c.coverage, hitRate: c.hitRate, signals: c.signals })),
    ),
  };
}

/** A series' scorecard as the table `emp evaluate signals` prints. */
export function reportText(name: string, s: BarSeries, timeframes: string[], r: SeriesReport): string {
  const strategies = r.methods.filter((m) => m.kind === 'strategy');
  const out = [
    `data: ${name}, ${s.close.length} bars ${formatIso(s.time[0] as number)} .. ${formatIso(s.time[s.close.length - 1] as number)}`,
    `protocol: walk-forward; each signal from data up to its bar; confidence calibrated (${r.calibration}, ${r.memory === 'adaptive' ? 'adaptive memory' : 'all the past'}) per strategy on this series' earlier signals whose horizon ended ≥ ${r.embargo} bars before (purged, embargoed); judged ${r.horizon} bars later; cost ${r.costBps} bps per side${timeframes.length > 1 ? `; confirmations ${timeframes.slice(1).join(', ')}` : ''}; Sharpe on bar returns, deflated for ${r.trials} strategies tried`,
    '',
    `| method | signals | hit rate | ECE (noise floor) | P(ECE ≤ ${ECE_TARGET}) if perfectly calibrated | Brier skill | avg return/signal after costs | profit factor | Sharpe | deflated Sharpe | max drawdown |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.methods.map((c) =>
      c.kind === 'buy_and_hold'
        ? `| buy and hold | 1 | – | – | – | – | total ${pct(c.avgReturnBps / 1e4)} | – | ${f(c.sharpe)} | ${f(c.deflatedSharpe)} | ${pct(c.maxDrawdown)} |`
        : `| ${c.kind === 'random' ? `  ${c.method}` : c.method} | ${c.signals} | ${pct(c.hitRate)} | ${c.kind === 'random' ? '–' : `${f(c.ece, 3)} (${f(c.eceFloor, 3)})`} | ${c.kind === 'random' ? '–' : f(c.eceTargetChance)} | ${f(c.brierSkill, 3)} | ${f(c.avgReturnBps, 1)} bps | ${f(c.profitFactor)} | ${f(c.sharpe)} | ${f(c.deflatedSharpe)} | ${pct(c.maxDrawdown)} |`,
    ),
    '',
    'reliability (stated confidence bin: signals, mean stated → realized hit rate):',
    ...strategies.map(
      (c) => `  ${c.method}: ${c.calibration.map((b) => `[${b.bucket}] ${b.n}: ${pct(b.predicted)} → ${pct(b.realized)}`).join('; ')}`,
    ),
    '',
    'accuracy–coverage (act only when confidence ≥ c: hit rate, signals, share of bars):',
    `| method | ${COVERAGE_THRESHOLDS.map((c) => (c ? `≥ ${c.toFixed(2)}` : 'all')).join(' | ')} |`,
    `|---|${COVERAGE_THRESHOLDS.map(() => '---|').join('')}`,
    ...strategies.map(
      (c) =>
        `| ${c.method} | ${c.coverage.map((p) => (p.signals ? `${pct(p.hitRate)} (${p.signals}, ${pct(p.coverage)})` : '–')).join(' | ')} |`,
    ),
  ];
  const reached = strategies.flatMap((c) =>
    c.coverage
      .filter((p) => p.signals >= 30 && p.hitRate >= 0.8)
      .map((p) => `${c.method} at ≥ ${p.threshold} (${pct(p.coverage)} of bars)`),
  );
  out.push('', `80 % hit rate (on ≥ 30 signals): ${reached.length ? reached.join('; ') : 'not reached at any threshold by any strategy'}`);
  return out.join('\n');
}

/** The suite's closing lines: the ECE target on the real series, and what perfect calibration would give. */
export function verdictText(v: CalibrationVerdict): string {
  return [
    `calibration on the real series (strategies with ≥ ${v.minSignals} signals, the control excluded): ECE ≤ ${ECE_TARGET} on ${v.atMostTarget} of ${v.pairs}; within 0.02 of the sampling floor on ${v.nearFloor} of ${v.pairs}`,
    `the same confidences, perfectly calibrated (outcomes drawn from them), would be above ${ECE_TARGET} on ${f(v.expectedAbove, 1)} of ${v.pairs} on average`,
    `forecasters stating each one's true hit rate (its realized one, under the calibrator's Beta(5, 5) prior) on every signal — perfectly calibrated, with the least sampling noise — would have ECE ≤ ${ECE_TARGET} on all ${v.pairs} with probability ${f(v.allChance, 3)}`,
  ].join('\n');
}
