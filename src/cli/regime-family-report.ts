/** `emp evaluate regimes --family`: the family table, the forecast table, then real history. */
import { EmpError } from '../core/errors.ts';
import { REGIMES } from '../core/regime.ts';
import { quantile } from '../core/stats.ts';
import { AdaptiveRegimeClassifier } from '../regimes/adaptive.ts';
import { volatilityRule } from '../regimes/baseline.ts';
import { RegimeClassifier } from '../regimes/classifier.ts';
import { classifySeries } from '../regimes/classify-series.ts';
import { changesPerYear, EUSTOCK_EPISODES, NYSE_EPISODES } from '../regimes/episodes.ts';
import { FAMILY, FAMILY_HELDOUT_SEEDS, FAMILY_TUNING_SEEDS } from '../regimes/family.ts';
import { FAMILY_METHODS } from '../regimes/family-eval.ts';
import { scoreFamily } from '../regimes/family-scorecard.ts';
import { checkEpisodes, type EpisodeCheck, labelShares } from '../regimes/history.ts';
import { loadBarsCsv } from '../sources/csv.ts';
import { loadFractionalYearCloses } from '../sources/fractional-year.ts';
import { adaptiveTails } from './options.ts';

const pct = (x: number): string => (Number.isNaN(x) ? '–' : (100 * x).toFixed(1));

