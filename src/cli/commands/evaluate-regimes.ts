import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { REGIMES } from '../../core/regime.ts';
import { quantile } from '../../core/stats.ts';
import { classifySeries } from '../../regimes/classify-series.ts';
import { episodeShares, NYSE_SUMMARY_EPISODES } from '../../regimes/episodes.ts';
import { scoreOnSimulation } from '../../regimes/scorecard.ts';
import { loadBarsCsv } from '../../sources/csv.ts';
import { simulateBars } from '../../sources/simulator/index.ts';
import { progressBar, writeOut } from '../output.ts';
import { familyReport } from '../regime-family-report.ts';

interface EvaluateRegimesOptions {
  seed: string;
  count: string;
  nyse?: string;
  family?: boolean;
  seeds?: string;
  cases?: string;
  eustock?: string;
  usdchf?: string;
  tails?: string;
}

const pct0 = (x: number): string => (Number.isNaN(x) ? '–' : `${(x * 100).toFixed(0)}%`);

export function registerEvaluateRegimes(evaluate: Command): void {
  evaluate
    .command('regimes')
    .description(
      'score the regime classifier on simulated bars with planted regimes (daily and 1-minute), and show where it places known episodes of the NYSE composite',
    )
    .option('--seed <n>', 'simulator seed', '1')
    .option('--count <n>', 'bars per simulation', '5000')
    .option('--nyse <file>', 'NYSE composite daily closes (../shared/data/nyse_composite_1966_2003_daily.csv)')
    .option('--family', 'score on the planted-regime family (held-out seeds) beside the oracle and baselines, then real history (--nyse)')
    .option('--seeds <list>', "with --family: 'heldout' (default), 'tuning', or seeds such as 1001,1002")
    .option('--cases <ids>', 'with --family: only these parameterisations (comma-separated ids)')
    .option('--eustock <file>', 'with --family: EuStockMarkets closes (../shared/data/eustockmarkets_1991_1998_daily_raw.csv)')
    .option('--usdchf <file>', 'with --family: USD/CHF 30-minute prices (../shared/data/usdchf_1996_2001_30min.csv)')
    .option(
      '--tails <nu>',
      'with --family: the adaptive classifier also reads each regime as fat-tailed (Student t, nu degrees of freedom), as emp regimes --tails',
    )
    .action(async (opts: EvaluateRegimesOptions) => {
      if (opts.tails !== undefined && !opts.family) throw new EmpError('BAD_ARGUMENT', '--tails goes with --family');
      if (opts.family) {
        await writeOut(`${(await familyReport(opts)).join('\n')}\n`);
        return;
      }
      const seed = Number(opts.seed);
      const count = Number(opts.count);
      if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 100)
        throw new EmpError('BAD_ARGUMENT', '--seed must be an integer and --count an integer ≥ 100');
      const out: string[] = [
        `protocol: simulateBars seed ${seed}, ${count} bars each; classifiers see closes, or OHLCV where stated, causally (filtered probabilities, label with hysteresis); truth = the planted regime per bar. Trained models (hmm, jump) learn from simulation seed+100 (20,000 bars) of the same timeframe. Baseline: a volatility-only rule (high_volatility when 20-bar realized vol > 2× its expanding median, crash when also down > 3 sd over 5 bars, else sideways).`,
        '',
      ];
      // Seconds of fitting with nothing to show: a progress bar on a terminal (models fitted).
      const progress = progressBar(10, true, 'evaluate regimes', 'models');
      for (const card of scoreOnSimulation(simulateBars, { seed, count, onModel: (done) => progress?.update(done) })) {
        out.push(
          `### ${card.timeframe} bars`,
          '',
          '| classifier | balanced accuracy | detection delay median (bars) | p90 | changes missed | crash recall |',
          '|---|---|---|---|---|---|',
        );
        for (const { name, score: sc } of card.rows) {
          out.push(
            `| ${name} | ${(sc.balancedAccuracy * 100).toFixed(1)}% | ${quantile(sc.delays, 0.5)} | ${quantile(sc.delays, 0.9)} | ${sc.missed} of ${sc.delays.length + sc.missed} | ${pct0(sc.recall.crash)} |`,
          );
        }
        const cp = card.changePoints;
        const ours = (card.rows[0] as (typeof card.rows)[number]).score;
        out.push(
          '',
          `BOCPD on returns (change points, not labels): ${cp.reported} reported; of ${cp.changes} true changes ${cp.detected} detected (median delay ${quantile(cp.delays, 0.5)}, p90 ${quantile(cp.delays, 0.9)} bars); ${cp.falseAlarms} reported starts not within 10 bars of a true change.`,
          '',
          `confusion (default; rows true, columns predicted: ${REGIMES.join(', ')}):`,
          '',
        );
        for (const [i, row] of ours.confusion.entries())
          out.push(`  ${(REGIMES[i] as string).padEnd(16)} ${row.map((v) => String(v).padStart(6)).join('')}`);
        out.push('', `recall (default): ${REGIMES.map((r) => `${r} ${pct0(ours.recall[r])}`).join(', ')}`, '');
      }
      if (opts.nyse) {
        const s = await loadBarsCsv(opts.nyse, { onDisorder: 'drop' });
        const labels = classifySeries(s).regime;
        out.push('### NYSE composite 1966-2003 (real): share of days labelled bear, crash or high_volatility', '');
        for (const { episode: e, bars, counts } of episodeShares(s.time, labels, NYSE_SUMMARY_EPISODES)) {
          const bad = counts.bear + counts.crash + counts.high_volatility;
          out.push(
            `- ${e.name} (${e.from} .. ${e.to}, ${bars} days): ${((bad / Math.max(1, bars)) * 100).toFixed(0)}% bear/crash/high_volatility, ${counts.crash} days crash`,
          );
        }
        out.push('');
      }
      progress?.stop();
      await writeOut(`${out.join('\n')}\n`);
    });
}
