import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('list: TA-Lib groups, parity functions marked = and extras +, with the counts', () => {
    const r = emp(['indicators', 'list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cycle \(5\)$/m);
    expect(r.stdout).toMatch(/^math-transform \(15\)$/m);
    expect(r.stdout).toMatch(/^ {2}= HT_SINE /m);
    expect(r.stdout).toMatch(/= 100 TA-Lib functions at parity/);
    const json = JSON.parse(emp(['indicators', 'list', '--format', 'json']).stdout) as { name: string; source: string }[];
    expect(json.filter((i) => i.source === 'ta-lib')).toHaveLength(100);
  });

  it('two-series functions read high and low by default; --param price0=close picks another column', async () => {
    const bars = await loadBarsCsv(MSFT);
    for (const [args, params] of [
      [[], {}],
      [['-p', 'price0=close', '-p', 'price1=open'], { price0: 3, price1: 0 }],
    ] as const) {
      const r = emp(['indicators', 'compute', 'CORREL', '-i', MSFT, '--format', 'json', ...args]);
      expect(r.status).toBe(0);
      const got = (JSON.parse(r.stdout) as { real: (number | null)[] }).real;
      const want = talibCompute('CORREL', bars, params)[0] as Float64Array;
      got.forEach((v, i) => {
        const w = want[i] as number;
        if (Number.isNaN(w)) expect(v).toBeNull();
        else expect(Math.abs((v as number) - w)).toBeLessThanOrEqual(1e-9);
      });
    }
    const bad = emp(['indicators', 'compute', 'BETA', '-i', MSFT, '-p', 'price0=closing']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/a column: open, high, low, close, volume, periods/);
  });

  it("MAVP takes each bar's period from a CSV column", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-mavp-'));
    const file = join(dir, 'bars.csv');
    const lines = readFileSync(MSFT, 'utf8').trim().split('\n');
    const periods = lines.slice(1).map((_, i) => 2 + ((i * 7) % 40));
    writeFileSync(
      file,
      `${lines[0]},per\n${lines
        .slice(1)
        .map((l, i) => `${l},${periods[i]}`)
        .join('\n')}\n`,
    );
    const r = emp(['indicators', 'compute', 'MAVP', '-i', file, '--periods-column', 'per', '-p', 'matype=1', '--format', 'json']);
    expect(r.status).toBe(0);
    const got = (JSON.parse(r.stdout) as { real: (number | null)[] }).real;
    const want = talibCompute(
      'MAVP',
      { ...(await loadBarsCsv(MSFT)), periods: Float64Array.from(periods) },
      { matype: 1 },
    )[0] as Float64Array;
    expect(got.filter((v) => v !== null).length).toBeGreaterThan(200);
    got.forEach((v, i) => {
      const w = want[i] as number;
      if (Number.isNaN(w)) expect(v).toBeNull();
      else expect(Math.abs((v as number) - w)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
    });
    const missing = emp(['indicators', 'compute', 'MAVP', '-i', MSFT]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no "periods" column/);
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
