/**
 * A bus closed a moment after a subscription was made (a start that fails right after the API
 * subscribed its gateway: a port in use): the close completes. The client settles a consumer's
 * close through its messages' iterator, and the subscription, unsubscribed before it had read
 * anything, never read it: the close waited for ever. Against the machine's NATS (127.0.0.1:4222).
 */
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';

describe('NatsJetStreamBus closed right after a subscribe', () => {
  it('closes within seconds whatever the moment', async () => {
    const stream = `CLOSE_${process.pid}`;
    for (const delayMs of [0, 0, 1, 2, 5]) {
      const bus = await NatsJetStreamBus.connect({ stream });
      bus.subscribe({ types: ['alert'] }, () => {});
      await new Promise((r) => setTimeout(r, delayMs));
      const outcome = await Promise.race([
        bus.close().then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still closing after 10 s'), 10_000).unref()),
      ]);
      expect(outcome, `closed ${delayMs} ms after subscribing`).toBe('closed');
    }
    const bus = await NatsJetStreamBus.connect({ stream });
    await bus.destroy();
    await bus.close();
  }, 90_000);
});
