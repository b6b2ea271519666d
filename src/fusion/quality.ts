/**
 * Online reliability of one source for one instrument, measured from evidence rather than
 * assumed. Two separate questions:
 *
 * - **How noisy is it when it is right?** Its noise variance (bps²), from its deviations against
 *   the consensus of the *other* sources (leave-one-out: a source never grades itself), minus
 *   what that consensus's own error explains. Symmetric EWMA: no fast-up/slow-down asymmetry
 *   that would punish a rare fault for thousands of updates. Deviations flagged as outliers do
 *   not enter it: a bad print is a fault, not noise.
 * - **How often is it wrong?** The share of its updates that were outliers (EWMA), with decaying
 *   error counts and connection up-ness: the reliability factor in [0, 1].
 *
 * The fusion weight is reliability / variance, where the variance grows with the age of the
 * observation (the engine adds the market's variance rate × age).
 */
export interface QualityConfig {
  /** EWMA rate of the noise variance once warmed up (per update). */
  varAlpha: number;
  /** EWMA rate of the outlier share (per update). */
  outlierAlpha: number;
  /** Prior noise variance (bps²) before any evidence. */
  varPrior: number;
  /** Absolute floor of the noise variance (bps²). */
  varFloor: number;
}

export const DEFAULT_QUALITY: QualityConfig = { varAlpha: 0.01, outlierAlpha: 0.02, varPrior: 4, varFloor: 1e-4 };

export class SourceQuality {
  /** Noise variance, bps²: mean squared deviation from the others' consensus minus that consensus's variance. */
  variance: number;
  /** EWMA of squared deviation (bps²) from the leave-one-out consensus, and of that consensus's variance. */
  private mse = 0;
  private looVar = 0;
  /** Non-outlier observations that entered the variance. */
  private samples = 0;
  /** Lag-one autocovariance of the deviations (bps²) and the previous deviation. */
  private lagCov = 0;
  private lastDev = Number.NaN;
  /** EWMA of the outlier indicator. */
  outlierShare = 0;
  /** EWMA of apparent latency (ms): receipt time − (clock-aligned) event time. */
  latencyMs = 0;
  /** Decaying count of errors (malformed frames, venue errors). */
  errors = 0;
  /** Sequence gaps seen (missed messages): completeness, not correctness. */
  gaps = 0;
  /** EWMA of connection up-ness (1 = always up). */
  uptime = 1;
  updates = 0;

  constructor(private readonly cfg: QualityConfig = DEFAULT_QUALITY) {
    this.variance = cfg.varPrior;
  }

  /**
   * One update of the source. devBps: its signed deviation from the consensus of the others;
   * looVarBps2: that consensus's own variance; outlier: whether the engine excluded it as one.
   */
  observe(devBps: number, looVarBps2: number, outlier: boolean, latencyMs = 0): void {
    this.updates++;
    // No warm-up here: a source flagged while the first few sources disagree must not lose its
    // reliability to its first evaluation.
    this.outlierShare += this.cfg.outlierAlpha * ((outlier ? 1 : 0) - this.outlierShare);
    this.latencyMs += (this.updates === 1 ? 1 : 0.05) * (latencyMs - this.latencyMs);
    this.errors *= 0.995;
    if (outlier || !Number.isFinite(devBps)) return;
    this.samples++;
    const b = Math.max(this.cfg.varAlpha, 1 / this.samples);
    this.mse += b * (devBps * devBps - this.mse);
    if (Number.isFinite(this.lastDev)) this.lagCov += b * (devBps * this.lastDev - this.lagCov);
    this.lastDev = devBps;
    this.looVar += b * ((Number.isFinite(looVarBps2) ? looVarBps2 : 0) - this.looVar);
    // Subtracting the consensus's variance leaves the source's own; kept at a tenth of the raw
    // figure at least, so estimation noise in the difference cannot make a source infinitely precise.
    const own = Math.max(this.mse - this.looVar, 0.1 * this.mse, this.cfg.varFloor);
    // Before a few samples the prior still counts (one lucky deviation is not precision).
    const w = Math.min(1, this.samples / 5);
    this.variance = w * own + (1 - w) * this.cfg.varPrior;
  }

  /**
   * Lag-one autocorrelation of the deviations: near 0 for a source whose errors are fresh noise
   * each time, near 1 for one whose errors persist (a lagging feed, a drifting bias). Successive
   * observations of such a source are not independent evidence.
   */
  get autocorrelation(): number {
    return this.mse > 0 ? Math.min(0.98, Math.max(0, this.lagCov / this.mse)) : 0;
  }

  /**
   * Variance to give each new observation when observations are accumulated over time: the
   * noise variance inflated by (1 + ρ) / (1 − ρ), the number of successive observations that carry
   * as much information as one independent one.
   */
  get sequentialVariance(): number {
    const rho = this.autocorrelation;
    return (this.variance * (1 + rho)) / (1 - rho);
  }

  error(): void {
    this.errors += 1;
  }

  gap(): void {
    this.gaps++;
  }

  status(up: boolean): void {
    this.uptime += 0.1 * ((up ? 1 : 0) - this.uptime);
  }

  get outlierFactor(): number {
    return 1 - this.outlierShare;
  }
  get errorFactor(): number {
    return 1 / (1 + this.errors);
  }

  /** Reliability in [0, 1]: how often the source is right and up, and free of errors. */
  get reliability(): number {
    return this.outlierFactor * this.errorFactor * this.uptime;
  }

  explain(): Record<string, number> {
    return {
      reliability: this.reliability,
      noiseBps: Math.sqrt(this.variance),
      varianceBps2: this.variance,
      outlierShare: this.outlierShare,
      outlierFactor: this.outlierFactor,
      autocorrelation: this.autocorrelation,
      latencyMs: this.latencyMs,
      errors: this.errors,
      errorFactor: this.errorFactor,
      gaps: this.gaps,
      uptime: this.uptime,
      updates: this.updates,
    };
  }
}
