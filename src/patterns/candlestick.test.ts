/** Every implemented candlestick pattern against TA-Lib (the `talib` package) on every bar. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../test/shared-data.ts';
import { type BarSeries, emptySeries } from '../core/market.ts';
import { Rng } from '../core/random.ts';
import { talib } from '../indicators/talib-reference.ts';
import { loadBarsCsv } from '../sources/csv.ts';
import { CANDLESTICK_PATTERNS, scanCandlesticks } from './candlestick.ts';

function talibPattern(name: string, s: BarSeries): Int32Array {
  const n = s.close.length;
  const args: Record<string, unknown> = {
    name,
    startIdx: 0,
    endIdx: n - 1,
    open: Array.from(s.open),
    high: Array.from(s.high),
    low: Array.from(s.low),
    close: Array.from(s.close),
  };
  // Every optional input at TA-Lib's default (the binding aborts when one is missing).
  for (const o of talib.explain(name).optInputs) args[o.name] = o.defaultValue;
  const r = talib.execute(args);
  const out = new Int32Array(n);
  const vals = (r.result.outInteger ?? []) as number[];
  for (let i = 0; i < r.nbElement; i++) out[r.begIndex + i] = vals[i] as number;
  return out;
}

/** Random candles with many dojis, flat bars and gaps. */
function adversarial(n: number, seed: number): BarSeries {
  const rng = new Rng(seed);
  const s: BarSeries = emptySeries(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const kind = rng.int(5);
    const o = kind === 4 ? p * (1 + 0.05 * rng.normal()) : p;
    const c = kind === 0 || kind === 1 ? o : o * (1 + 0.02 * rng.normal());
    const up = kind === 1 ? 0 : Math.abs(0.01 * rng.normal()) * o;
    const dn = kind === 1 ? 0 : Math.abs(0.01 * rng.normal()) * o;
    s.open[i] = o;
    s.close[i] = c;
    s.high[i] = Math.max(o, c) + up;
    s.low[i] = Math.min(o, c) - dn;
    s.time[i] = i;
    p = c;
  }
  return s;
}

describe('candlestick patterns: identical to TA-Lib on every bar', async () => {
  const files = {
    ttrc: await loadBarsCsv(join(DATA_DIR, 'ttrc_synthetic_daily.csv')),
    msft: await loadBarsCsv(join(DATA_DIR, 'msft_2000_2001_daily.csv')),
    adversarial: adversarial(3000, 1),
  };
  for (const name of CANDLESTICK_PATTERNS) {
    it(name, () => {
      for (const [file, s] of Object.entries(files)) {
        const ours = scanCandlesticks(s, [name])[name] as Int32Array;
        const ref = talibPattern(name, s);
        const bad: string[] = [];
        for (let i = 0; i < ref.length; i++) if (ours[i] !== ref[i]) bad.push(`${file}[${i}]: ours ${ours[i]}, TA-Lib ${ref[i]}`);
        expect(bad.slice(0, 3)).toEqual([]);
      }
    });
  }
  it('covers all 61 TA-Lib candlestick functions', () => {
    const talibNames = (talib as unknown as { functions: { name: string }[] }).functions
      .map((f) => f.name)
      .filter((n) => n.startsWith('CDL'));
    expect(talibNames).toHaveLength(61);
    expect([...CANDLESTICK_PATTERNS].sort()).toEqual(talibNames.sort());
  });
  it('finds patterns at all (not a table of zeros)', () => {
    const all = scanCandlesticks(files.ttrc);
    const nonzero = Object.values(all).filter((a) => a.some((v) => v !== 0)).length;
    expect(nonzero).toBeGreaterThan(CANDLESTICK_PATTERNS.length * 0.7);
  });
});

describe('CandlestickScanner (streaming)', () => {
  it('gives the batch values on the last bar, through updates and replaced open bars', async () => {
    const { CandlestickScanner } = await import('./candlestick.ts');
    const s = adversarial(400, 9);
    const batch = scanCandlesticks(s);
    const scanner = new CandlestickScanner();
    let mismatches = 0;
    for (let i = 0; i < s.close.length; i++) {
      // A provisional candle first, then the real one replaces it.
      scanner.update({
        open: s.open[i] as number,
        high: (s.high[i] as number) * 1.01,
        low: s.low[i] as number,
        close: s.open[i] as number,
      });
      scanner.replace({ open: s.open[i] as number, high: s.high[i] as number, low: s.low[i] as number, close: s.close[i] as number });
      const live = new Map(scanner.current().map((p) => [p.name, p.value]));
      for (const name of CANDLESTICK_PATTERNS) if ((live.get(name) ?? 0) !== (batch[name] as Int32Array)[i]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
