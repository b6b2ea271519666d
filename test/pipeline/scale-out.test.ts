import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { FusedPrice } from '../../src/core/events.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import { PostgresStore } from '../../src/store/postgres.ts';

const until = async (pred: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

// Real NATS JetStream (127.0.0.1:4222) and PostgreSQL (127.0.0.1:5432), as `.ci/run` ensures.
describe('scale-out mode: NATS JetStream bus and PostgreSQL store', () => {
  it('publishes to JetStream where another process can follow, and stores closed bars in PostgreSQL', async () => {
    const tag = `t${process.pid}_${Date.now() % 1_000_000}`;
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      simulator: { seed: 5, speed: 120, transport: 'memory', historyMs: 0 },
      store: { kind: 'postgres', postgresSchema: `emp_${tag}` },
      bus: { kind: 'nats', stream: `EMP_${tag}` },
      analysis: { timeframes: ['1m'] },
    });
    const p = await LivePipeline.open(cfg, await simulatorSource(cfg, console), defaultParts(cfg));
    // Another consumer on its own connection, as a second process would be.
    const follower = await NatsJetStreamBus.connect({ stream: cfg.bus.stream });
    const seen: FusedPrice[] = [];
    follower.subscribe({ types: ['fused'] }, (e) => seen.push(e as FusedPrice));
    await follower.ready(); // its start point fixed before the first publish
    await p.start();
    const store = await PostgresStore.open({ schema: cfg.store.postgresSchema });
    try {
      await until(async () => (await store.bars({ symbol: 'BTC-USD', timeframe: '1m', limit: 10 })).length >= 2, 20_000);
      await until(() => seen.length >= 5, 10_000);
      expect(seen.every((f) => f.symbol === 'BTC-USD' && f.price > 0)).toBe(true);
      const bars = await store.bars({ symbol: 'BTC-USD', timeframe: '1m', limit: 10 });
      for (const b of bars) {
        expect(b.ts % 60_000).toBe(0);
        expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      }
    } finally {
      await p.stop();
      await follower.destroy();
      await follower.close();
      await store.dropSchema();
      await store.close();
    }
  }, 40_000);
});
