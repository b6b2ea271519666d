import { afterAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../src/bus/bus.ts';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { Alert, EmpEvent, FusedPrice } from '../../src/core/events.ts';

const fused = (symbol: string, price: number, ts = Date.now()): FusedPrice => ({
  type: 'fused',
  symbol,
  ts,
  price,
  confidence: 0.1,
  status: 'ok',
  sources: [],
  excluded: [],
});
const alert: Alert = { type: 'alert', kind: 'source_down', severity: 'warning', symbol: null, ts: 1, message: 'x' };

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('InProcessBus', () => {
  it('routes by type and symbol; symbol-less events pass symbol filters', () => {
    const bus = new InProcessBus();
    const all: EmpEvent[] = [];
    const btc: EmpEvent[] = [];
    const alerts: EmpEvent[] = [];
    bus.subscribe({}, (e) => all.push(e));
    bus.subscribe({ types: ['fused'], symbols: ['BTC-USD'] }, (e) => btc.push(e));
    bus.subscribe({ types: ['alert'], symbols: ['BTC-USD'] }, (e) => alerts.push(e));
    bus.publish(fused('BTC-USD', 1));
    bus.publish(fused('ETH-USD', 2));
    bus.publish(alert);
    expect(all.length).toBe(3);
    expect(btc.map((e) => (e as FusedPrice).price)).toEqual([1]);
    expect(alerts).toEqual([alert]);
  });
  it('a throwing handler is counted and does not stop the others; unsubscribe stops delivery', () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus((e) => errors.push(e));
    let got = 0;
    bus.subscribe({ types: ['fused'] }, () => {
      throw new Error('boom');
    });
    const off = bus.subscribe({ types: ['fused'] }, () => got++);
    bus.publish(fused('BTC-USD', 1));
    off();
    bus.publish(fused('BTC-USD', 1));
    expect(got).toBe(1);
    expect(errors.length).toBe(2);
    expect(bus.stats.handlerErrors).toBe(2);
  });
});

describe('NatsJetStreamBus (real NATS JetStream on 127.0.0.1:4222)', () => {
  const name = `EMPTEST${process.pid}${Date.now() % 100000}`;
  const buses: NatsJetStreamBus[] = [];
  afterAll(async () => {
    await buses[0]?.destroy().catch(() => {});
    for (const b of buses) await b.close();
  });

  it('carries events between two connections, filtered by type and symbol, in order', async () => {
    const a = await NatsJetStreamBus.connect({ stream: name });
    const b = await NatsJetStreamBus.connect({ stream: name });
    buses.push(a, b);
    const got: FusedPrice[] = [];
    b.subscribe({ types: ['fused'], symbols: ['BTC-USD'] }, (e) => got.push(e as FusedPrice));
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 100; i++) a.publish(fused(i % 2 ? 'ETH-USD' : 'BTC-USD', i));
    a.publish(alert);
    await a.drain();
    expect(a.stats.acked).toBe(101);
    await until(() => got.length === 50);
    expect(got.map((e) => e.price)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
  });

  it('a late consumer replays history from a start time, then follows live', async () => {
    const a = buses[0] as NatsJetStreamBus;
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 10; i++) a.publish(fused('SOL-USD', 1000 + i));
    await a.drain();
    const c = await NatsJetStreamBus.connect({ stream: name });
    buses.push(c);
    const got: number[] = [];
    c.subscribe({ types: ['fused'], symbols: ['SOL-USD'] }, (e) => got.push((e as FusedPrice).price), { replayFromMs: start });
    await until(() => got.length === 10);
    a.publish(fused('SOL-USD', 2000));
    await until(() => got.length === 11);
    expect(got).toEqual([...Array.from({ length: 10 }, (_, i) => 1000 + i), 2000]);
  });
});
