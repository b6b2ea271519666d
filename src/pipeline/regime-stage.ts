import type { EmpEvent } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { REGIMES, type Regime } from '../core/regime.ts';
import { RegimeClassifier } from '../regimes/index.ts';
import type { BarAnalysis } from './stages.ts';

/** The regime classifier on closed bars of one instrument and timeframe: a state per bar, alerts on changes. */
export class RegimeStage implements BarAnalysis {
  private readonly classifier = new RegimeClassifier();
  private lastTs = Number.NEGATIVE_INFINITY;

  warm(bar: Bar): void {
    if (bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    this.classifier.update(bar);
  }

  onBar(bar: Bar, emit: (e: EmpEvent) => void): void {
    if (!bar.final || bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    const out = this.classifier.update(bar);
    emit({
      type: 'regime',
      symbol: bar.symbol,
      timeframe: bar.timeframe,
      ts: bar.ts,
      regime: out.regime,
      probabilities: Object.fromEntries(REGIMES.map((r, k) => [r, out.probabilities[k] as number])) as Record<Regime, number>,
    });
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
