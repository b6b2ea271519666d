import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const emp = (args: string[]) => spawnSync(join(root, 'bin', 'emp'), args, { encoding: 'utf8', cwd: root });
const FRAMES = join(root, 'test', 'venues', 'fixtures', 'binance-frames.jsonl');

describe('emp normalize', () => {
  it('prints normalized records one JSON per line and summarizes rejected frames and gaps on stderr', () => {
    const r = emp(['normalize', '--venue', 'binance', '--input', FRAMES]);
    expect(r.status).toBe(0);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(3);
    expect(recs[0]).toMatchObject({
      type: 'trade',
      venue: 'binance',
      symbol: 'BNB-BTC',
      ts: 1672515782136,
      price: 0.001,
      size: 100,
      side: 'sell',
      id: '12345',
    });
    expect(typeof recs[0]?.recvTs).toBe('number');
    expect(recs[1]).toMatchObject({
      type: 'quote',
      venue: 'binance',
      symbol: 'BNB-USDT',
      ts: null,
      bid: 25.3519,
      bidSize: 31.21,
      ask: 25.3652,
      askSize: 40.66,
    });
    expect(recs[2]).toMatchObject({ side: 'buy', price: 0.0012 });
    expect(r.stderr).toMatch(/binance-frames\.jsonl:5: not JSON/);
    expect(r.stderr).toMatch(/gap on binance BNB-BTC: expected 12346, received 12347/);
    expect(r.stderr).toMatch(/6 lines: 3 records, 1 control frames, 1 ignored, 1 rejected, 1 gaps/);
  });

  it('an unknown venue or a missing file: exit 2', () => {
    expect(emp(['normalize', '--venue', 'nasdaq', '--input', FRAMES]).status).toBe(2);
    expect(emp(['normalize', '--venue', 'okx', '--input', '/nonexistent.jsonl']).status).toBe(2);
  });
});
