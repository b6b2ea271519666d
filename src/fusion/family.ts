/**
 * A family of multi-source feeds with a known latent price, for judging fusion on feeds it was
 * not tuned on. Each scenario is a generator randomized by seed (scale of volatility, noise,
 * update rates, which source misbehaves and how); the feed is what `emp fuse` reads — rows of
 * `time, source, price` in time order — plus the truth and, for the oracle, what each
 * observation really is (its true observation time, its noise, whether it is faulty).
 *
 * Pure: no I/O; deterministic for a (scenario, seed) pair.
 */
import { Rng } from '../core/random.ts';

export const FAMILY_SCENARIOS = [
  'equal_noise',
  'unequal_noise',
  'lagged',
  'stuck',
  'silent',
  'bad_prints',
  'biased_pair',
  'jumpy',
  'sparse',
  'clock_skew',
] as const;
export type FamilyScenario = (typeof FAMILY_SCENARIOS)[number];

/** Seeds the engine was developed on; every reported figure uses HELD_OUT_SEEDS. */
export const DEV_SEEDS: readonly number[] = [1, 2, 3, 4, 5];
export const HELD_OUT_SEEDS: readonly number[] = [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008];

/** One row of the feed. Arrays of equal length, in time order. */
export interface FamilyFeed {
  scenario: FamilyScenario;
  seed: number;
  /** Human-readable parameters drawn for this seed. */
  params: string;
  sources: string[];
  /** Row time (ms, the time the file says), source index, price. */
  time: Float64Array;
  source: Int32Array;
  price: Float64Array;
  /** For the oracle: the time the value truly describes, and whether the row is a fault. */
  trueTime: Float64Array;
  faulty: Uint8Array;
  /** Per source: its noise standard deviation (bps) and whether the oracle trusts it at all. */
  noiseBps: Float64Array;
  trusted: Uint8Array;
  /** Latent price each second from `start` (truthAt(t) = truth[floor((t − start) / 1000)]). */
  start: number;
  truth: Float64Array;
  /** Diffusive variance rate of the latent price, bps² per ms (jumps excluded). */
  varRateBps2PerMs: number;
  /** Times and sizes (relative) of planted jumps (jumpy scenario). */
  jumps: { ts: number; size: number }[];
}

export interface FamilyOptions {
  /** Length of the feed (ms). Default 20 minutes. */
  durationMs?: number;
  /** First timestamp (ms). */
  start?: number;
}

const STEP_MS = 50;
const YEAR_MS = 365.25 * 86_400_000;

/** The latent price on a 50 ms lattice: GBM with annual volatility `vol`, optional jumps. */
function latentPath(
  rng: Rng,
  n: number,
  vol: number,
  jumpEveryMs: number,
): { path: Float64Array; jumps: { step: number; size: number }[] } {
  const path = new Float64Array(n);
  const sd = vol * Math.sqrt(STEP_MS / YEAR_MS);
  const jumps: { step: number; size: number }[] = [];
  let logp = Math.log(100 * Math.exp(rng.uniform(0, 6)));
  // A jump of about 1 % unfolds over a few lattice steps, all inside one second.
  let pending = 0;
  let pendingSteps = 0;
  for (let i = 0; i < n; i++) {
    logp += sd * rng.normal();
    if (jumpEveryMs > 0 && pendingSteps === 0 && rng.next() < STEP_MS / jumpEveryMs && i > 200) {
      const size = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.008, 0.015);
      pendingSteps = 1 + rng.int(Math.floor(900 / STEP_MS));
      pending = Math.log(1 + size) / pendingSteps;
      jumps.push({ step: i, size });
    }
    if (pendingSteps > 0) {
      logp += pending;
      pendingSteps--;
    }
    path[i] = Math.exp(logp);
  }
  return { path, jumps };
}

interface SourceSpec {
  name: string;
  noiseBps: number;
  /** Mean updates per second (Poisson), or, with `onSecond`, probability per second. */
  rate: number;
  onSecond?: boolean;
  lagMs?: number;
  /** Added to the row's time (the source's clock is ahead by this). */
  clockMs?: number;
  biasBps?: number;
  badPrintShare?: number;
  /** Intervals [from, to) in ms since start where the value is frozen / no rows are sent. */
  stuck?: [number, number][];
  silent?: [number, number][];
  trusted?: boolean;
}

