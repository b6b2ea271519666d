/**
 * A NATS crash-restart under a steady flow of publishes: the requests in flight when the
 * connection dropped can never be answered, and publishing resumes as soon as the client is back
 * rather than after their 30-s ack timeout (the whole window of 1,024 used to be such requests,
 * every publish of those 30 s queued behind them and went out in one burst, and what was
 * published during the reconnection was lost). A private nats-server of the soak's
 * (bench/soak-services.ts), so the machine's shared server at 127.0.0.1:4222 is not restarted.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPrivateNats } from '../../bench/soak-services.ts';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';

const until = async (pred: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
};

describe('NatsJetStreamBus across a NATS crash-restart', () => {
  it('publishes resume within seconds of the reconnect, and only those in flight at the crash fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-nats-restart-'));
    const log = createWriteStream(join(dir, 'nats.log'));
    const nats = await startPrivateNats(dir, log);
    const bus = await NatsJetStreamBus.connect({ servers: nats.url, stream: 'RESTART' });
    await bus.ready();
    // A subscriber on the same connection: what it hears after the restart.
    let heardAfter = 0;
    let restartTs = Number.POSITIVE_INFINITY;
    bus.subscribe({ types: ['alert'] }, (e) => {
      if ((e.ts ?? -1) >= restartTs) heardAfter++;
    });
    await bus.ready();
    let ts = 0;
    // About 2,000 events/s: the client's ~2-s reconnection spans more than a window's worth.
    const publisher = setInterval(() => {
      for (let k = 0; k < 20; k++)
        bus.publish({ type: 'alert', kind: 'source_down', severity: 'info', symbol: null, ts: ts++, message: 'x' });
    }, 10);
    try {
      expect(await until(() => bus.stats.acked > 2000, 10_000)).toBe(true);
      restartTs = ts;
      await nats.restart();
      const ackedAtRestart = bus.stats.acked;
      // Before: nothing was acknowledged again until the lost requests' 30-s timeout.
      expect(await until(() => bus.stats.acked > ackedAtRestart + 2000, 12_000)).toBe(true);
      // And the subscriber hears what is published after the restart within seconds (before: the
      // client's re-created ordered consumer stalled ~45 s, two missed 15-s heartbeats).
      expect(await until(() => heardAfter > 2000, 12_000)).toBe(true);
      clearInterval(publisher);
      await bus.drain();
      const { published, acked, publishErrors, publishDropped } = bus.stats;
      expect(publishDropped).toBe(0);
      expect(acked + publishErrors).toBe(published);
      // Only what was in flight at the crash (a handful at this rate), not a window's worth
      // nor what was published while the client reconnected (before: 1,024 and more).
      expect(publishErrors).toBeLessThan(200);
    } finally {
      clearInterval(publisher);
      await bus.close();
      await nats.stop();
      log.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
