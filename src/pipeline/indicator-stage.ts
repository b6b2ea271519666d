import type { EmpEvent, IndicatorUpdate } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { createIndicator, type StreamingIndicator } from '../indicators/index.ts';
import type { BarAnalysis } from './stages.ts';

export interface IndicatorSpec {
  name: string;
  params?: Record<string, number>;
}

/** Parses `RSI`, `SMA:timeperiod=20`, `BBANDS:timeperiod=20,nbdevup=2`. */
export function parseIndicatorSpec(text: string): IndicatorSpec {
  const [name = '', rest] = text.split(':', 2);
  const params: Record<string, number> = {};
  if (rest)
    for (const kv of rest.split(',')) {
      const [k, v] = kv.split('=');
      if (k && v !== undefined) params[k.trim()] = Number(v);
    }
  return { name: name.trim().toUpperCase(), params };
}

/** The key a value travels under: `RSI.real`, `SMA(20).real`, `BBANDS(20,2).upperband`. */
function label(spec: IndicatorSpec): string {
  const p = Object.values(spec.params ?? {});
  return p.length ? `${spec.name}(${p.join(',')})` : spec.name;
}

/**
 * Streaming indicators on one instrument and timeframe: a bar with a new time is `update`d,
 * a later version of the same bar (the open candle, then its close) is `replace`d, so open and
 * closed values are both exact.
 */
export class IndicatorStage implements BarAnalysis {
  private readonly items: { key: string; ind: StreamingIndicator }[];
  private lastTs = Number.NaN;

  constructor(specs: readonly IndicatorSpec[]) {
    this.items = specs.map((s) => ({ key: label(s), ind: createIndicator(s.name, s.params) }));
  }

  private feed(bar: Bar): void {
    const same = bar.ts === this.lastTs;
    this.lastTs = bar.ts;
    for (const { ind } of this.items) {
      if (same) ind.replace(bar);
      else ind.update(bar);
    }
  }

  warm(bar: Bar): void {
    this.feed(bar);
  }

  onBar(bar: Bar, emit: (e: EmpEvent) => void): void {
    if (bar.ts < this.lastTs) return;
    this.feed(bar);
    const values: IndicatorUpdate['values'] = {};
    for (const { key, ind } of this.items) {
      for (const o of ind.outputs) {
        const v = ind.value(o);
        values[`${key}.${o}`] = Number.isFinite(v) ? v : null;
      }
    }
    emit({ type: 'indicators', symbol: bar.symbol, timeframe: bar.timeframe, ts: bar.ts, final: bar.final, values });
  }
}
