import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

  it('lists a non-numeric or non-positive price by source, file and line, leaves it out and goes on', () => {
    const a = file('ok.csv', 'time,price\n2024-01-01T00:00:00Z,100\n2024-01-01T00:00:01Z,100\n2024-01-01T00:00:02Z,100\n');
    const c = file(
      'bad.csv',
      'time,price\n2024-01-01T00:00:00Z,100.05\n2024-01-01T00:00:01Z,oops\n2024-01-01T00:00:02Z,-1\n2024-01-01T00:00:02Z,\n',
    );
    const r = emp(['fuse', '-i', a, '-i', c, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${c}:3: bad: non-numeric price "oops"`);
    expect(r.stderr).toContain(`${c}:4: bad: non-positive price -1`);
    expect(r.stderr).toContain(`${c}:5: bad: non-numeric price ""`);
    expect(r.stderr).toMatch(/rows with a bad price, left out: 3/);
    const out = JSON.parse(r.stdout) as { time: string[]; price: number[]; sources: string[][] };
    // One row per input time; at 00:00:00 both sources (100, 100.05) are in use.
    expect(out.time).toHaveLength(3);
    expect(out.sources[0]?.sort()).toEqual(['bad', 'ok']);
    expect(out.price[0]).toBeGreaterThanOrEqual(100);
    expect(out.price[0]).toBeLessThanOrEqual(100.05);
  });

  it('refuses a row out of time order, naming file and line, unless --drop-disordered (then drops and counts it)', () => {
    const a = file(
      'ord.csv',
      'time,price\n2024-01-01T00:00:00Z,100\n2024-01-01T00:00:05Z,100.01\n2024-01-01T00:00:03Z,999\n2024-01-01T00:00:06Z,100.02\n',
    );
    const r = emp(['fuse', '-i', a]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${a}:4`);
    expect(r.stderr).toMatch(/before 2024-01-01T00:00:05\.000Z on line 3/);
    const d = emp(['fuse', '-i', a, '--drop-disordered', '--format', 'json']);
    expect(d.status).toBe(0);
    expect(d.stderr).toMatch(/rows out of time order, dropped \(--drop-disordered\): 1/);
    expect(d.stderr).toContain(`${a}:4: ord:`);
    const out = JSON.parse(d.stdout) as { time: string[]; price: number[] };
    expect(out.time).toHaveLength(3);
    // The dropped 999 never reached the fusion: every price within the other rows' range.
    expect(out.price.every((p) => p >= 100 && p <= 100.02)).toBe(true);
  });

  it('exits 2 with a clear message for a directory, a missing file or a file given twice', () => {
    const d = emp(['fuse', '-i', dir]);
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/is a directory: give the CSV files in it/);
    expect(d.stderr).not.toMatch(/internal error/);
    const m = emp(['fuse', '-i', join(dir, 'nope.csv')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/no such file/);
    const a = file('twice.csv', 'time,price\n2024-01-01T00:00:00Z,100\n');
    const t = emp(['fuse', '-i', a, '-i', a]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/given twice/);
  });

  it('names same-named files by their folder, and refuses names that stay ambiguous', () => {
    const sub = (path: string, text: string): string => {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      return file(path, text);
    };
    const x = sub('v1/x/quotes.csv', 'time,price\n2024-01-01T00:00:00Z,100\n');
    const y = sub('v1/y/quotes.csv', 'time,price\n2024-01-01T00:00:00Z,100.02\n');
    const r = emp(['fuse', '-i', x, '-i', y, '--format', 'json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { price: number[]; sources: string[][] };
    expect(out.sources[0]?.sort()).toEqual(['x', 'y']);
    expect(out.price[0]).toBeGreaterThanOrEqual(100);
    expect(out.price[0]).toBeLessThanOrEqual(100.02);
    expect(r.stderr).toMatch(/sources named by folder: x \(/);
    // Same file name and same folder name: cannot be told apart.
    const z = sub('v2/x/quotes.csv', 'time,price\n2024-01-01T00:00:00Z,101\n');
    const bad = emp(['fuse', '-i', x, '-i', z]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/both would be "x"/);
    // A file named like a source another file's source column names: refused, not merged.
    const col = file('col.csv', 'time,source,price\n2024-01-01T00:00:00Z,twin,100\n');
    const twin = file('twin.csv', 'time,price\n2024-01-01T00:00:00Z,101\n');
    const clash = emp(['fuse', '-i', col, '-i', twin]);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/source "twin" would come from both/);
  });

  it('v1 methods: hand-computed weighted-average and most-recent with weights, threshold and minute floor', () => {
    // a: 100 at 00:00:10, 101 at 00:01:30; b: 100.00005 at 00:00:20 (agrees within 1 pip), 103 at 00:01:05.
    const a = file('a.csv', 'time,price\n2024-01-01T00:00:10Z,100\n2024-01-01T00:01:30Z,101\n');
    const b = file('b.csv', 'time,price\n2024-01-01T00:00:20Z,100.00005\n2024-01-01T00:01:05Z,103\n');
    const run = (method: string, extra: string[] = []) => {
      const r = emp([
        'fuse',
        '-i',
        a,
        '-i',
        b,
        '--method',
        method,
        '--weights',
        'a=3',
        '--max-age',
        '5m',
        '--min-sources',
        '2',
        '--format',
        'json',
        ...extra,
      ]);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { price: number[]; status: string[]; sources: string[][] };
    };
    const wa = run('weighted-average');
    // 00:00:10 a alone; 00:00:20 within 1 pip: plain mean; then conflicts: (3·100 + 103)/4, (3·101 + 103)/4.
    expect(wa.price[0]).toBeCloseTo(100, 12);
    expect(wa.price[1]).toBeCloseTo(100.000025, 12);
    expect(wa.price[2]).toBeCloseTo(100.75, 12);
    expect(wa.price[3]).toBeCloseTo(101.5, 12);
    expect(wa.status).toEqual(['degraded', 'ok', 'ok', 'ok']);
    const mr = run('most-recent');
    // 00:01:05: b (minute 1) is later than a (minute 0); 00:01:30: both in minute 1, a tie: weighted mean.
    expect(mr.price[2]).toBeCloseTo(103, 12);
    expect(mr.sources[2]).toEqual(['b']);
    expect(mr.price[3]).toBeCloseTo(101.5, 12);
    // Without the floor a's 00:01:30 is the latest alone.
    expect(run('most-recent', ['--floor', '0']).price[3]).toBeCloseTo(101, 12);
    // A threshold of 5 price units makes 100 vs 103 an agreement: plain mean.
    expect(run('highest-confidence', ['--conflict-threshold', '5']).price[2]).toBeCloseTo(101.5, 12);
    expect(run('highest-confidence').price[2]).toBeCloseTo(100, 12);
    expect(run('median').price[2]).toBeCloseTo(101.5, 12);
  });

  it('refuses v1 options with the engine, unknown methods and weights for unknown sources (exit 2)', () => {
    const a = file('w.csv', 'time,price\n2024-01-01T00:00:00Z,100\n');
    const e = emp(['fuse', '-i', a, '--weights', 'w=2']);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/--weights: only for the v1 methods/);
    const m = emp(['fuse', '-i', a, '--method', 'mean']);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/unknown --method "mean"/);
    const u = emp(['fuse', '-i', a, '--method', 'weighted-average', '--weights', 'binanse=2']);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/no source "binanse" in the input \(sources: w\)/);
  });

  it('fuses the real USD/THB contributor quotes as the --help example: prices inside the quoted range, every hour with live quotes priced', () => {
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
      '--drop-disordered',
      '--max-age',
      '2h',
      '--min-sources',
      '2',
      '--interval',
      '1h',
      '--tolerance',
      '0.5%',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { time: string[]; price: (number | null)[]; status: string[] };
    // Independent check: read the raw quotes here and require each hourly fused price to lie
    // within the bids and asks quoted in the 2 hours before it.
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
    const window = 2 * 3_600_000;
    let quoted = 0;
    let priced = 0;
    out.time.forEach((iso, i) => {
      const t = Date.parse(iso);
      const recent = quotes.filter((q) => q.t <= t && q.t >= t - window);
      if (recent.length > 0) quoted++;
      const p = out.price[i];
      if (p === null || p === undefined) return;
      expect(recent.length).toBeGreaterThan(0);
      expect(p).toBeGreaterThanOrEqual(Math.min(...recent.map((q) => q.bid)));
      expect(p).toBeLessThanOrEqual(Math.max(...recent.map((q) => q.ask)));
      priced++;
    });
    // The hours without any quote in the 2 h before (weekends, 15–22 UTC) are the only ones
    // that may stay unknown in bulk: the summary counts them as gaps, and nearly every hour
    // with a live quote gets a price (the old example priced 148 of 701 hours).
    const unknown = out.status.filter((s) => s === 'unknown').length;
    expect(r.stderr).toContain(
      `rows without a price (status unknown): ${unknown} of ${out.time.length}: ${out.time.length - quoted} with no quote`,
    );
    expect(priced).toBeGreaterThanOrEqual(0.9 * quoted);
    expect(r.stderr).toMatch(/usdthb_1997_contributor_quotes_raw\.csv:2788: GBNP: non-positive price/);
    expect(r.stderr).toMatch(/usdthb_1997_contributor_quotes_raw\.csv:2363: WLDB: time 1997-06-20T02:36:00\.000Z is before/);
    expect(r.stderr).toMatch(/consistency: \d+\.\d+% of the time/);
  });
});