function faultWindows(rng: Rng, durationMs: number, minMs: number, maxMs: number, gapMs: number): [number, number][] {
  const out: [number, number][] = [];
  let t = rng.uniform(30_000, 120_000);
  while (t < durationMs) {
    const len = rng.uniform(minMs, maxMs);
    out.push([t, t + len]);
    t += len + rng.uniform(gapMs / 2, gapMs * 1.5);
  }
  return out;
}

const inside = (w: [number, number][] | undefined, t: number): [number, number] | undefined => w?.find(([a, b]) => t >= a && t < b);

/** Draws the scenario's sources for one seed. */
function sourcesFor(scenario: FamilyScenario, rng: Rng, durationMs: number): { specs: SourceSpec[]; vol: number; jumpEveryMs: number } {
  // 4..6 sources; a biased pair needs three unbiased sources beside it to be identifiable at all.
  const n = scenario === 'biased_pair' ? 5 + rng.int(2) : 4 + rng.int(3);
  const vol = Math.exp(rng.uniform(Math.log(0.15), Math.log(1.5))); // 15 %..150 % a year
  const baseNoise = Math.exp(rng.uniform(Math.log(0.7), Math.log(4)));
  const specs: SourceSpec[] = [];
  for (let i = 0; i < n; i++) {
    specs.push({ name: `src${i + 1}`, noiseBps: baseNoise * rng.uniform(0.8, 1.25), rate: rng.uniform(0.7, 4) });
  }
  // Half the feeds tick on a common one-second clock (a file of per-second prints), half at
  // random times (Poisson, 0.7–4 a second per source).
  if (rng.next() < 0.5) for (const s of specs) Object.assign(s, { onSecond: true, rate: 1 });
  const victim = specs[rng.int(n)] as SourceSpec;
  let jumpEveryMs = 0;
  switch (scenario) {
    case 'equal_noise':
      for (const s of specs) s.noiseBps = baseNoise;
      break;
    case 'unequal_noise': {
      // Log-spread from 0.5 to 8 bps, in a random order.
      const levels = specs.map((_, i) => 0.5 * 16 ** (i / (n - 1)));
      for (let i = levels.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [levels[i], levels[j]] = [levels[j] as number, levels[i] as number];
      }
      specs.forEach((s, i) => {
        s.noiseBps = levels[i] as number;
      });
      break;
    }
    case 'lagged':
      victim.lagMs = rng.uniform(1000, 5000);
      if (rng.next() < 0.5) {
        const other = specs.find((s) => s !== victim) as SourceSpec;
        other.lagMs = rng.uniform(1000, 5000);
      }
      break;
    case 'stuck':
      victim.stuck = faultWindows(rng, durationMs, 10_000, 120_000, 120_000);
      break;
    case 'silent':
      victim.silent = faultWindows(rng, durationMs, 30_000, 300_000, 150_000);
      break;
    case 'bad_prints':
      victim.badPrintShare = rng.uniform(0.01, 0.05);
      break;
    case 'biased_pair': {
      const other = specs.find((s) => s !== victim) as SourceSpec;
      const bias = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(5, 40);
      victim.biasBps = bias;
      other.biasBps = bias;
      victim.trusted = false;
      other.trusted = false;
      break;
    }
    case 'jumpy':
      jumpEveryMs = rng.uniform(40_000, 150_000);
      break;
    case 'sparse':
      for (const s of specs) {
        s.onSecond = true;
        s.rate = rng.uniform(0.2, 0.9);
      }
      break;
    case 'clock_skew':
      victim.clockMs = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(500, 3000);
      if (rng.next() < 0.5) {
        const other = specs.find((s) => s !== victim) as SourceSpec;
        other.clockMs = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(500, 3000);
      }
      break;
  }
  return { specs, vol, jumpEveryMs };
}

