import type { Command } from 'commander';
import { EmpError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { meanAggregate, medianAggregate, type Observation, pythAggregate } from '../../fusion/baselines.ts';
import { FusionEngine } from '../../fusion/engine.ts';
import { DEV_SEEDS, FAMILY_SCENARIOS, type FamilyScenario, HELD_OUT_SEEDS } from '../../fusion/family.ts';
import { evaluateFamily } from '../../fusion/family-eval.ts';
import { type Fault, MarketSimulator, type SimRecord } from '../../sources/simulator/index.ts';
import { readSourceRows } from '../fuse-input.ts';
import { writeOut } from '../output.ts';

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

export interface MethodScore {
  method: string;
  meanBps: number;
  p99Bps: number;
  /** Share of grid points where |fused − truth| ≤ the stated confidence half-width (methods that state one). */
  coverage: number | null;
  badPrintsPassed: number;
}

export interface FusionEvaluation {
  protocol: string;
  methods: MethodScore[];
  badPrints: number;
  freezes: { venue: string; symbol: string; durationMs: number; followedMs: number }[];
}

const sortedQuantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number) : Number.NaN;
};

/**
 * Replays a simulated market through the engine and the baselines, scoring each against the
 * latent price on a 1-second grid (error in bps), counting injected bad prints that moved the
 * aggregate by a fifth of their size or more (what a plain mean of five does), and measuring
 * how long the engine kept using a frozen venue.
 */
