/**
 * The stream's limits come from the config (`bus.maxAgeMs`, `bus.maxBytes`), on the real NATS
 * JetStream, and a stream made earlier is updated to them; and the store writer's marks, which the
 * analyze role waits on before acknowledging records, say committed only after the commit.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { Bar } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import type { MarketStore, StoreBatch } from '../../src/store/store.ts';
import { StoreWriter } from '../../src/store/writer.ts';

describe('JetStream limits from the config (real NATS)', () => {
  it('max age and max bytes are set, and changed on an existing stream', async () => {
    const stream = `EMP_LIMITS_${process.pid}_${Date.now() % 1_000_000}`;
    const cfg = parseConfig({ bus: { kind: 'nats', stream, maxAgeMs: 90_000, maxBytes: 10_000_000 } });
    expect(parseConfig({}).bus.maxAgeMs).toBe(3_600_000);
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    try {
      const a = await NatsJetStreamBus.connect({ stream, maxAgeMs: cfg.bus.maxAgeMs, maxBytes: cfg.bus.maxBytes });
      await a.close();
      let info = await jsm.streams.info(stream);
      expect(info.config.max_age).toBe(90_000 * 1e6);
      expect(info.config.max_bytes).toBe(10_000_000);
      const b = await NatsJetStreamBus.connect({ stream, maxAgeMs: 7_200_000 });
      await b.close();
      info = await jsm.streams.info(stream);
      expect(info.config.max_age).toBe(7_200_000 * 1e6);
      expect(info.config.max_bytes).toBe(-1);
    } finally {
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    }
  });
});

describe('StoreWriter marks', () => {
  it('a mark is committed only once a flush after it succeeded, a failed flush does not count', async () => {
    let fail = true;
    const appended: StoreBatch[] = [];
    const store = {
      append: async (b: StoreBatch) => {
        if (fail) throw new Error('store down');
        appended.push(b);
      },
    } as unknown as MarketStore;
    const w = new StoreWriter(store, { intervalMs: 60_000, onError: () => {} });
    const bar: Bar = { type: 'bar', symbol: 'X-USD', timeframe: '1m', ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 0, final: true };
    w.bar(bar);
    const m = w.mark();
    expect(w.committed(m)).toBe(false);
    await w.flush();
    expect(w.committed(m)).toBe(false);
    fail = false;
    w.bar({ ...bar, ts: 60_000 });
    const m2 = w.mark();
    await w.flush();
    expect(w.committed(m)).toBe(true);
    expect(w.committed(m2)).toBe(true);
    expect(appended[0]?.bars).toHaveLength(2);
    await w.close();
  });
});
