import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });
const dir = mkdtempSync(join(tmpdir(), 'emp-fuse-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const THB = sharedData('usdthb_1997_contributor_quotes_raw.csv');

describe('emp fuse', () => {
  it('fuses a price-only file and a bid/ask file, one row per input time', () => {
    const a = file('a.csv', 'time,price\n2024-01-01T00:00:00Z,100\n2024-01-01T00:00:01Z,100.1\n');
    const b = file('b.csv', 'time,bid,ask\n2024-01-01T00:00:00Z,99.9,100.1\n2024-01-01T00:00:01Z,100,100.2\n');
    const r = emp(['fuse', '-i', a, '-i', b, '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { time: string[]; price: number[]; status: string[]; sources: string[][] };
    expect(out.time).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z']);
    // Both sources agree (b's mid equals a's price), so the fused price is that price.
    expect(out.price[0]).toBeCloseTo(100, 9);
    expect(out.price[1]).toBeCloseTo(100.1, 9);
    // Two sources are fewer than the default minimum of three.
    expect(out.status).toEqual(['degraded', 'degraded']);
    expect(r.stderr).toMatch(/consistency: 100\.00%/);
  });

  it('names the file and line of a bad number and exits 2', () => {
    const a = file('ok.csv', 'time,price\n2024-01-01T00:00:00Z,100\n');
    const c = file('bad.csv', 'time,price\n2024-01-01T00:00:00Z,100.05\n2024-01-01T00:00:01Z,oops\n');
    const r = emp(['fuse', '-i', a, '-i', c]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${c}:3`);
    expect(r.stderr).toMatch(/bad price "oops"/);
  });

  it('fuses the real USD/THB contributor quotes: every fused price inside the quoted range, bad quote listed', () => {
    const r = emp([
      'fuse',
      '-i',
      THB,
      '--time-column',
      'XDATE',
      '--time-format',
      'yyyymmddhhmm',
      '--source-column',
      'CONTRIBUTOR',
      '--bid-column',
      'BID',
      '--ask-column',
      'ASK',
      '--max-age',
      '30m',
      '--interval',
      '1h',
      '--tolerance',
      '0.5%',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { time: string[]; price: (number | null)[] };
    // Independent check: read the raw quotes here and require each hourly fused price to lie
    // within the bids and asks quoted in the 30 minutes before it.
    const quotes = readFileSync(THB, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map(([d, , , bid, ask]) => ({
        t: Date.UTC(+d!.slice(0, 4), +d!.slice(4, 6) - 1, +d!.slice(6, 8), +d!.slice(8, 10), +d!.slice(10, 12)),
        bid: Number(bid),
        ask: Number(ask),
      }))
      .filter((q) => q.bid > 0 && q.ask > 0);
    let checked = 0;
    out.time.forEach((iso, i) => {
      const p = out.price[i];
      if (p === null || p === undefined) return;
      const t = Date.parse(iso);
      const recent = quotes.filter((q) => q.t <= t && q.t > t - 30 * 60_000);
      expect(recent.length).toBeGreaterThan(0);
      expect(p).toBeGreaterThanOrEqual(Math.min(...recent.map((q) => q.bid)));
      expect(p).toBeLessThanOrEqual(Math.max(...recent.map((q) => q.ask)));
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
    expect(r.stderr).toMatch(/usdthb_1997_contributor_quotes_raw\.csv:2788: GBNP: non-positive price/);
    expect(r.stderr).toMatch(/consistency: \d+\.\d+% of the time/);
  });
});