export function evaluateFusion(seed: number, durationMs: number, maxAgeMs: number): FusionEvaluation {
  const sim = new MarketSimulator({ seed, durationMs });
  const truth = new Map<string, number>();
  for (const p of sim.truth()) truth.set(`${p.symbol}@${p.ts}`, p.price);
  const truthAt = (symbol: string, t: number): number | undefined =>
    truth.get(`${symbol}@${sim.config.start + Math.floor((t - sim.config.start) / 1000) * 1000}`);
  const engine = new FusionEngine({ maxAgeMs });
  const venues = sim.config.venues.map((v) => v.name);
  const symbols = sim.config.instruments.map((i) => i.symbol);
  const obs = new Map<string, Map<string, Observation>>(symbols.map((s) => [s, new Map()]));
  const errors = new Map<string, number[]>();
  const covered = new Map<string, [number, number]>();
  const passed = new Map<string, number>();
  const add = (m: string, v: number, tr: number): number => {
    if (!Number.isFinite(v)) return Number.NaN;
    const e = Math.abs(v / tr - 1) * 1e4;
    const list = errors.get(m) ?? [];
    list.push(e);
    errors.set(m, list);
    return e;
  };
  const cover = (m: string, v: number, conf: number, tr: number): void => {
    if (!Number.isFinite(v) || !Number.isFinite(conf)) return;
    const c = covered.get(m) ?? [0, 0];
    c[0] += Math.abs(v - tr) <= conf ? 1 : 0;
    c[1]++;
    covered.set(m, c);
  };
  const aggregates = (sym: string, now: number): Record<string, { price: number; conf: number }> => {
    const o = [...(obs.get(sym) as Map<string, Observation>).values()];
    const p = pythAggregate(o, now, maxAgeMs);
    return {
      mean: { price: meanAggregate(o, now, maxAgeMs), conf: Number.NaN },
      median: { price: medianAggregate(o, now, maxAgeMs), conf: Number.NaN },
      'pyth-style': { price: p.price, conf: p.confidence },
    };
  };
  const badPrints = sim.faults().filter((f) => f.kind === 'bad_print');
  const skew = new Map(sim.config.venues.map((v) => [v.name, v.clockSkewMs]));
  const isBadPrint = (r: SimRecord): Fault | undefined =>
    r.type === 'trade'
      ? badPrints.find(
          (f) =>
            f.venue === r.venue &&
            r.symbol.startsWith(f.symbol.split('-')[0] as string) &&
            (r.ts as number) - (skew.get(r.venue) as number) === f.start,
        )
      : undefined;
  const freezes = sim.faults().filter((f) => f.kind === 'freeze');
  const followed = new Map<Fault, number>(freezes.map((f) => [f, 0]));
  const frozenSince = new Map<Fault, number>();

  let grid = sim.config.start + 1000;
  for (const r of sim.records()) {
    while (r.recvTs >= grid) {
      for (const sym of symbols) {
        const tr = truthAt(sym, grid - 1);
        if (tr === undefined) continue;
        const res = engine.evaluate(sym, grid);
        if (res) {
          add('engine (ours)', res.price, tr);
          cover('engine (ours)', res.price, res.confidence, tr);
        }
        for (const [m, a] of Object.entries(aggregates(sym, grid))) {
          add(m, a.price, tr);
          cover(m, a.price, a.conf, tr);
        }
        for (const [v, o] of obs.get(sym) as Map<string, Observation>) if (grid - o.lastRecv <= maxAgeMs) add(`venue ${v}`, o.price, tr);
      }
      grid += 1000;
    }
    const res = engine.onRecord(r);
    const sym = `${r.symbol.split('-')[0]}-USD`;
    const rate = r.symbol.endsWith('-USDT') ? engine.harmonizer.rate('USDT') : 1;
    const m = obs.get(sym) as Map<string, Observation>;
    const prev = m.get(r.venue);
    m.set(r.venue, {
      price: (r.type === 'quote' ? (r.bid + r.ask) / 2 : r.price) * rate,
      conf: r.type === 'quote' ? ((r.ask - r.bid) / 2) * rate : (prev?.conf ?? 0),
      lastRecv: r.recvTs,
    });
    // Time the engine kept a frozen venue in use, from the receipt of its first frozen quote (the
    // earliest moment the freeze exists in the data) while it still had weight.
    for (const f of freezes) {
      if (f.symbol !== sym || r.recvTs < f.start || r.recvTs > f.end) continue;
      if (!frozenSince.has(f) && r.venue === f.venue && r.type === 'quote' && (r.ts as number) - (skew.get(r.venue) as number) >= f.start) {
        frozenSince.set(f, r.recvTs);
      }
      const since = frozenSince.get(f);
      if (since !== undefined && engine.explain(f.venue, sym)?.status === 'used')
        followed.set(f, Math.max(followed.get(f) as number, r.recvTs - since));
    }
    const bad = isBadPrint(r);
    if (bad && res) {
      const tr = truthAt(sym, r.recvTs) as number;
      const moved = (v: number): boolean => Number.isFinite(v) && Math.abs(v / tr - 1) >= Math.abs(bad.magnitude) / 5;
      const count = (k: string): void => void passed.set(k, (passed.get(k) ?? 0) + 1);
      if (moved(res.price)) count('engine (ours)');
      for (const [k, a] of Object.entries(aggregates(sym, r.recvTs))) if (moved(a.price)) count(k);
      count(`venue ${r.venue}`);
    }
  }
  const methods: MethodScore[] = ['engine (ours)', 'mean', 'median', 'pyth-style', ...venues.map((v) => `venue ${v}`)].map((method) => {
    const e = errors.get(method) ?? [];
    const c = covered.get(method);
    return {
      method,
      meanBps: e.reduce((a, b) => a + b, 0) / e.length,
      p99Bps: sortedQuantile(e, 0.99),
      coverage: c ? c[0] / c[1] : null,
      badPrintsPassed: passed.get(method) ?? 0,
    };
  });
  return {
    protocol: `simulator seed ${seed}, ${durationMs / 3_600_000} h, ${venues.length} venues × ${symbols.length} instruments, faults on (the default schedule); every method sees the same harmonized records (USDT prices × the engine's live USDT/USD estimate) and the same staleness limit ${maxAgeMs} ms; scored each second against the latent price`,
    methods,
    badPrints: badPrints.length,
    freezes: freezes.map((f) => ({ venue: f.venue, symbol: f.symbol, durationMs: f.end - f.start, followedMs: followed.get(f) as number })),
  };
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
      const ev = evaluateFusion(seed, parseDuration(o.duration ?? '6h'), parseDuration(o.maxAge));
      const thb = o.usdthb ? await evaluateUsdThb(o.usdthb) : undefined;
      if (o.format === 'json') {
        await writeOut(`${JSON.stringify({ simulation: ev, usdthb: thb })}\n`);
        return;
      }
      const best = Math.min(...ev.methods.filter((m) => m.method.startsWith('venue')).map((m) => m.meanBps));
      const lines = [
        `protocol: ${ev.protocol}`,
        '',
        `| method | mean error (bps) | p99 error (bps) | ÷ best venue | CI coverage | bad prints passed (of ${ev.badPrints}) |`,
        '|---|---|---|---|---|---|',
        ...ev.methods.map(
          (m) =>
            `| ${m.method} | ${m.meanBps.toFixed(3)} | ${m.p99Bps.toFixed(2)} | ${(m.meanBps / best).toFixed(2)} | ${m.coverage === null ? '–' : `${(m.coverage * 100).toFixed(1)}%`} | ${m.badPrintsPassed} |`,
        ),
        '',
        `frozen venues (${ev.freezes.length}): time the engine kept using a frozen venue after its first frozen quote: max ${Math.max(0, ...ev.freezes.map((f) => f.followedMs)).toFixed(0)} ms, median ${sortedQuantile(
          ev.freezes.map((f) => f.followedMs),
          0.5,
        ).toFixed(0)} ms (staleness limit ${parseDuration(o.maxAge)} ms)`,
      ];
      if (thb) {
        lines.push('', `USD/THB contributor quotes (${thb.protocol}):`, ...thb.lines);
      }
      await writeOut(`${lines.join('\n')}\n`);
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

/** The family scorecard: one row per scenario and method, with the goals of issue 14 checked. */
async function writeFamily(o: Options): Promise<void> {
  const seeds = familySeeds(o.seeds);
  const durationMs = parseDuration(o.duration ?? '20m');
  const rows = evaluateFamily(seeds, { durationMs, maxAgeMs: parseDuration(o.maxAge), scenarios: familyScenarios(o.scenarios) });
  const protocol = `${rows.length} scenarios × seeds ${seeds.join(',')} (${o.seeds === 'held-out' ? 'held out: never used while tuning' : o.seeds === 'dev' ? 'the development seeds the engine was tuned on' : 'as given'}), ${durationMs / 60_000} min per feed, staleness ${parseDuration(o.maxAge)} ms; every method reads the same rows in time order (as emp fuse does) and is scored each second against the latent price; RMSE and p99 pooled over all seeds; best single source chosen after the fact per feed`;
  if (o.format === 'json') {
    await writeOut(`${JSON.stringify({ protocol, rows })}\n`);
    return;
  }
  const fmt = (x: number | undefined, d = 3): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const lines = [
    `protocol: ${protocol}`,
    '',
    '| scenario | method | RMSE (bps) | p99 (bps) | ÷ oracle | ÷ median | ÷ best single | 95 % coverage |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const verdicts: string[] = [];
  for (const r of rows) {
    const by = (m: string) => r.scores.find((x) => x.method === m);
    const oracle = by('oracle')?.rmseBps;
    const median = by('median')?.rmseBps;
    const best = by('best single source')?.rmseBps;
    for (const m of r.scores) {
      lines.push(
        `| ${r.scenario} | ${m.method} | ${fmt(m.rmseBps)} | ${fmt(m.p99Bps, 2)} | ${fmt(oracle ? m.rmseBps / oracle : undefined, 2)} | ${fmt(median ? m.rmseBps / median : undefined, 2)} | ${fmt(best ? m.rmseBps / best : undefined, 2)} | ${m.coverage === null ? '–' : `${(m.coverage * 100).toFixed(1)}%`} |`,
      );
    }
    const e = by('engine');
    if (e && oracle && median && best) {
      const fails: string[] = [];
      if (e.rmseBps > 0.9 * median) fails.push(`÷ median ${(e.rmseBps / median).toFixed(2)} > 0.90`);
      if (e.rmseBps > 1.25 * oracle) fails.push(`÷ oracle ${(e.rmseBps / oracle).toFixed(2)} > 1.25`);
      if (e.rmseBps > 1.1 * best) fails.push(`÷ best single ${(e.rmseBps / best).toFixed(2)} > 1.10`);
      if (e.coverage !== null && (e.coverage < 0.92 || e.coverage > 0.97))
        fails.push(`coverage ${(e.coverage * 100).toFixed(1)}% outside 92–97%`);
      verdicts.push(`${r.scenario}: ${fails.length ? `MISSES ${fails.join('; ')}` : 'meets every goal'}`);
    }
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
  await writeOut(`${lines.join('\n')}\n`);
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
  const maxAgeMs = 30 * 60_000;
  const tolerance = 0.005;
  const engine = new FusionEngine({ maxAgeMs, tolerance, minSources: 3 });
  const SYMBOL = 'USD-THB';
  const perSource = new Map<string, { quotes: number; outlier: number; devs: number[] }>();
  let maxMove = 0;
  let prev = Number.NaN;
  for (const r of rows) {
    engine.onQuote({ venue: r.source, symbol: SYMBOL, ts: r.time, recvTs: r.time, bid: r.bid, ask: r.ask, bidSize: 0, askSize: 0 }, r.time);
    const f = engine.fused(SYMBOL);
    if (!f) continue;
    const s = perSource.get(r.source) ?? { quotes: 0, outlier: 0, devs: [] };
    s.quotes++;
    const mid = (r.bid + r.ask) / 2;
    if (Number.isFinite(f.price)) s.devs.push(Math.abs(mid / f.price - 1) * 1e4);
    if (f.excluded.some((e) => e.venue === r.source && e.reason === 'outlier')) s.outlier++;
    perSource.set(r.source, s);
    if (Number.isFinite(prev) && Number.isFinite(f.price)) maxMove = Math.max(maxMove, Math.abs(f.price / prev - 1));
    if (Number.isFinite(f.price)) prev = f.price;
  }
  const c = engine.consistency(SYMBOL);
  const offMarket = [...perSource.entries()]
    .map(([k, v]) => ({ k, ...v, med: sortedQuantile(v.devs, 0.5), max: Math.max(0, ...v.devs) }))
    .sort((a, b) => b.max - a.max)
    .slice(0, 6);
  return {
    protocol: `${rows.length} quotes from ${perSource.size} contributors, staleness 30 min, tolerance 0.5 %, fused at every quote; ${invalid.length} invalid quote(s) left out`,
    lines: [
      `consistency: ${(c.share * 100).toFixed(2)}% of the time the used contributors were within 0.5% of the fused mid`,
      `exclusions (source-evaluations): ${Object.entries(engine.exclusions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `largest move of the fused mid between consecutive quotes: ${(maxMove * 100).toFixed(2)}%`,
      'contributors furthest off-market (|mid − fused| in bps: median, max; quotes excluded as outliers):',
      ...offMarket.map((x) => `  ${x.k.padEnd(6)} median ${x.med.toFixed(1)}, max ${x.max.toFixed(0)}; ${x.outlier}/${x.quotes} excluded`),
    ],
  };
}
