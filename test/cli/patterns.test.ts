import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });

describe('emp patterns', () => {
  it('JSON: time, candlestick arrays aligned to time, chart list, levels', () => {
    const r = emp(['patterns', '--input', sharedData('ttrc_synthetic_daily.csv'), '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      time: string[];
      candlestick: Record<string, number[]>;
      chart: unknown[];
      levels: { kind: string; price: number; touches: number }[];
    };
    expect(out.time).toHaveLength(5550);
    expect(Object.keys(out.candlestick)).toContain('CDLENGULFING');
    for (const a of Object.values(out.candlestick)) {
      expect(a).toHaveLength(5550);
      for (const v of a) expect([-200, -100, -80, 0, 80, 100, 200]).toContain(v);
    }
    expect(out.chart.length).toBeGreaterThan(0);
    for (const h of out.chart as { pattern: string; direction: string; start: string; end: string; confidence: number }[]) {
      expect(['bullish', 'bearish']).toContain(h.direction);
      expect(h.start <= h.end).toBe(true);
      expect(h.confidence).toBeGreaterThanOrEqual(0);
    }
    expect(out.levels.length).toBeGreaterThan(0);
    expect(['support', 'resistance']).toContain(out.levels[0]?.kind);
  });

  it('needs OHLC: a close-only file is refused with exit 2', () => {
    const r = emp(['patterns', '--input', sharedData('usdchf_1996_2001_30min.csv')]);
    expect(r.status).toBe(2);
  });
});
