import type { EmpEvent } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { SignalEngine, strategyByName } from '../signals/index.ts';
import type { BarAnalysis } from './stages.ts';

/** A strategy's signal engine on closed bars of one instrument and timeframe; each signal also an alert. */
export class SignalStage implements BarAnalysis {
  private readonly engine: SignalEngine;
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(strategy: string) {
    this.engine = new SignalEngine({ strategy: strategyByName(strategy), confirmations: [{ label: '×5', bars: 5 }] });
  }

  warm(bar: Bar): void {
    if (bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    this.engine.update(bar.ts, bar);
  }

  onBar(bar: Bar, emit: (e: EmpEvent) => void): void {
    if (!bar.final || bar.ts <= this.lastTs) return;
    this.lastTs = bar.ts;
    for (const h of this.engine.update(bar.ts, bar)) {
      emit({
        type: 'signal',
        symbol: bar.symbol,
        timeframe: bar.timeframe,
        ts: bar.ts,
        side: h.side,
        strategy: h.strategy,
        strength: h.strength,
        confidence: h.confidence,
        reasons: h.reasons,
        confirmations: h.confirmations,
      });
    }
  }
}
