import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGIMES } from '../../src/core/regime.ts';
import { sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const NYSE = sharedData('nyse_composite_1966_2003_daily.csv');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });

describe('emp regimes', () => {
  it('works on a close-only file: one label per row, a probability array per label, changes, transition matrix', () => {
    const r = emp(['regimes', '--input', NYSE, '--drop-disordered', '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      time: string[];
      regime: string[];
      probabilities: Record<string, number[]>;
      transitionMatrix: { labels: string[]; matrix: number[][] };
      changes: { time: string; from: string; to: string; probability: number }[];
      changePoints: { detected: string; start: string; probability: number }[];
    };
    expect(out.regime).toHaveLength(out.time.length);
    expect(Object.keys(out.probabilities)).toEqual([...REGIMES]);
    for (const r of REGIMES) expect(out.probabilities[r]).toHaveLength(out.time.length);
    expect(out.transitionMatrix.labels).toEqual([...REGIMES]);
    expect(out.changes.length).toBeGreaterThan(10);
    // The October 1987 crash: 19 October is labelled crash or high volatility.
    const i = out.time.indexOf('1987-10-19T00:00:00.000Z');
    expect(i).toBeGreaterThan(0);
    expect(['crash', 'high_volatility']).toContain(out.regime[i]);
    expect(r.stderr).toMatch(/:289: dropped row/);
    // BOCPD places a change point at the start of the 1987 crash, reported within days.
    const oct87 = out.changePoints.find((c) => c.start >= '1987-10-12' && c.start <= '1987-10-20');
    expect(oct87).toBeDefined();
    expect((oct87?.detected ?? '') <= '1987-10-21').toBe(true);
  });

  it('every method runs on the real file; --smoothed (hmm) is two-sided: its labels change less often than the causal ones', () => {
    const parse = (args: string[]) => {
      const r = emp(['regimes', '--input', NYSE, '--drop-disordered', '--format', 'json', ...args]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { time: string[]; regime: string[]; changes: unknown[] };
    };
    for (const m of ['hmm', 'hmm-fit', 'jump']) {
      const out = parse(['--method', m]);
      expect(out.regime).toHaveLength(out.time.length);
      for (const x of out.regime) expect(REGIMES).toContain(x);
    }
    expect(parse(['--method', 'hmm', '--smoothed']).changes.length).toBeLessThan(parse(['--method', 'hmm']).changes.length);
  });

  it('an OHLCV file (MSFT): auto (adaptive, causal), and the OHLCV HMM causal or --smoothed', () => {
    const MSFT = sharedData('msft_2000_2001_daily.csv');
    for (const extra of [[], ['--method', 'hmm'], ['--method', 'hmm', '--smoothed']]) {
      const r = emp(['regimes', '--input', MSFT, '--format', 'json', ...extra]);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { time: string[]; regime: string[]; probabilities: Record<string, number[]> };
      expect(out.regime).toHaveLength(out.time.length);
      const last = out.time.length - 1;
      expect(Math.abs(REGIMES.reduce((a, x) => a + (out.probabilities[x]?.[last] as number), 0) - 1)).toBeLessThan(1e-9);
    }
  });

  it('emp evaluate regimes --family prints the family table (adaptive, oracle, baselines) and the forecast table; unknown cases exit 2', () => {
    const r = emp(['evaluate', 'regimes', '--family', '--seeds', '1001', '--cases', 'daily-close-only']);
    expect(r.status).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('| daily-close-only'));
    expect(row).toBeDefined();
    // bars, then four balanced accuracies in %: adaptive, oracle, volatility rule, template filter.
    const cells = (row as string).split('|').map((x) => x.trim());
    const [adaptive, oracle, rule] = cells.slice(3, 6).map(Number);
    for (const x of [adaptive, oracle, rule]) expect(x).toBeGreaterThan(0);
    expect(oracle).toBeGreaterThan(rule as number);
    // The scale-free oracle through the label rule is a column of its own, and no better than the oracle by more than argmax's small margin.
    const header = r.stdout.split('\n').find((l) => l.startsWith('| parameterisation')) as string;
    const col = header
      .split('|')
      .map((x) => x.trim())
      .indexOf('scale-free oracle, labelled');
    expect(col).toBeGreaterThan(0);
    expect(Number(cells[col])).toBeGreaterThan(rule as number);
    expect(Number(cells[col])).toBeLessThan((oracle as number) + 3);
    expect(r.stdout).toMatch(/\| 5 \| [0-9.]+ \| [0-9.]+ \|/);
    expect(emp(['evaluate', 'regimes', '--family', '--cases', 'nope']).status).toBe(2);
  });

  it('--tails 5 reads the regimes as fat-tailed too: on the NYSE composite its labels change less often; the family report takes it; bad values exit 2', () => {
    const changes = (extra: string[]): number => {
      const r = emp(['regimes', '--input', NYSE, '--drop-disordered', '--format', 'json', ...extra]);
      expect(r.status).toBe(0);
      return (JSON.parse(r.stdout) as { changes: unknown[] }).changes.length;
    };
    // Gaussian regimes read a single shock as a visit to a wilder regime and back (README: 5.6 against 4.6 changes a year).
    expect(changes(['--tails', '5'])).toBeLessThan(changes([]));
    for (const bad of [
      ['--tails', '2'],
      ['--tails', 'five'],
      ['--tails', 'Infinity'],
      ['--method', 'hmm', '--tails', '5'],
    ]) {
      const r = emp(['regimes', '--input', NYSE, '--drop-disordered', ...bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--tails/);
    }
    // The family report takes it too (the README's figures with the option), and says so in its protocol.
    const family = emp(['evaluate', 'regimes', '--family', '--seeds', '1001', '--cases', 'daily-close-only', '--tails', '5']);
    expect(family.status).toBe(0);
    expect(family.stdout).toMatch(/Student t with 5 degrees of freedom/);
    expect(family.stdout).toMatch(/\| daily-close-only: /);
    expect(emp(['evaluate', 'regimes', '--family', '--tails', '1']).status).toBe(2);
    expect(emp(['evaluate', 'regimes', '--tails', '5']).status).toBe(2);
  });

  it('refuses --smoothed for causal-only methods, and unknown methods, with exit 2', () => {
    expect(emp(['regimes', '--input', NYSE, '--drop-disordered', '--smoothed']).status).toBe(2);
    expect(emp(['regimes', '--input', NYSE, '--drop-disordered', '--method', 'jump', '--smoothed']).status).toBe(2);
    expect(emp(['regimes', '--input', NYSE, '--drop-disordered', '--method', 'nope']).status).toBe(2);
  });
});
