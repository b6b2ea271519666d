/** `emp evaluate fusion` tables: the simulator scorecard and the scenario family's. */
import type { FamilyRow } from '../fusion/family-eval.ts';
import { engineGoalMisses, type GoalMiss, referenceRmse } from '../fusion/family-goals.ts';
import type { FusionEvaluation } from '../fusion/scorecard.ts';

const pct1 = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The simulator scorecard, then the USD/THB lines when given. */
export function simulationTable(ev: FusionEvaluation, maxAgeMs: number, thb?: { protocol: string; lines: string[] }): string {
  const best = Math.min(...ev.methods.filter((m) => m.method.startsWith('venue')).map((m) => m.meanBps));
  const lines = [
    `protocol: ${ev.protocol}`,
    '',
    `| method | mean error (bps) | p99 error (bps) | ÷ best venue | CI coverage | bad prints passed (of ${ev.badPrints}) |`,
    '|---|---|---|---|---|---|',
    ...ev.methods.map(
      (m) =>
        `| ${m.method} | ${m.meanBps.toFixed(3)} | ${m.p99Bps.toFixed(2)} | ${(m.meanBps / best).toFixed(2)} | ${m.coverage === null ? '–' : pct1(m.coverage)} | ${m.badPrintsPassed} |`,
    ),
    '',
    `frozen venues (${ev.freezes.length}): time the engine kept using a frozen venue after its first frozen quote: max ${ev.frozenFollowedMaxMs.toFixed(0)} ms, median ${ev.frozenFollowedMedianMs.toFixed(0)} ms (staleness limit ${maxAgeMs} ms)`,
  ];
  if (thb) lines.push('', `USD/THB contributor quotes (${thb.protocol}):`, ...thb.lines);
  return `${lines.join('\n')}\n`;
}

const missText = (m: GoalMiss): string =>
  m.goal === 'coverage'
    ? `coverage ${pct1(m.coverage)} outside ${Math.round(m.limits[0] * 100)}–${Math.round(m.limits[1] * 100)}%`
    : `÷ ${m.goal} ${m.ratio.toFixed(2)} > ${m.limit.toFixed(2)}`;

/** One row per scenario and method, then the engine against its goals. */
export function familyTable(protocol: string, rows: readonly FamilyRow[]): string {
  const fmt = (x: number | undefined, d = 3): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const lines = [
    `protocol: ${protocol}`,
    '',
    '| scenario | method | RMSE (bps) | p99 (bps) | ÷ oracle | ÷ median | ÷ best single | 95 % coverage |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const verdicts: string[] = [];
  for (const r of rows) {
    const { oracle, median, best } = referenceRmse(r);
    for (const m of r.scores) {
      lines.push(
        `| ${r.scenario} | ${m.method} | ${fmt(m.rmseBps)} | ${fmt(m.p99Bps, 2)} | ${fmt(oracle ? m.rmseBps / oracle : undefined, 2)} | ${fmt(median ? m.rmseBps / median : undefined, 2)} | ${fmt(best ? m.rmseBps / best : undefined, 2)} | ${m.coverage === null ? '–' : pct1(m.coverage)} |`,
      );
    }
    const misses = engineGoalMisses(r);
    if (misses) verdicts.push(`${r.scenario}: ${misses.length ? `MISSES ${misses.map(missText).join('; ')}` : 'meets every goal'}`);
    if (r.halfMoveMs)
      verdicts.push(
        `${r.scenario}: time to reflect half of each of ${r.halfMoveMs.jumps} jumps (median): engine ${r.halfMoveMs.engine} ms, plain median ${r.halfMoveMs.median} ms, the median single source ${r.halfMoveMs.singleSource} ms (engine ÷ single ${(r.halfMoveMs.engine / r.halfMoveMs.singleSource).toFixed(2)}; goal ≤ 0.50)`,
      );
  }
  lines.push(
    '',
    'engine against the goals (RMSE ≤ 0.9× median, ≤ 1.25× oracle, ≤ 1.1× best single source; coverage 92–97 %):',
    ...verdicts.map((v) => `  ${v}`),
  );
  return `${lines.join('\n')}\n`;
}
