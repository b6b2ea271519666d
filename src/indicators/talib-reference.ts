/**
 * Test-only bridge to TA-Lib's C implementation (the `talib` dev dependency): runs a function by
 * our name and parameters and returns outputs aligned to the input (NaN before its begIndex).
 * Node-only; imported by tests and benches, never by the library.
 */
import { createRequire } from 'node:module';
import type { BarSeries } from '../core/market.ts';
import { COLUMNS } from './indicator.ts';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
interface Talib {
  execute(args: Record<string, unknown>): TalibResult;
  explain(name: string): {
    inputs: { name: string; flags?: Record<string, string> }[];
    optInputs: { name: string; defaultValue: number }[];
    outputs: { name: string }[];
  };
}

export const talib = createRequire(import.meta.url)('talib') as Talib;

/**
 * Runs TA-Lib's `name` on the series; params by our (Python talib) names. Plain real inputs read
 * the close, except two-series functions' inReal0/inReal1 (the `price0`/`price1` columns, high and
 * low by default) and MAVP's inPeriods (the `periods` column: the series' `periods` by default).
 */
export function talibCompute(name: string, s: BarSeries & { periods?: Float64Array }, params: Record<string, number> = {}): Float64Array[] {
  const info = talib.explain(name);
  const n = s.close.length;
  const args: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1 };
  const pick = (k: number): Float64Array => {
    const c = COLUMNS[k] ?? 'close';
    const v = c === 'periods' ? s.periods : s[c];
    if (!v) throw new Error(`${name}: the series has no ${c} column`);
    return v;
  };
  for (const inp of info.inputs) {
    if (inp.flags) for (const f of Object.values(inp.flags)) args[f] = Array.from(s[f as 'open']);
    else if (inp.name === 'inReal0') args[inp.name] = Array.from(pick(params.price0 ?? 1));
    else if (inp.name === 'inReal1') args[inp.name] = Array.from(pick(params.price1 ?? 2));
    else if (inp.name === 'inPeriods') args[inp.name] = Array.from(pick(params.periods ?? 5));
    else args[inp.name] = Array.from(s.close);
  }
  for (const o of info.optInputs) {
    const key = o.name.replace(/^optIn/, '').toLowerCase();
    // The binding needs every optional input (it crashes reporting a missing one).
    args[o.name] = params[key] ?? o.defaultValue;
  }
  const r = talib.execute(args);
  if (r.error) throw new Error(`${name}: ${r.error}`);
  return info.outputs.map((o) => {
    const out = new Float64Array(n).fill(Number.NaN);
    const vals = r.result[o.name] ?? [];
    for (let i = 0; i < r.nbElement; i++) out[r.begIndex + i] = vals[i] as number;
    return out;
  });
}
