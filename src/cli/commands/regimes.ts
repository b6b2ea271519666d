import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import type { BarSeries } from '../../core/market.ts';
import { REGIMES, type Regime } from '../../core/regime.ts';
import { formatIso } from '../../core/time.ts';
import { type ChangePoint, returnChangePoints } from '../../regimes/bocpd.ts';
import { quantile, scoreRegimes } from '../../regimes/evaluate.ts';
import {
  HmmRegimeClassifier,
  type RegimeHmm,
  smoothedRegimeProbabilities,
  trainLabelledRegimeHmm,
  trainRegimeHmm,
} from '../../regimes/hmm-classifier.ts';
import { type OnlineRegimeClassifier, RegimeClassifier } from '../../regimes/index.ts';
import { fitJumpModel, JumpRegimeClassifier } from '../../regimes/jump-model.ts';
import { loadBarsCsv } from '../../sources/csv.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { parseFormat, writeOut } from '../output.ts';

export const REGIME_METHODS = ['auto', 'filter', 'hmm', 'hmm-fit', 'jump'] as const;
export type RegimeMethod = (typeof REGIME_METHODS)[number];

/** Training simulations: 20,000 bars, seed 101 (the evaluation never scores that seed). */
const TRAINING_BARS = 20_000;

/** The training simulation, made once per timeframe and seed (the evaluation trains several models on it). */
const trainingRuns = new Map<string, ReturnType<typeof simulateBars>>();
function trainingSimulation(timeframe: '1d' | '1m', seed: number): ReturnType<typeof simulateBars> {
  const key = `${timeframe}:${seed}`;
  let run = trainingRuns.get(key);
  if (!run) {
    run = simulateBars({ symbol: 'X-USD', timeframe, count: TRAINING_BARS, seed });
    trainingRuns.set(key, run);
  }
  return run;
}

/** Bars with a range and a volume can use the per-bar features; close-only files cannot. */
const hasBars = (s: BarSeries): boolean => s.hasOhlc && s.hasVolume;

/** Daily-like or intraday-like, from the median spacing of the bars: picks the training simulation. */
function trainingTimeframe(s: BarSeries): '1d' | '1m' {
  const gaps: number[] = [];
  for (let i = 1; i < Math.min(s.time.length, 1000); i++) gaps.push((s.time[i] as number) - (s.time[i - 1] as number));
  return quantile(gaps, 0.5) >= 4 * 3_600_000 ? '1d' : '1m';
}

/**
 * The models behind each method. `hmm` and `jump` are trained on a simulation with planted
 * regimes (seed 101 unless told, never the one scored; daily or 1-minute model after the file's
 * bar spacing) and read any file through features scaled by the instrument's own history; `hmm`
 * uses the per-bar OHLCV features when the file has them. `hmm-fit` runs Baum-Welch on the file
 * itself (states named by template). `auto`: `hmm` on OHLCV files, `filter` on close-only ones
 * (what wins `emp evaluate regimes` for each kind of input).
 */
export function regimeClassifier(
  method: RegimeMethod,
  s: BarSeries,
  training: { timeframe: '1d' | '1m'; seed: number } = { timeframe: trainingTimeframe(s), seed: 101 },
): { make: () => OnlineRegimeClassifier; hmm?: RegimeHmm } {
  const m = method === 'auto' ? (hasBars(s) ? 'hmm' : 'filter') : method;
  if (m === 'filter') return { make: () => new RegimeClassifier() };
  if (m === 'hmm-fit') {
    const hmm = trainRegimeHmm(s.close);
    return { make: () => new HmmRegimeClassifier(hmm), hmm };
  }
  const train = trainingSimulation(training.timeframe, training.seed);
  if (m === 'hmm') {
    const hmm = trainLabelledRegimeHmm(train.bars, train.regime, hasBars(s) ? 'bar' : 'close');
    return { make: () => new HmmRegimeClassifier(hmm), hmm };
  }
  const jump = fitJumpModel(train.bars.close, { lambda: 5, truth: train.regime });
  return { make: () => new JumpRegimeClassifier(jump) };
}