/** Generates one feed of the family. */
export function familyFeed(scenario: FamilyScenario, seed: number, opts: FamilyOptions = {}): FamilyFeed {
  const durationMs = opts.durationMs ?? 20 * 60_000;
  const start = opts.start ?? Date.UTC(2026, 0, 5);
  // Distinct streams per scenario so one seed does not give correlated scenarios.
  const rng = new Rng(seed * 7919 + FAMILY_SCENARIOS.indexOf(scenario) * 104_729 + 17);
  const { specs, vol, jumpEveryMs } = sourcesFor(scenario, rng, durationMs);
  const steps = Math.ceil((durationMs + 10_000) / STEP_MS) + 1;
  const { path, jumps } = latentPath(rng, steps, vol, jumpEveryMs);
  const latentAt = (ms: number): number => path[Math.min(steps - 1, Math.max(0, Math.floor(ms / STEP_MS)))] as number;

  type Row = { t: number; s: number; p: number; tt: number; bad: boolean };
  const rows: Row[] = [];
  specs.forEach((spec, si) => {
    let frozen: number | undefined;
    let frozenWindow: [number, number] | undefined;
    const emit = (t: number): void => {
      if (inside(spec.silent, t)) return;
      const lag = spec.lagMs ?? 0;
      const tt = t - lag;
      let p = latentAt(tt) * (1 + ((spec.biasBps ?? 0) + spec.noiseBps * rng.normal()) / 1e4);
      let bad = (spec.biasBps ?? 0) !== 0;
      if (spec.badPrintShare && rng.next() < spec.badPrintShare) {
        p *= 1 + (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.01, 0.06);
        bad = true;
      }
      const w = inside(spec.stuck, t);
      if (w) {
        if (frozenWindow !== w) {
          frozenWindow = w;
          frozen = p;
        } else {
          p = frozen as number;
          bad = true;
        }
      }
      // The row time is the source's own clock; the time it really describes is tt.
      const rowT = Math.round(t + (spec.clockMs ?? 0));
      if (rowT < 0 || rowT > durationMs) return;
      rows.push({ t: rowT, s: si, p, tt, bad });
    };
    if (spec.onSecond) {
      for (let t = 0; t < durationMs; t += 1000) if (rng.next() < spec.rate) emit(t);
    } else {
      let t = -Math.log(1 - rng.next()) * (1000 / spec.rate);
      while (t < durationMs + 3000) {
        emit(t);
        t += -Math.log(1 - rng.next()) * (1000 / spec.rate);
      }
    }
  });
  rows.sort((a, b) => a.t - b.t || a.s - b.s);
  const n = rows.length;
  const feed: FamilyFeed = {
    scenario,
    seed,
    params: describe(specs, vol, jumpEveryMs),
    sources: specs.map((s) => s.name),
    time: new Float64Array(n),
    source: new Int32Array(n),
    price: new Float64Array(n),
    trueTime: new Float64Array(n),
    faulty: new Uint8Array(n),
    noiseBps: Float64Array.from(specs, (s) => s.noiseBps),
    trusted: Uint8Array.from(specs, (s) => (s.trusted === false ? 0 : 1)),
    start,
    truth: new Float64Array(Math.floor(durationMs / 1000) + 1),
    varRateBps2PerMs: (vol * vol * 1e8) / YEAR_MS,
    jumps: jumps.map((j) => ({ ts: start + j.step * STEP_MS, size: j.size })),
  };
  rows.forEach((r, i) => {
    feed.time[i] = start + r.t;
    feed.source[i] = r.s;
    feed.price[i] = r.p;
    feed.trueTime[i] = start + r.tt;
    feed.faulty[i] = r.bad ? 1 : 0;
  });
  for (let k = 0; k < feed.truth.length; k++) feed.truth[k] = latentAt(k * 1000);
  return feed;
}

function describe(specs: SourceSpec[], vol: number, jumpEveryMs: number): string {
  const parts = [`vol ${(vol * 100).toFixed(0)}%/yr`, `${specs.length} sources`, specs[0]?.onSecond ? 'per-second' : 'Poisson'];
  const noise = specs.map((s) => s.noiseBps.toFixed(1)).join('/');
  parts.push(`noise ${noise} bps`);
  for (const s of specs) {
    if (s.lagMs) parts.push(`${s.name} lag ${(s.lagMs / 1000).toFixed(1)}s`);
    if (s.clockMs) parts.push(`${s.name} clock ${(s.clockMs / 1000).toFixed(1)}s`);
    if (s.biasBps) parts.push(`${s.name} bias ${s.biasBps.toFixed(0)}bps`);
    if (s.badPrintShare) parts.push(`${s.name} bad prints ${(s.badPrintShare * 100).toFixed(1)}%`);
    if (s.stuck) parts.push(`${s.name} stuck ×${s.stuck.length}`);
    if (s.silent) parts.push(`${s.name} silent ×${s.silent.length}`);
    if (s.onSecond && s.rate < 1) parts.push(`${s.name} p=${s.rate.toFixed(2)}/s`);
  }
  if (jumpEveryMs) parts.push(`jumps every ~${(jumpEveryMs / 1000).toFixed(0)}s`);
  return parts.join(', ');
}
