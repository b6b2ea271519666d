import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { DEV_SEEDS, FAMILY_SCENARIOS, type FamilyScenario, HELD_OUT_SEEDS } from '../../fusion/family.ts';
import { evaluateFamily } from '../../fusion/family-eval.ts';
import { scoreContributorQuotes, scoreSimulatedMarket } from '../../fusion/scorecard.ts';
import { MarketSimulator } from '../../sources/simulator/index.ts';
import { readSourceRows } from '../fuse-input.ts';
import { familyTable, simulationTable } from '../fusion-report.ts';
import { progressBar, writeOut } from '../output.ts';

interface Options {
  seed: string;
  duration?: string;
  family?: boolean;
  seeds: string;
  scenarios?: string;
  maxAge: string;
  usdthb?: string;
  format: string;
}

export function registerEvaluateFusion(evaluate: Command): void {
  evaluate
    .command('fusion')
    .description(
      'score the fusion engine against the simulator truth beside mean, median, a Pyth-style aggregate and each venue; optionally on the USD/THB contributor quotes',
    )
    .option('--seed <n>', 'simulator seed', '1')
    .option('--duration <d>', 'simulated time (default 6h; with --family, 20m per feed)')
    .option(
      '--family',
      'score on the scenario family (equal/unequal noise, lag, stuck, silent, bad prints, biased pair, jumps, sparse, clock skew) instead of the simulator',
    )
    .option('--seeds <s>', 'with --family: held-out (the reported figures), dev (tuned on), or a comma list', 'held-out')
    .option('--scenarios <list>', `with --family: a comma list of ${FAMILY_SCENARIOS.join(', ')}`)
    .option('--max-age <d>', 'staleness limit', '5s')
    .option('--usdthb <file>', 'also evaluate on the USD/THB contributor quotes (../shared/data/usdthb_1997_contributor_quotes_raw.csv)')
    .option('--format <fmt>', 'table or json', 'table')
    .action(async (o: Options) => {
      const seed = Number(o.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new EmpError('BAD_ARGUMENT', `--seed must be a non-negative integer, got "${o.seed}"`);
      if (o.format !== 'table' && o.format !== 'json')
        throw new EmpError('BAD_ARGUMENT', `--format must be table or json, got "${o.format}"`);
      if (o.family) {
        await writeFamily(o);
        return;
      }
      const durationMs = parseDuration(o.duration ?? '6h');
      const sim = new MarketSimulator({ seed, durationMs });
      const progress = progressBar(Math.round(durationMs / 60_000), true, 'evaluate fusion', 'simulated min');
      const ev = scoreSimulatedMarket(sim, parseDuration(o.maxAge), `simulator seed ${seed}, ${durationMs / 3_600_000} h`, (ms) =>
        progress?.update(Math.round(ms / 60_000)),
      );
      progress?.stop();
      const thb = o.usdthb ? await evaluateUsdThb(o.usdthb) : undefined;
      if (o.format === 'json') {
        await writeOut(`${JSON.stringify({ simulation: ev, usdthb: thb })}\n`);
        return;
      }
      await writeOut(simulationTable(ev, parseDuration(o.maxAge), thb));
    });
}

function familySeeds(text: string): readonly number[] {
  if (text === 'held-out') return HELD_OUT_SEEDS;
  if (text === 'dev') return DEV_SEEDS;
  const seeds = text.split(',').map((x) => Number(x.trim()));
  if (seeds.length === 0 || seeds.some((x) => !Number.isInteger(x) || x < 0))
    throw new EmpError('BAD_ARGUMENT', `--seeds must be held-out, dev or a comma list of non-negative integers, got "${text}"`);
  return seeds;
}

function familyScenarios(text: string | undefined): readonly FamilyScenario[] {
  if (!text) return FAMILY_SCENARIOS;
  const out = text.split(',').map((x) => x.trim());
  for (const x of out)
    if (!(FAMILY_SCENARIOS as readonly string[]).includes(x))
      throw new EmpError('BAD_ARGUMENT', `unknown scenario "${x}" (expected ${FAMILY_SCENARIOS.join(', ')})`);
  return out as FamilyScenario[];
}

/** The family scorecard: one row per scenario and method, with the engine's goals checked. */
async function writeFamily(o: Options): Promise<void> {
  const seeds = familySeeds(o.seeds);
  const durationMs = parseDuration(o.duration ?? '20m');
  const scenarios = familyScenarios(o.scenarios);
  const progress = progressBar(scenarios.length * seeds.length, true, 'evaluate fusion --family', 'feeds');
  let done = 0;
  const rows = evaluateFamily(seeds, { durationMs, maxAgeMs: parseDuration(o.maxAge), scenarios, onFeed: () => progress?.update(++done) });
  progress?.stop();
  const protocol = `${rows.length} scenarios × seeds ${seeds.join(',')} (${o.seeds === 'held-out' ? 'held out: never used while tuning' : o.seeds === 'dev' ? 'the development seeds the engine was tuned on' : 'as given'}), ${durationMs / 60_000} min per feed, staleness ${parseDuration(o.maxAge)} ms; every method reads the same rows in time order (as emp fuse does) and is scored each second against the latent price; RMSE and p99 pooled over all seeds; best single source chosen after the fact per feed`;
  if (o.format === 'json') {
    await writeOut(`${JSON.stringify({ protocol, rows })}\n`);
    return;
  }
  await writeOut(familyTable(protocol, rows));
}

/** The engine on the real USD/THB contributor quotes of June 1997. */
async function evaluateUsdThb(file: string): Promise<{ protocol: string; lines: string[] }> {
  const { rows, invalid } = await readSourceRows([file], {
    timeColumn: 'XDATE',
    timeFormat: 'yyyymmddhhmm',
    sourceColumn: 'CONTRIBUTOR',
    bidColumn: 'BID',
    askColumn: 'ASK',
  });
  return scoreContributorQuotes(rows, invalid.length);
}