/** Runs the online classifier over a series: causal labels, probabilities, changes, transitions. */
export function classifySeries(
  s: BarSeries,
  make: () => OnlineRegimeClassifier = () => new RegimeClassifier(),
): {
  regime: Regime[];
  probabilities: Record<Regime, number[]>;
  changes: { time: number; from: Regime; to: Regime; probability: number }[];
  transitionMatrix: { labels: Regime[]; matrix: number[][] };
} {
  const c = make();
  const regime: Regime[] = [];
  const probabilities = Object.fromEntries(REGIMES.map((r) => [r, [] as number[]])) as Record<Regime, number[]>;
  const changes: { time: number; from: Regime; to: Regime; probability: number }[] = [];
  let prev: Regime | undefined;
  const bar: { close: number; high?: number; low?: number; volume?: number } = { close: 0 };
  for (let i = 0; i < s.close.length; i++) {
    bar.close = s.close[i] as number;
    if (s.hasOhlc) {
      bar.high = s.high[i] as number;
      bar.low = s.low[i] as number;
    }
    if (s.hasVolume) bar.volume = s.volume[i] as number;
    const o = c.update(bar);
    regime.push(o.regime);
    for (const [k, r] of REGIMES.entries()) probabilities[r].push(o.probabilities[k] as number);
    if (o.changed && prev !== undefined)
      changes.push({
        time: s.time[i] as number,
        from: prev,
        to: o.regime,
        probability: o.probabilities[REGIMES.indexOf(o.regime)] as number,
      });
    prev = o.regime;
  }
  return { regime, probabilities, changes, transitionMatrix: c.transitionMatrix() };
}

interface RegimesOptions extends CsvInputOptions {
  method: string;
  smoothed?: boolean;
  format: string;
}

