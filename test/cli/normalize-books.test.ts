import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root });
const fixture = (name: string) => join(root, 'test', 'venues', 'fixtures', name);
const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('emp normalize: L2 book frames', () => {
  it('Kraken: the documented snapshot, a checked update, a bad checksum → gap; trades still pass', () => {
    const r = emp(['normalize', '--venue', 'kraken', '--input', fixture('kraken-book-frames.jsonl')]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.type)).toEqual(['book', 'book', 'gap', 'trade']);
    expect(Object.keys(out[0] as object)).toEqual(['type', 'venue', 'symbol', 'ts', 'recvTs', 'bids', 'asks']);
    expect(out[0]).toMatchObject({ venue: 'kraken', symbol: 'BTC-USD', ts: null });
    expect(out[0]?.bids).toEqual(expect.arrayContaining([[45283.5, 0.1]]));
    expect((out[0]?.bids as number[][] | undefined)?.[0]).toEqual([45283.5, 0.1]);
    expect((out[1]?.asks as number[][] | undefined)?.[0]).toEqual([45285, 0.5]);
    expect(out[2]).toMatchObject({ type: 'gap', venue: 'kraken', symbol: 'BTC-USD', reason: 'checksum', expected: 1 });
    expect(r.stderr).toMatch(/books: 1 snapshots, .* 1 checksum/);
  });

  it('Binance: buffered diff + REST snapshot, a missed update id → gap, resync from the next snapshot', () => {
    const r = emp(['normalize', '--venue', 'binance', '--input', fixture('binance-book-frames.jsonl')]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.type)).toEqual(['book', 'book', 'book', 'gap', 'book', 'book', 'trade']);
    expect(out[1]).toMatchObject({
      symbol: 'BTC-USDT',
      ts: 1700000000101,
      bids: [
        [99.5, 2],
        [99, 1],
        [98, 4],
      ],
      asks: [
        [100.5, 3],
        [101, 1],
      ],
    });
    expect(out[3]).toMatchObject({ type: 'gap', reason: 'sequence', expected: 106, received: 108 });
    // Resynced: the second snapshot (id 110) and the buffered event 110-111 on it.
    expect(out[5]?.bids).toEqual([
      [99.5, 2],
      [97, 1],
      [96, 1],
    ]);
  });

  it('Coinbase: level2 and market_trades interleaved on one connection, no spurious gap (one sequence_num for all)', () => {
    const r = emp(['normalize', '--venue', 'coinbase', '--input', fixture('coinbase-book-frames.jsonl')]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.type)).toEqual(['book', 'trade', 'book', 'trade']);
    expect(out[2]).toMatchObject({ bids: [], asks: [[21921.74, 1.5]] });
    expect(r.stderr).not.toMatch(/gap on coinbase/);
    expect(r.stderr).toMatch(/0 gaps/);
  });
});
