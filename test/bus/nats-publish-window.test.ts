/**
 * A burst of publishes (the service's start-up history is tens of thousands of events) is
 * acknowledged in full and reaches a consumer in order: publishes go out through a window of
 * bounded size instead of all at once (which timed every one of them out and stalled the
 * consumers sharing the connection). Real NATS at 127.0.0.1:4222.
 */
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { Alert, EmpEvent } from '../../src/core/events.ts';

describe('NatsJetStreamBus under a burst of publishes', () => {
  it('every publish acknowledged, none dropped, all delivered in order', async () => {
    const stream = `BURST_${process.pid}_${Date.now() % 1_000_000}`;
    const bus = await NatsJetStreamBus.connect({ stream });
    const got: EmpEvent[] = [];
    bus.subscribe({ types: ['alert'] }, (e) => got.push(e));
    await bus.ready();
    const n = 40_000;
    try {
      for (let i = 0; i < n; i++) {
        const a: Alert = { type: 'alert', kind: 'source_down', severity: 'info', symbol: null, ts: i, message: 'x'.repeat(200) };
        bus.publish(a);
      }
      await bus.drain();
      expect(bus.stats).toMatchObject({ published: n, acked: n, publishErrors: 0, publishDropped: 0 });
      const end = Date.now() + 60_000;
      while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(got.length).toBe(n);
      expect(got.every((e, i) => e.ts === i)).toBe(true);
    } finally {
      await bus.destroy();
      await bus.close();
    }
  }, 120_000);

  it('a publish is not counted as failed because the event loop was busy when its ack arrived', async () => {
    // The service analyses its start-up history in one stretch of several seconds while the
    // history's events are being published: the acks wait in the socket until the loop turns.
    const stream = `BUSY_${process.pid}_${Date.now() % 1_000_000}`;
    const bus = await NatsJetStreamBus.connect({ stream });
    const n = 3000;
    try {
      for (let i = 0; i < n; i++) bus.publish({ type: 'alert', kind: 'source_down', severity: 'info', symbol: null, ts: i, message: 'x' });
      const t = Date.now();
      while (Date.now() - t < 6500) {
        // busy: longer than the NATS client's default 5-s ack timeout
      }
      await bus.drain();
      expect(bus.stats).toMatchObject({ published: n, acked: n, publishErrors: 0, publishDropped: 0 });
    } finally {
      await bus.destroy();
      await bus.close();
    }
  }, 60_000);
});