export function registerRegimes(program: Command, evaluate: Command): void {
  addCsvInputOptions(
    program
      .command('regimes')
      .description(
        'market regime per bar (bull, bear, sideways, high_volatility, crash, recovery) with probabilities, changes and the transition matrix; causal',
      )
      .option(
        '--method <name>',
        `classifier: ${REGIME_METHODS.join(', ')} (auto: hmm when the file has OHLC and volume, else filter; see README)`,
        'auto',
      )
      .option('--smoothed', 'smoothed (two-sided, not causal) probabilities and labels: hmm and hmm-fit only')
      .option('--format <fmt>', 'json or csv', 'json'),
  ).action(async (opts: RegimesOptions) => {
    const format = parseFormat(opts.format, ['json', 'csv']);
    if (!(REGIME_METHODS as readonly string[]).includes(opts.method))
      throw new EmpError('BAD_ARGUMENT', `unknown --method "${opts.method}" (available: ${REGIME_METHODS.join(', ')})`);
    const method = opts.method as RegimeMethod;
    const s = await loadInput(opts);
    const model = regimeClassifier(method, s);
    if (opts.smoothed && !model.hmm)
      throw new EmpError(
        'BAD_ARGUMENT',
        `--smoothed needs a two-sided model (--method hmm or hmm-fit, or auto on an OHLCV file); ${method} is causal only here`,
      );
    const r = classifySeries(s, model.make);
    if (opts.smoothed && model.hmm) {
      // Two-sided: each bar's label is its most probable regime given the whole file.
      const sm = smoothedRegimeProbabilities(model.hmm, s);
      sm.forEach((p, i) => {
        if (Number.isNaN(p[0])) return;
        for (const [k, x] of REGIMES.entries()) (r.probabilities[x] as number[])[i] = p[k] as number;
        r.regime[i] = REGIMES[p.indexOf(Math.max(...p))] as Regime;
      });
      r.changes = [];
      for (let i = 1; i < s.close.length; i++)
        if (r.regime[i] !== r.regime[i - 1])
          r.changes.push({
            time: s.time[i] as number,
            from: r.regime[i - 1] as Regime,
            to: r.regime[i] as Regime,
            probability: r.probabilities[r.regime[i] as Regime][i] as number,
          });
    }
    if (format === 'json') {
      await writeOut(
        `${JSON.stringify({
          time: Array.from(s.time, formatIso),
          regime: r.regime,
          probabilities: r.probabilities,
          transitionMatrix: r.transitionMatrix,
          changes: r.changes.map((c) => ({ ...c, time: formatIso(c.time) })),
          changePoints: returnChangePoints(s.close).map((c) => ({
            detected: formatIso(s.time[c.detectedAt] as number),
            start: formatIso(s.time[c.start] as number),
            probability: c.probability,
          })),
        })}\n`,
      );
      return;
    }
    const lines = [`time,regime,${REGIMES.map((x) => `p_${x}`).join(',')}`];
    for (let i = 0; i < s.close.length; i++) {
      lines.push(
        `${formatIso(s.time[i] as number)},${r.regime[i]},${REGIMES.map((x) => (r.probabilities[x][i] as number).toFixed(6)).join(',')}`,
      );
    }
    await writeOut(`${lines.join('\n')}\n`);
  });

  evaluate
    .command('regimes')
    .description(
      'score the regime classifier on simulated bars with planted regimes (daily and 1-minute), and show where it places known episodes of the NYSE composite',
    )
    .option('--seed <n>', 'simulator seed', '1')
    .option('--count <n>', 'bars per simulation', '5000')
    .option('--nyse <file>', 'NYSE composite daily closes (../shared/data/nyse_composite_1966_2003_daily.csv)')
    .action(async (opts: { seed: string; count: string; nyse?: string }) => {
      const seed = Number(opts.seed);
      const count = Number(opts.count);
      if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 100)
        throw new EmpError('BAD_ARGUMENT', '--seed must be an integer and --count an integer ≥ 100');
      const out: string[] = [
        `protocol: simulateBars seed ${seed}, ${count} bars each; classifiers see closes, or OHLCV where stated, causally (filtered probabilities, label with hysteresis); truth = the planted regime per bar. Trained models (hmm, jump) learn from simulation seed+100 (20,000 bars) of the same timeframe. Baseline: a volatility-only rule (high_volatility when 20-bar realized vol > 2× its expanding median, crash when also down > 3 sd over 5 bars, else sideways).`,
        '',
      ];
      for (const tf of ['1d', '1m'] as const) {
        const sim = simulateBars({ symbol: 'X-USD', timeframe: tf, count, seed });
        // Trained models learn from another simulation of the same timeframe, never the one scored.
        const training = { timeframe: tf, seed: seed + 100 };
        const closeOnly: BarSeries = { ...sim.bars, hasOhlc: false, hasVolume: false };
        const rows: [string, RegimeMethod, BarSeries][] = [
          ['hmm, OHLCV features (auto on OHLCV files)', 'hmm', sim.bars],
          ['filter, closes (auto on close-only files)', 'filter', sim.bars],
          ['hmm, closes only', 'hmm', closeOnly],
          ['hmm-fit: Baum-Welch on the scored closes (plain HMM baseline)', 'hmm-fit', sim.bars],
          ['jump: statistical jump model on closes, λ = 5', 'jump', sim.bars],
        ];
        const scores = rows.map(([name, m, series]) => {
          const model = regimeClassifier(m, series, training);
          return { name, sc: scoreRegimes(sim.regime, classifySeries(series, model.make).regime) };
        });
        const ours = (scores[0] as (typeof scores)[number]).sc;
        scores.push({ name: 'volatility rule (baseline)', sc: scoreRegimes(sim.regime, volatilityRule(sim.bars.close)) });
        out.push(
          `### ${tf} bars`,
          '',
          '| classifier | balanced accuracy | detection delay median (bars) | p90 | changes missed | crash recall |',
          '|---|---|---|---|---|---|',
        );
        for (const { name, sc } of scores) {
          out.push(
            `| ${name} | ${(sc.balancedAccuracy * 100).toFixed(1)}% | ${quantile(sc.delays, 0.5)} | ${quantile(sc.delays, 0.9)} | ${sc.missed} of ${sc.delays.length + sc.missed} | ${Number.isNaN(sc.recall.crash) ? '–' : `${(sc.recall.crash * 100).toFixed(0)}%`} |`,
          );
        }
        const cps = returnChangePoints(sim.bars.close);
        const cpScore = scoreChangePoints(sim.regime, cps);
        out.push(
          '',
          `BOCPD on returns (change points, not labels): ${cps.length} reported; of ${cpScore.changes} true changes ${cpScore.detected} detected (median delay ${quantile(cpScore.delays, 0.5)}, p90 ${quantile(cpScore.delays, 0.9)} bars); ${cpScore.falseAlarms} reported starts not within 10 bars of a true change.`,
        );
        out.push('', `confusion (default; rows true, columns predicted: ${REGIMES.join(', ')}):`, '');
        for (const [i, row] of ours.confusion.entries())
          out.push(`  ${(REGIMES[i] as string).padEnd(16)} ${row.map((v) => String(v).padStart(6)).join('')}`);
        out.push(
          '',
          `recall (default): ${REGIMES.map((r) => `${r} ${Number.isNaN(ours.recall[r]) ? '–' : `${(ours.recall[r] * 100).toFixed(0)}%`}`).join(', ')}`,
          '',
        );
      }
      if (opts.nyse) {
        const s = await loadBarsCsv(opts.nyse, { onDisorder: 'drop' });
        const r = classifySeries(s);
        out.push('### NYSE composite 1966-2003 (real): share of days labelled bear, crash or high_volatility', '');
        const episodes: [string, string, string][] = [
          ['1973-74 bear market', '1973-01-11', '1974-10-03'],
          ['October 1987 crash', '1987-10-14', '1987-10-30'],
          ['2000-02 bear market', '2000-09-01', '2002-10-09'],
          ['1995-99 bull market (contrast)', '1995-01-03', '1999-12-31'],
        ];
        for (const [name, from, to] of episodes) {
          const a = Date.parse(from);
          const b = Date.parse(to);
          const idx = Array.from(s.time.keys()).filter((i) => (s.time[i] as number) >= a && (s.time[i] as number) <= b);
          const bad = idx.filter((i) => ['bear', 'crash', 'high_volatility'].includes(r.regime[i] as string)).length;
          const crash = idx.filter((i) => r.regime[i] === 'crash').length;
          out.push(
            `- ${name} (${from} .. ${to}, ${idx.length} days): ${((bad / Math.max(1, idx.length)) * 100).toFixed(0)}% bear/crash/high_volatility, ${crash} days crash`,
          );
        }
        out.push('');
      }
      await writeOut(`${out.join('\n')}\n`);
    });
}

