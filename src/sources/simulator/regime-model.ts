/**
 * The latent market: a Markov-switching regime chain in continuous time driving a
 * geometric Brownian motion whose drift and volatility depend on the regime.
 */
import { longRunDistribution } from '../../core/markov.ts';
import type { Rng } from '../../core/random.ts';
import { REGIMES, type Regime } from '../../core/regime.ts';

export interface RegimeParams {
  /** Annualised drift of the log price (before the −σ²/2 correction). */
  mu: number;
  /** Annualised volatility. */
  sigma: number;
  /** Mean time spent in the regime, in `durationUnitMs` units. */
  meanDuration: number;
}

export interface RegimeModel {
  name: string;
  durationUnitMs: number;
  params: Record<Regime, RegimeParams>;
  /** Where the chain goes when it leaves a regime: each row sums to 1, zero on the diagonal. */
  next: Record<Regime, Partial<Record<Regime, number>>>;
}

const DAY = 86_400_000;
export const YEAR_MS = 365 * DAY;

/**
 * Daily model (durations in days). Bull markets are long and calm, bear markets shorter and
 * rougher, crashes last days and are usually followed by a recovery.
 */
export const DAILY_REGIME_MODEL: RegimeModel = {
  name: 'daily',
  durationUnitMs: DAY,
  params: {
    bull: { mu: 0.3, sigma: 0.15, meanDuration: 120 },
    bear: { mu: -0.3, sigma: 0.25, meanDuration: 60 },
    sideways: { mu: 0, sigma: 0.1, meanDuration: 60 },
    high_volatility: { mu: 0, sigma: 0.6, meanDuration: 20 },
    crash: { mu: -3, sigma: 0.9, meanDuration: 5 },
    recovery: { mu: 1, sigma: 0.35, meanDuration: 20 },
  },
  next: {
    bull: { bear: 0.2, sideways: 0.45, high_volatility: 0.25, crash: 0.1 },
    bear: { bull: 0.15, sideways: 0.35, high_volatility: 0.25, crash: 0.15, recovery: 0.1 },
    sideways: { bull: 0.45, bear: 0.3, high_volatility: 0.2, crash: 0.05 },
    high_volatility: { bull: 0.15, bear: 0.25, sideways: 0.25, crash: 0.25, recovery: 0.1 },
    crash: { recovery: 0.7, high_volatility: 0.2, bear: 0.1 },
    recovery: { bull: 0.55, sideways: 0.25, high_volatility: 0.1, bear: 0.1 },
  },
};

/**
 * Intraday model (durations in minutes): a compressed market so that a session of a few hours
 * shows every regime. Annualised figures are large because they describe hours, e.g. a crash
 * drifts about −7 % an hour.
 */
export const INTRADAY_REGIME_MODEL: RegimeModel = {
  name: 'intraday',
  durationUnitMs: 60_000,
  params: {
    bull: { mu: 20, sigma: 0.5, meanDuration: 180 },
    bear: { mu: -20, sigma: 0.7, meanDuration: 120 },
    sideways: { mu: 0, sigma: 0.3, meanDuration: 120 },
    high_volatility: { mu: 0, sigma: 1.8, meanDuration: 60 },
    crash: { mu: -600, sigma: 2.5, meanDuration: 20 },
    recovery: { mu: 150, sigma: 1, meanDuration: 60 },
  },
  next: DAILY_REGIME_MODEL.next,
};

/** Probability of leaving the regime within a step of `dtMs` (exponential holding time). */
export function leaveProbability(model: RegimeModel, regime: Regime, dtMs: number): number {
  return 1 - Math.exp(-dtMs / (model.params[regime].meanDuration * model.durationUnitMs));
}

/** One instrument's latent regime and log price, stepped on a fixed grid. */
export class LatentMarket {
  regime: Regime;
  logPrice: number;
  private readonly leave = new Float64Array(REGIMES.length);
  private readonly nextWeights: Float64Array[];
  private readonly drift = new Float64Array(REGIMES.length);
  private readonly diffusion = new Float64Array(REGIMES.length);
  /** Per regime: the law of the regime one step earlier (the chain reversed in time; `stepBack`). */
  private readonly previousWeights: Float64Array[];

  constructor(
    readonly model: RegimeModel,
    private readonly rng: Rng,
    initialPrice: number,
    readonly dtMs: number,
    initialRegime: Regime = 'sideways',
  ) {
    this.regime = initialRegime;
    this.logPrice = Math.log(initialPrice);
    const dtYears = dtMs / YEAR_MS;
    this.nextWeights = REGIMES.map((r, i) => {
      const p = model.params[r];
      this.leave[i] = leaveProbability(model, r, dtMs);
      this.drift[i] = (p.mu - 0.5 * p.sigma * p.sigma) * dtYears;
      this.diffusion[i] = p.sigma * Math.sqrt(dtYears);
      return Float64Array.from(REGIMES, (to) => model.next[r][to] ?? 0);
    });
    this.previousWeights = reversedSteps(this.leave, this.nextWeights);
  }

  get price(): number {
    return Math.exp(this.logPrice);
  }

  get sigma(): number {
    return this.model.params[this.regime].sigma;
  }

  /** How much is traded against the calm market: the regime's volatility over sideways' (bar volume and live trade sizes both follow it). */
  get activity(): number {
    return this.model.params[this.regime].sigma / this.model.params.sideways.sigma;
  }

  /** Advances one step: maybe switch regime (at the start of the step), then move the price. */
  step(): void {
    let i = REGIMES.indexOf(this.regime);
    if (this.rng.next() < (this.leave[i] as number)) {
      i = this.rng.pick(this.nextWeights[i] as Float64Array);
      this.regime = REGIMES[i] as Regime;
    }
    this.logPrice += (this.drift[i] as number) + (this.diffusion[i] as number) * this.rng.normal();
  }

  /**
   * One step back in time: undoes a step's move in the regime in force, then draws the regime of
   * the step before from the chain reversed in time. Run from a given state, it draws a past that
   * ends in that state with the chain's own law (a stationary chain's past given its present).
   */
  stepBack(): void {
    let i = REGIMES.indexOf(this.regime);
    this.logPrice -= (this.drift[i] as number) + (this.diffusion[i] as number) * this.rng.normal();
    i = this.rng.pick(this.previousWeights[i] as Float64Array);
    this.regime = REGIMES[i] as Regime;
  }
}

/**
 * The chain reversed in time: the one-step chain stays in regime i with probability 1 − leave_i and
 * otherwise jumps by the row `next_i`; with π its long-run distribution, the regime a step earlier
 * than j is i with probability P̃(j → i) = π_i P(i → j) / π_j. Rows of the result sum to 1.
 */
function reversedSteps(leave: Float64Array, next: readonly Float64Array[]): Float64Array[] {
  const K = REGIMES.length;
  const step = Float64Array.from({ length: K * K }, (_, x) => {
    const i = Math.floor(x / K);
    const j = x % K;
    return i === j ? 1 - (leave[i] as number) : (leave[i] as number) * ((next[i] as Float64Array)[j] as number);
  });
  const pi = longRunDistribution(step, K);
  return Array.from({ length: K }, (_, j) => {
    const row = Float64Array.from({ length: K }, (_, i) => ((pi[i] as number) * (step[i * K + j] as number)) / (pi[j] as number));
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / sum);
  });
}
