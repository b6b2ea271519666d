import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './queue.ts';

describe('BoundedQueue', () => {
  it('drop_oldest: a slow consumer keeps memory bounded; drops are counted; the newest survive', () => {
    const q = new BoundedQueue<number>({ capacity: 100, policy: 'drop_oldest' });
    for (let i = 0; i < 100_000; i++) q.push(i);
    expect(q.length).toBe(100);
    expect(q.stats.maxDepth).toBe(100);
    expect(q.stats.dropped).toBe(99_900);
    expect(q.shift()).toBe(99_900);
  });

  it('coalesce: the latest quote per key replaces the queued one in place', () => {
    const q = new BoundedQueue<{ sym: string; px: number }>({ capacity: 10, policy: 'coalesce', key: (x) => x.sym });
    q.push({ sym: 'BTC', px: 1 });
    q.push({ sym: 'ETH', px: 2 });
    q.push({ sym: 'BTC', px: 3 });
    expect(q.length).toBe(2);
    expect(q.stats.coalesced).toBe(1);
    expect(q.shift()).toEqual({ sym: 'BTC', px: 3 });
    expect(q.shift()).toEqual({ sym: 'ETH', px: 2 });
    // After it left the queue, the key queues again.
    q.push({ sym: 'BTC', px: 4 });
    expect(q.length).toBe(1);
  });

  it('block: the producer waits for room and nothing is lost', async () => {
    const q = new BoundedQueue<number>({ capacity: 3, policy: 'block' });
    const got: number[] = [];
    const consumer = (async () => {
      for await (const x of q) {
        got.push(x);
        await new Promise((r) => setTimeout(r, 1));
        if (got.length === 50) return;
      }
    })();
    for (let i = 0; i < 50; i++) await q.push(i);
    await consumer;
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(q.stats.maxDepth).toBeLessThanOrEqual(3);
    expect(q.stats.dropped).toBe(0);
  });

  it('priorities: lane 0 first; drops come from the lowest-priority lane', () => {
    const q = new BoundedQueue<{ kind: string; n: number }>({
      capacity: 3,
      policy: 'drop_oldest',
      lanes: 2,
      priority: (x) => (x.kind === 'stat' ? 1 : 0),
    });
    q.push({ kind: 'stat', n: 1 });
    q.push({ kind: 'trade', n: 2 });
    q.push({ kind: 'stat', n: 3 });
    q.push({ kind: 'trade', n: 4 });
    expect(q.stats.dropped).toBe(1);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([
      { kind: 'trade', n: 2 },
      { kind: 'trade', n: 4 },
      { kind: 'stat', n: 3 },
      undefined,
    ]);
  });

  it('property: never holds more than capacity; pushed = popped + dropped + coalesced + still queued', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(-1)), { maxLength: 500 }),
        fc.integer({ min: 1, max: 20 }),
        (ops, cap) => {
          const q = new BoundedQueue<number>({
            capacity: cap,
            policy: 'coalesce',
            key: (x) => String(x),
            lanes: 2,
            priority: (x) => x % 2,
          });
          for (const op of ops) {
            if (op < 0) q.shift();
            else q.push(op);
            if (q.length > cap) return false;
          }
          const s = q.stats;
          return s.pushed === s.popped + s.dropped + s.coalesced + q.length;
        },
      ),
    );
  });
});
