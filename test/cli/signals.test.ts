import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const MSFT = sharedData('msft_2000_2001_daily.csv');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 26 });

describe('emp signals / evaluate signals', () => {
  it('signals --format json: side, strength, confidence, confirmations, reasons', () => {
    const r = emp(['signals', '-i', MSFT, '--strategy', 'mean_reversion', '--timeframes', '1d,1w', '--format', 'json']);
    expect(r.status).toBe(0);
    const hits = JSON.parse(r.stdout) as {
      time: string;
      side: string;
      strength: number;
      confidence: number;
      reasons: string[];
      confirmations: { timeframe: string }[];
    }[];
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      expect(['buy', 'sell']).toContain(h.side);
      expect(h.reasons.some((x) => x.startsWith('RSI(14)'))).toBe(true);
      expect(h.confirmations[0]?.timeframe).toBe('1w');
    }
  });

  it('evaluate signals: every strategy beside random, ma_cross and buy-and-hold, with calibration', () => {
    const r = emp(['evaluate', 'signals', '-i', MSFT, '--cost-bps', '5']);
    expect(r.status).toBe(0);
    for (const row of [
      '| trend_following |',
      '| mean_reversion |',
      '| breakout |',
      'random, same count as breakout',
      '| ma_cross (baseline',
      '| buy and hold |',
    ]) {
      expect(r.stdout).toContain(row);
    }
    expect(r.stdout).toMatch(/reliability/);
    expect(r.stdout).toMatch(/accuracy–coverage/);
    expect(r.stdout).toContain('| regime_breakout |');
  });

  it('evaluate signals --format json: methods, calibration and coverage as the issue specifies', () => {
    const r = emp(['evaluate', 'signals', '-i', MSFT, '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as {
      methods: Record<string, unknown>[];
      calibration: Record<string, unknown>[];
      coverage: Record<string, unknown>[];
    };
    for (const k of ['name', 'signals', 'hitRate', 'ece', 'brierSkill', 'avgReturnBps', 'sharpe', 'deflatedSharpe'])
      expect(j.methods[0]).toHaveProperty(k);
    for (const k of ['method', 'bucket', 'n', 'predicted', 'realized']) expect(j.calibration[0]).toHaveProperty(k);
    for (const k of ['method', 'threshold', 'coverage', 'hitRate']) expect(j.coverage[0]).toHaveProperty(k);
    expect(j.methods.map((m) => m.name)).toContain('buy and hold');
  });

  it('evaluate signals --suite --format json: the calibration verdict recounts from the series it closes', () => {
    const r = emp(['evaluate', 'signals', '--suite', DATA_DIR, '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as {
      series: { name: string; methods: { kind: string; signals: number; ece: number; eceChance: number; eceTargetChance: number }[] }[];
      calibration: { pairs: number; atMostTarget: number; expectedAbove: number; allChance: number };
    };
    const cards = j.series
      .filter((s) => !s.name.includes('control') && !s.name.startsWith('simulated'))
      .flatMap((s) => s.methods.filter((m) => m.kind === 'strategy' && m.signals >= 100));
    expect(cards.length).toBeGreaterThan(5);
    expect(j.calibration.pairs).toBe(cards.length);
    expect(j.calibration.atMostTarget).toBe(cards.filter((c) => c.ece <= 0.05).length);
    for (const c of cards) {
      expect(c.eceChance).toBeGreaterThanOrEqual(0);
      // One bin at the true rate is the least noise: spread confidences meet the target less often (allowing Monte Carlo error).
      expect(c.eceChance).toBeLessThanOrEqual(c.eceTargetChance + 0.1);
    }
    expect(j.calibration.allChance).toBeCloseTo(
      cards.reduce((a, c) => a * c.eceTargetChance, 1),
      12,
    );
  });

  it('evaluate signals --family: one row per strategy over simulated seeds, JSON too', () => {
    const r = emp(['evaluate', 'signals', '--family', '1-2', '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { family: { seeds: number[] }; methods: { method: string; series: number }[] };
    expect(j.family.seeds).toEqual([1, 2]);
    expect(j.methods.map((m) => m.method)).toContain('regime_breakout');
    for (const m of j.methods) expect(m.series).toBe(2);
    expect(emp(['evaluate', 'signals', '--family', '5-4']).status).toBe(2);
  });

  it('unknown strategy or no input: exit 2', () => {
    expect(emp(['signals', '-i', MSFT, '--strategy', 'moon']).status).toBe(2);
    expect(emp(['evaluate', 'signals']).status).toBe(2);
    expect(emp(['evaluate', 'signals', '-i', MSFT, '--calibration', 'magic']).status).toBe(2);
  });
});
