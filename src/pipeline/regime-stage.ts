import type { EmpEvent, RegimeState } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { ADAPTIVE_FALLBACK, AdaptiveRegimeClassifier, regimeForecast, TrendVolatility } from '../regimes/index.ts';
import type { BarAnalysis } from './stages.ts';

/**
 * The regime classifier on closed bars of one instrument and timeframe: a state per bar, alerts on
 * changes. The same default as `emp regimes` (the adaptive classifier, calibrated on the
 * instrument's own bars, with the trend and volatility-regime axes and the forecast), so the live
 * event and the command's JSON say the same things under the same names.
 */
export class RegimeStage implements BarAnalysis {
  /** The calibration window is up to 2,500 bars: warm from as many stored bars. */
  readonly warmBars = 2500;
  private readonly classifier = new AdaptiveRegimeClassifier();
  private readonly axes = new TrendVolatility();
  private lastTs = Number.NEGATIVE_INFINITY;

  warm(bar: Bar): void {
    if (bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    this.classifier.update({ close: bar.close, volume: bar.volume, time: bar.ts });
    this.axes.update(bar.close);
  }

  onBar(bar: Bar, emit: (e: EmpEvent) => void): void {
    if (!bar.final || bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    const c = this.classifier;
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
