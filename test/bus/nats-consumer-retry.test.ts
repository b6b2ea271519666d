/**
 * A JetStream subscription whose consumer cannot be created (here: the stream is gone) keeps
 * retrying, counts each failure, and delivers once the stream is back; real NATS at
 * 127.0.0.1:4222, as `.ci/run` ensures.
 */
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { Alert, EmpEvent } from '../../src/core/events.ts';

const until = async (pred: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('NatsJetStreamBus subscription', () => {
  it('survives a consumer that cannot be created yet: retried, counted, then delivering', async () => {
    const stream = `RETRY_${process.pid}_${Date.now() % 1_000_000}`;
    const a = await NatsJetStreamBus.connect({ stream });
    await a.destroy();
    const got: EmpEvent[] = [];
    a.subscribe({ types: ['alert'] }, (e) => got.push(e));
    // Start is not held up by it.
    await a.ready();
    await until(() => a.stats.consumerErrors >= 2, 5000);
    expect(a.stats.consumersCreated).toBe(0);
    // The stream comes back (another process creating it); the subscription finds it.
    const b = await NatsJetStreamBus.connect({ stream });
    try {
      await until(() => a.stats.consumersCreated === 1, 10_000);
      const alert: Alert = { type: 'alert', kind: 'source_down', severity: 'warning', symbol: null, ts: 1, message: 'back' };
      b.publish(alert);
      await until(() => got.length === 1, 5000);
      expect(got[0]).toEqual(alert);
    } finally {
      await b.destroy();
      await b.close();
      await a.close();
    }
  }, 30_000);
});
