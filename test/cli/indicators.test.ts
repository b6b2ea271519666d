import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { talibCompute } from '../../src/indicators/talib-reference.ts';
import { loadBarsCsv } from '../../src/sources/csv.ts';
import { sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const MSFT = sharedData('msft_2000_2001_daily.csv');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });

describe('emp indicators', () => {
  it('list --format json: the catalogue with TA-Lib names, parameters and outputs', () => {
    const r = emp(['indicators', 'list', '--format', 'json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; params: { name: string }[]; outputs: string[] }[];
    expect(list.length).toBeGreaterThanOrEqual(46);
    expect(list.find((i) => i.name === 'STOCH')?.outputs).toEqual(['slowk', 'slowd']);
  });

  it('compute MACD --format json: equal-length arrays, null in warm-up, values equal to TA-Lib', async () => {
    const r = emp([
      'indicators',
      'compute',
      'MACD',
      '--input',
      MSFT,
      '--param',
      'fastperiod=5',
      '--param',
      'slowperiod=20',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, (number | null)[]>;
    expect(Object.keys(out)).toEqual(['time', 'macd', 'macdsignal', 'macdhist']);
    const ref = talibCompute('MACD', await loadBarsCsv(MSFT), { fastperiod: 5, slowperiod: 20 });
    for (const [j, key] of ['macd', 'macdsignal', 'macdhist'].entries()) {
      const col = out[key] as (number | null)[];
      expect(col).toHaveLength(out.time?.length ?? -1);
      col.forEach((v, i) => {
        const want = (ref[j] as Float64Array)[i] as number;
        if (Number.isNaN(want)) expect(v).toBeNull();
        else expect(Math.abs((v as number) - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      });
    }
  });

  it('compute --format csv: header time,<outputs>, empty cells in warm-up', () => {
    const r = emp(['indicators', 'compute', 'bbands', '-i', MSFT]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,upperband,middleband,lowerband');
    expect(lines[1]).toMatch(/^2000-\d\d-\d\dT00:00:00\.000Z,,,$/);
    expect(lines[5]?.split(',').every((c) => c !== '')).toBe(true);
  });

  it('bad parameters and unknown indicators: a clear error and exit code 2', () => {
    const a = emp(['indicators', 'compute', 'RSI', '-i', MSFT, '-p', 'period=3']);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/unknown parameter "period"/);
    const b = emp(['indicators', 'compute', 'RSJ', '-i', MSFT]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/unknown indicator "RSJ"/);
    const c = emp(['indicators', 'compute', 'RSI', '-i', MSFT, '-p', 'timeperiod=abc']);
    expect(c.status).toBe(2);
  });
});
