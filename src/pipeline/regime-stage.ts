import { z } from 'zod';
import type { EmpEvent, RegimeState } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import {
  ADAPTIVE_FALLBACK,
  type AdaptiveCheckpoint,
  AdaptiveRegimeClassifier,
  fatTailed,
  regimeForecast,
  TrendVolatility,
} from '../regimes/index.ts';
import type { BarAnalysis } from './stages.ts';

const numbers = z.array(z.number());
/** A stored checkpoint: read from the store, so checked; typed so that it cannot drift from the classifier's. */
const checkpointSchema: z.ZodType<AdaptiveCheckpoint> = z.object({
  fit: z.object({
    mu: numbers,
    variance: numbers,
    trans: numbers,
    volumeMean: numbers,
    volumeVariance: numbers,
    trendMean: numbers,
    stationary: numbers,
    useVolume: z.boolean(),
    trendVariance: z.number(),
    volumeEvidence: z.number().nullable().optional(),
    volumeCorrelation: z.number().nullable().optional(),
    scale: z.number(),
    window: z.number(),
  }),
  refitAfter: z.number(),
  grid: z
    .object({
      barDays: z.number(),
      drifts: numbers.optional(),
      tails: z.array(z.number().nullable()).optional(),
      scale: z.number(),
      points: z.array(z.number().int().nonnegative()).optional(),
      p: numbers,
      logLik: z.array(z.number().nullable()),
      volume: z
        .object({ mean: numbers, precision: numbers, line: z.object({ alpha: z.number(), beta: z.number() }).optional() })
        .optional(),
      volatility: z.object({ shape: numbers, rate: numbers }).optional(),
    })
    .optional(),
});

/** Tails as a checkpoint writes them, for a message: `Gaussian`, `Gaussian and t(5)`. */
function tailsText(tails: readonly (number | null)[]): string {
  return tails.map((v) => (v === null ? 'Gaussian' : `t(${v})`)).join(' and ');
}

export interface RegimeStageOptions {
  /** Fat-tailed regimes: degrees of freedom of the Student t read beside the Gaussian (absent: Gaussian alone). */
  tails?: number | undefined;
}

/**
 * The regime classifier on closed bars of one instrument and timeframe: a state per bar, alerts on
 * changes. The same default as `emp regimes` (the adaptive classifier, calibrated on the
 * instrument's own bars, with the trend and volatility-regime axes and the forecast), so the live
 * event and the command's JSON say the same things under the same names.
 */
export class RegimeStage implements BarAnalysis {
  /** The calibration window is up to 2,500 bars: warm from as many stored bars. */
  readonly warmBars = 2500;
  private readonly classifier: AdaptiveRegimeClassifier;
  /** The grid's tails as its state writes them (null: Gaussian), to check a stored checkpoint against. */
  private readonly tails: (number | null)[];
  private readonly axes = new TrendVolatility();
  private lastTs = Number.NEGATIVE_INFINITY;
  readonly id = 'regime';
  /** The calibration last handed out as a checkpoint (its bar count). */
  private checkpointed = Number.NaN;
  private pending: { ts: number; body: string } | undefined;
  /** A restored checkpoint: its bar time, bars until its next calibration, warm bars after it. */
  private restored: { ts: number; refitAfter: number; since: number; grid: boolean } | undefined;

  /**
   * A restart goes on with the calibration in force when it stopped: the warm-up's stored bars
   * are filtered with it (no calibration: seconds of CPU at start for six instruments), and the
   * next calibration falls due when it would have.
   */
  constructor(options: RegimeStageOptions = {}) {
    const nu = options.tails;
    this.classifier = new AdaptiveRegimeClassifier(nu === undefined ? {} : fatTailed(nu));
    this.tails = nu === undefined ? [null] : [null, nu];
  }

  restore(ts: number, body: string): void {
    const cp = checkpointSchema.parse(JSON.parse(body));
    // A grid written with other tails (the config changed between runs) would go on reading them.
    const written = cp.grid ? (cp.grid.tails ?? [null]) : this.tails;
    if (written.length !== this.tails.length || written.some((v, i) => v !== this.tails[i]))
      throw new RangeError(`regime checkpoint: its grid reads tails ${tailsText(written)}, this stage ${tailsText(this.tails)}`);
    this.classifier.restore(cp);
    this.checkpointed = this.classifier.calibration?.at ?? Number.NaN;
    this.restored = { ts, refitAfter: cp.refitAfter, since: 0, grid: cp.grid !== undefined };
  }

  checkpoint(): { ts: number; body: string } | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  warm(bar: Bar): void {
    if (bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    const r = this.restored;
    if (r && bar.ts > r.ts) r.since++;
    this.classifier.deferCalibration = r !== undefined;
    // The restored grid state holds the bars up to the checkpoint already.
    this.classifier.holdGrid = r ? r.grid && bar.ts <= r.ts : false;
    this.classifier.update({ close: bar.close, volume: bar.volume, time: bar.ts });
    this.axes.update(bar.close);
  }

  onBar(bar: Bar, emit: (e: EmpEvent) => void): void {
    if (!bar.final || bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    const c = this.classifier;
    const r = this.restored;
    if (r) {
      c.refitIn(r.refitAfter - r.since);
      this.restored = undefined;
    }
    c.deferCalibration = false;
    c.holdGrid = false;
    const out = c.update({ close: bar.close, volume: bar.volume, time: bar.ts });
    const axes = this.axes.update(bar.close);
    const forecast = regimeForecast(c);
    const state: RegimeState = {
      type: 'regime',
      symbol: bar.symbol,
      timeframe: bar.timeframe,
      ts: bar.ts,
      regime: out.regime,
      probabilities: Object.fromEntries(REGIMES.map((r, k) => [r, out.probabilities[k] as number])) as Record<Regime, number>,
      supported: out.supported,
      ...(out.held ? { held: out.held } : {}),
      trend: Number.isNaN(axes.trend) ? null : Math.round(axes.trend * 1e4) / 1e4,
      volatilityRegime: axes.volatilityRegime,
      calibrated: c.calibrated,
      ...(c.calibrated ? {} : { fallback: ADAPTIVE_FALLBACK }),
      ...(forecast ? { forecast } : {}),
    };
    emit(state);
    const at = c.calibration?.at;
    if (at !== undefined && at !== this.checkpointed) {
      this.checkpointed = at;
      this.pending = { ts: bar.ts, body: JSON.stringify(c.checkpoint()) };
    }
    for (const a of out.alerts) {
      emit({
        type: 'alert',
        kind: a.kind,
        severity: a.severity,
        symbol: bar.symbol,
        ts: bar.ts,
        message: `${bar.symbol} ${bar.timeframe}: ${a.message}`,
      });
    }
  }
}
