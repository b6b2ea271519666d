/**
 * The fusion scorecard on a simulated market with known truth: the engine beside the plain mean,
 * median and a Pyth-style aggregate and each venue, scored each second against the latent
 * price, with the bad prints each let through and how long the engine kept using a frozen venue.
 * The market comes in as data (the simulator in `sources` fits `SimulatedMarket`), so this stays
 * in the fusion layer and is reachable from the library.
 */
import type { MarketRecord } from '../core/market.ts';
import { quantile } from '../core/stats.ts';
import { meanAggregate, medianAggregate, type Observation, pythAggregate } from './baselines.ts';
import { FusionEngine } from './engine.ts';

/** A fault planted in the market (as the simulator's fault schedule gives them). */
export interface MarketFault {
  kind: string;
  venue: string;
  symbol: string;
  start: number;
  end: number;
  /** bad_print: the relative size of the spike. */
  magnitude: number;
}

/** What the scorecard needs of a simulated market (MarketSimulator has this shape). */
export interface SimulatedMarket {
  config: { start: number; venues: readonly { name: string; clockSkewMs: number }[]; instruments: readonly { symbol: string }[] };
  truth(): Iterable<{ ts: number; symbol: string; price: number }>;
  faults(): readonly MarketFault[];
  records(): Iterable<MarketRecord>;
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
  /** Longest and median time the engine kept using a frozen venue after its first frozen quote (ms). */
  frozenFollowedMaxMs: number;
  frozenFollowedMedianMs: number;
}

/**
 * Replays a simulated market through the engine and the baselines, scoring each against the
 * latent price on a 1-second grid (error in bps), counting injected bad prints that moved the
 * aggregate by a fifth of their size or more (what a plain mean of five does), and measuring
 * how long the engine kept using a frozen venue.
 */
export function scoreSimulatedMarket(
  sim: SimulatedMarket,
  maxAgeMs: number,
  label: string,
  /** Called now and then with the simulated time scored so far (ms since the start). */
  onProgress?: (elapsedMs: number) => void,
): FusionEvaluation {
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
  const isBadPrint = (r: MarketRecord): MarketFault | undefined =>
    r.type === 'trade'
      ? badPrints.find(
          (f) =>
            f.venue === r.venue &&
            r.symbol.startsWith(f.symbol.split('-')[0] as string) &&
            (r.ts as number) - (skew.get(r.venue) as number) === f.start,
        )
      : undefined;
  const freezes = sim.faults().filter((f) => f.kind === 'freeze');
  const followed = new Map<MarketFault, number>(freezes.map((f) => [f, 0]));
  const frozenSince = new Map<MarketFault, number>();

  let grid = sim.config.start + 1000;
  let nextReport = sim.config.start + 60_000;
  for (const r of sim.records()) {
    if (onProgress && r.recvTs >= nextReport) {
      nextReport += 60_000;
      onProgress(r.recvTs - sim.config.start);
    }
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
      p99Bps: quantile(e, 0.99),
      coverage: c ? c[0] / c[1] : null,
      badPrintsPassed: passed.get(method) ?? 0,
    };
  });
  return {
    protocol: `${label}, ${venues.length} venues × ${symbols.length} instruments, faults on (the default schedule); every method sees the same harmonized records (USDT prices × the engine's live USDT/USD estimate) and the same staleness limit ${maxAgeMs} ms; scored each second against the latent price`,
    methods,
    badPrints: badPrints.length,
    freezes: freezes.map((f) => ({ venue: f.venue, symbol: f.symbol, durationMs: f.end - f.start, followedMs: followed.get(f) as number })),
    frozenFollowedMaxMs: Math.max(0, ...followed.values()),
    frozenFollowedMedianMs: quantile([...followed.values()], 0.5),
  };
}

/**
 * The engine on contributor quotes without a truth (e.g. the USD/THB quotes of June 1997): how
 * often the used contributors agree with the fused mid, what was excluded, the largest move of
 * the fused mid, and the contributors furthest off-market.
 */
export function scoreContributorQuotes(
  rows: readonly { time: number; source: string; bid: number; ask: number }[],
  invalid: number,
): { protocol: string; lines: string[] } {
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
    .map(([k, v]) => ({ k, ...v, med: quantile(v.devs, 0.5), max: Math.max(0, ...v.devs) }))
    .sort((a, b) => b.max - a.max)
    .slice(0, 6);
  return {
    protocol: `${rows.length} quotes from ${perSource.size} contributors, staleness 30 min, tolerance 0.5 %, fused at every quote; ${invalid} invalid quote(s) left out`,
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
