import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { REGIMES } from '../../core/regime.ts';
import { formatIso } from '../../core/time.ts';
import { returnChangePoints } from '../../regimes/bocpd.ts';
import { adaptiveState, classifySeries, smoothClassification } from '../../regimes/classify-series.ts';
import { REGIME_METHODS, type RegimeMethod, regimeModel } from '../../regimes/model-choice.ts';
import { trendAndVolatility } from '../../regimes/trend.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { adaptiveTails } from '../options.ts';
import { parseFormat, writeOut } from '../output.ts';

interface RegimesOptions extends CsvInputOptions {
  method: string;
  smoothed?: boolean;
  tails?: string;
  format: string;
}

export function registerRegimes(program: Command): void {
  addCsvInputOptions(
    program
      .command('regimes')
      .description(
        'market regime per bar (bull, bear, sideways, high_volatility, crash, recovery) with probabilities, changes and the transition matrix; causal',
      )
      .option(
        '--method <name>',
        `classifier: ${REGIME_METHODS.join(', ')} (auto: adaptive, calibrated on the file itself; see README)`,
        'auto',
      )
      .option('--smoothed', 'smoothed (two-sided, not causal) probabilities and labels: hmm and hmm-fit only')
      .option(
        '--tails <nu>',
        'adaptive: also read each regime as fat-tailed (Student t, nu degrees of freedom above 2, e.g. 5), weighed against Gaussian by evidence (see README)',
      )
      .option('--format <fmt>', 'csv (per bar) or json (also the transition matrix, changes, change points)', 'csv'),
  ).action(async (opts: RegimesOptions) => {
    const format = parseFormat(opts.format, ['json', 'csv']);
    if (!(REGIME_METHODS as readonly string[]).includes(opts.method))
      throw new EmpError('BAD_ARGUMENT', `unknown --method "${opts.method}" (available: ${REGIME_METHODS.join(', ')})`);
    const method = opts.method as RegimeMethod;
    const adaptive = adaptiveTails(opts.tails);
    if (opts.tails !== undefined && method !== 'adaptive' && method !== 'auto')
      throw new EmpError('BAD_ARGUMENT', `--tails is an option of the adaptive classifier, not of ${method}`);
    const s = await loadInput(opts);
    if (method === 'auto')
      process.stderr.write('emp: regimes: --method auto chose adaptive (a six-state HMM calibrated on the file itself)\n');
    // The trained methods (hmm, jump) learn from the simulator's planted regimes.
    const model = regimeModel(method, s, simulateBars, undefined, adaptive);
    if (opts.smoothed && !model.hmm)
      throw new EmpError('BAD_ARGUMENT', `--smoothed needs a two-sided model (--method hmm or hmm-fit); ${method} is causal only here`);
    const r = classifySeries(s, model.make);
    if (opts.smoothed && model.hmm) smoothClassification(r, model.hmm, s);
    if (format === 'json') {
      const axes = trendAndVolatility(s.close);
      await writeOut(
        `${JSON.stringify({
          time: Array.from(s.time, formatIso),
          regime: r.regime,
          probabilities: r.probabilities,
          trend: Array.from(axes.trend, (x) => (Number.isNaN(x) ? null : Math.round(x * 1e4) / 1e4)),
          volatilityRegime: axes.volatilityRegime,
          ...adaptiveState(r.classifier),
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
}