export async function familyReport(opts: {
  seeds?: string;
  cases?: string;
  nyse?: string;
  eustock?: string;
  usdchf?: string;
  tails?: string;
}): Promise<string[]> {
  const options = adaptiveTails(opts.tails);
  const adaptive = (): AdaptiveRegimeClassifier => new AdaptiveRegimeClassifier(options);
  const seedsOpt = opts.seeds ?? 'heldout';
  const seeds =
    seedsOpt === 'heldout'
      ? [...FAMILY_HELDOUT_SEEDS]
      : seedsOpt === 'tuning'
        ? [...FAMILY_TUNING_SEEDS]
        : seedsOpt.split(',').map((x) => Number(x));
  if (seeds.some((x) => !Number.isInteger(x)))
    throw new EmpError('BAD_ARGUMENT', `--seeds: "${seedsOpt}" is not heldout, tuning or a list of integers`);
  const ids = opts.cases?.split(',');
  const cases = ids ? FAMILY.filter((c) => ids.includes(c.id)) : FAMILY;
  if (ids && cases.length !== ids.length)
    throw new EmpError('BAD_ARGUMENT', `--cases: unknown id among "${opts.cases}" (known: ${FAMILY.map((c) => c.id).join(', ')})`);
  const out: string[] = [
    `protocol: planted-regime family (src/regimes/family.ts), seeds ${seeds.join(', ')}${seedsOpt === 'heldout' ? ' (held out: never used while developing the classifier)' : ''}; each series scored bar by bar against its planted regimes; balanced accuracy (mean recall over the regimes present), mean over seeds. adaptive = the default classifier (per-series calibration, causal, labels with hysteresis)${opts.tails === undefined ? '' : `, its regimes read as Gaussian or Student t with ${opts.tails} degrees of freedom (--tails)`}; oracle = forward filter of the true model (Bayes-optimal causal, argmax); volatility rule = the simplest baseline; template filter = the fixed-template filter (the former close-only default); scale-free oracle = the oracle without the scale of the returns, the level of the volume or the starting regime, integrated out (the ceiling for a classifier that reads each series in its own units).`,
    '',
    `| parameterisation | bars | ${FAMILY_METHODS.join(' | ')} | adaptive − oracle | crash delay (median bars) | crashes caught |`,
    `|---|---|${FAMILY_METHODS.map(() => '---|').join('')}---|---|---|`,
  ];
  const card = scoreFamily(cases, seeds, (c) => process.stderr.write(`family: ${c.id} done\n`), options);
  for (const r of card.cases) {
    const [ours, oracle] = r.balancedAccuracy as [number, number];
    out.push(
      `| ${r.case.id}: ${r.case.description} | ${r.case.bars} | ${r.balancedAccuracy.map(pct).join(' | ')} | ${ours - oracle >= 0 ? '+' : '−'}${pct(Math.abs(ours - oracle))} | ${r.crashDelays.length ? quantile(r.crashDelays, 0.5) : '–'} | ${r.crashesCaught} of ${r.crashes} |`,
    );
  }
  const f = (x: number): string => x.toFixed(3);
  out.push(
    `| **mean** | | ${FAMILY_METHODS.map((m) => `**${pct(card.means[m])}**`).join(' | ')} | ${pct(card.means.adaptive - card.means.oracle)} | ${quantile(card.crashDelays, 0.5)} (per-case medians) | |`,
    '',
    "(balanced accuracy in %; crash delay: bars from a planted crash's first bar to the adaptive classifier's first crash label, crashes it labelled before they ended)",
    '',
    "### Regime forecast (adaptive: the profile grid's Bayes predictive h bars ahead), same series",
    '',
    "Scored against the planted regime h bars ahead on every calibrated bar; climatology = each regime's share of the series' planted bars (knows the whole mix: optimistic); persistence = today's filtered probabilities unchanged. Lower is better.",
    '',
    '| h (bars) | log loss: adaptive | climatology | persistence | Brier: adaptive | climatology | persistence | series where adaptive beats climatology (log loss) |',
    '|---|---|---|---|---|---|---|---|',
    ...card.forecast.map(
      ({ h, logLoss: l, brier: b, wins }) =>
        `| ${h} | ${f(l.adaptive)} | ${f(l.climatology)} | ${f(l.persistence)} | ${f(b.adaptive)} | ${f(b.climatology)} | ${f(b.persistence)} | ${wins} of ${card.series} |`,
    ),
    '',
  );
  if (opts.nyse) {
    const s = await loadBarsCsv(opts.nyse, { onDisorder: 'drop' });
    out.push(
      '### NYSE composite 1966-2003 (real): share of each episode labelled as fits',
      '',
      `fits: bull market → bull or recovery; bear market → bear, crash or high_volatility; crash → crash or high_volatility.`,
      '',
      `| episode | classifier | fits | ${REGIMES.join(' | ')} |`,
      `|---|---|---|${REGIMES.map(() => '---|').join('')}`,
    );
    const checks = checkEpisodes(s, NYSE_EPISODES, [
      ['adaptive (default)', adaptive],
      ['template filter', () => new RegimeClassifier()],
    ]);
    for (const c of checks)
      for (const e of c.episodes)
        out.push(
          `| ${e.episode.name} (${e.episode.from} .. ${e.episode.to}, ${e.bars} days) | ${c.classifier} | **${pct(e.fits)}** | ${REGIMES.map((r) => pct(e.shares[r])).join(' | ')} |`,
        );
    const churn = [
      ...checks.map((c) => `${c.classifier} ${c.changesPerYear.toFixed(1)}`),
      `volatility rule ${changesPerYear(s.time, volatilityRule(s.close)).toFixed(1)}`,
    ];
    out.push('', `label changes per year over 1966-2003: ${churn.join('; ')}`, '');
  }
  if (opts.eustock) {
    out.push(
      '### EuStockMarkets 1991-1998 (real; dates from fractional years, to within about a week): adaptive classifier',
      '',
      `| index | episode | days | fits | ${REGIMES.join(' | ')} | label changes a year |`,
      `|---|---|---|---|${REGIMES.map(() => '---|').join('')}---|`,
    );
    for (const [name, s] of Object.entries(await loadFractionalYearCloses(opts.eustock))) {
      const c = checkEpisodes(s, EUSTOCK_EPISODES, [['adaptive', adaptive]])[0] as EpisodeCheck;
      for (const e of c.episodes)
        out.push(
          `| ${name} | ${e.episode.name} (${e.episode.from} .. ${e.episode.to}) | ${e.bars} | **${pct(e.fits)}** | ${REGIMES.map((r) => pct(e.shares[r])).join(' | ')} | ${c.changesPerYear.toFixed(1)} |`,
        );
    }
    out.push('');
  }
  if (opts.usdchf) {
    const s = await loadBarsCsv(opts.usdchf, { onDisorder: 'drop' });
    const labels = classifySeries(s, adaptive).regime;
    const shares = labelShares(labels);
    out.push(
      `### USD/CHF every 30 minutes 1996-2001 (real, ${labels.length} bars): no dated episodes; label shares ${REGIMES.map((r) => `${r} ${pct(shares[r])}`).join(', ')} (%); label changes ${changesPerYear(s.time, labels).toFixed(1)} a year`,
      '',
    );
  }
  return out;
}
