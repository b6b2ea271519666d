/**
 * Online reliability of one source for one instrument, measured from evidence rather than
 * assumed: how far it sits from the consensus (robust z-scores and squared deviations), how
 * fresh and how fast its data is, how often it errs and how often it is up. Evidence of a
 * fault lowers the weight at once; good behaviour restores it slowly.
 */
export interface QualityConfig {
  /** EWMA rates for the deviation score: fast when it rises, slow when it falls. */
  devUp: number;
  devDown: number;
  /** EWMA rates for the deviation variance (bps²). */
  varUp: number;
  varDown: number;
  /** Floor of the deviation variance (bps²): no source is trusted beyond this precision. */
  varFloor: number;
  /** Robust z-score above which the deviation factor halves. */
  devScale: number;
}

export const DEFAULT_QUALITY: QualityConfig = { devUp: 0.5, devDown: 0.01, varUp: 0.2, varDown: 0.02, varFloor: 0.25, devScale: 4 };

export class SourceQuality {
  /** EWMA of the robust z-score of this source's price against the consensus. */
  dev = 0;
  /** EWMA of its squared deviation from the consensus, bps². */
  variance = 4;
  /** EWMA of apparent latency (ms). */
  latencyMs = 0;
  /** Decaying count of errors (malformed frames, gaps). */
  errors = 0;
  /** EWMA of connection up-ness (1 = always up). */
  uptime = 1;
  updates = 0;
  /** Freshness factor computed at the last evaluation. */
  freshness = 1;

  constructor(private readonly cfg: QualityConfig = DEFAULT_QUALITY) {}

  /** z: robust z-score vs consensus; devBps: signed deviation from the consensus in bps. */
  observe(z: number, devBps: number, latencyMs: number): void {
    const zc = Math.min(z, 20);
    this.dev += (zc > this.dev ? this.cfg.devUp : this.cfg.devDown) * (zc - this.dev);
    const sq = Math.min(devBps * devBps, 1e6);
    this.variance += (sq > this.variance ? this.cfg.varUp : this.cfg.varDown) * (sq - this.variance);
    if (this.variance < this.cfg.varFloor) this.variance = this.cfg.varFloor;
    this.latencyMs += (this.updates === 0 ? 1 : 0.05) * (latencyMs - this.latencyMs);
    this.errors *= 0.995;
    this.updates++;
  }

  error(): void {
    this.errors += 1;
  }

  status(up: boolean): void {
    this.uptime += 0.1 * ((up ? 1 : 0) - this.uptime);
  }

  /** Freshness from the age of the last update relative to the staleness limit. */
  setAge(ageMs: number, maxAgeMs: number): void {
    this.freshness = ageMs <= maxAgeMs / 2 ? 1 : Math.max(0, 2 * (1 - ageMs / maxAgeMs));
  }

  get deviationFactor(): number {
    const r = this.dev / this.cfg.devScale;
    return 1 / (1 + r * r);
  }
  get errorFactor(): number {
    return 1 / (1 + this.errors);
  }
  get latencyFactor(): number {
    return 1 / (1 + Math.max(0, this.latencyMs) / 1000);
  }

  /** Reliability in [0, 1]: the product of the factors. */
  get reliability(): number {
    return this.deviationFactor * this.freshness * this.errorFactor * this.latencyFactor * this.uptime;
  }

  /** Fusion weight: reliability over measured variance (inverse-variance weighting). */
  get weight(): number {
    return this.reliability / this.variance;
  }

  explain(): Record<string, number> {
    return {
      reliability: this.reliability,
      deviationScore: this.dev,
      deviationFactor: this.deviationFactor,
      varianceBps2: this.variance,
      freshness: this.freshness,
      latencyMs: this.latencyMs,
      latencyFactor: this.latencyFactor,
      errors: this.errors,
      errorFactor: this.errorFactor,
      uptime: this.uptime,
      updates: this.updates,
    };
  }
}