/** Change points against planted regime changes: delays to the first report, and starts far from any change. */
function scoreChangePoints(
  truth: readonly Regime[],
  cps: readonly ChangePoint[],
): { changes: number; detected: number; delays: number[]; falseAlarms: number } {
  const changes: number[] = [];
  for (let i = 1; i < truth.length; i++) if (truth[i] !== truth[i - 1]) changes.push(i);
  const delays: number[] = [];
  changes.forEach((t, j) => {
    const until = changes[j + 1] ?? truth.length;
    const hit = cps.find((c) => c.detectedAt >= t && c.detectedAt < until);
    if (hit) delays.push(hit.detectedAt - t);
  });
  const falseAlarms = cps.filter((c) => !changes.some((t) => Math.abs(c.start - t) <= 10)).length;
  return { changes: changes.length, detected: delays.length, delays, falseAlarms };
}

/** The baseline: volatility alone, no drift, no persistence model. */
function volatilityRule(close: ArrayLike<number>): Regime[] {
  const out: Regime[] = [];
  const vols: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < close.length; i++) {
    r.push(i ? Math.log((close[i] as number) / (close[i - 1] as number)) : 0);
    const w = r.slice(-20);
    const vol = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
    vols.push(vol);
    const med = quantile(vols, 0.5);
    const drop5 = r.slice(-5).reduce((a, x) => a + x, 0);
    if (i >= 20 && vol > 2 * med) out.push(drop5 < -3 * med * Math.sqrt(5) ? 'crash' : 'high_volatility');
    else out.push('sideways');
  }
  return out;
}
