import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InProcessBus } from '../../src/bus/bus.ts';
import type { FusedPrice } from '../../src/core/events.ts';
import { listIndicators } from '../../src/indicators/index.ts';
import { type ApiBackend, type RunningServer, startServer } from '../../src/server/server.ts';
import { openSource, testBackend, unpricedInstruments } from './backend-fixture.ts';

function backend(): ApiBackend & { bus: InProcessBus } {
  const b = testBackend({
    bus: new InProcessBus(),
    instruments: () => unpricedInstruments('BTC-USD', 'ETH-USD'),
    symbols: () => ['BTC-USD', 'ETH-USD', 'SOL-USD'],
    sources: () => [openSource('binance')],
    indicatorCatalogue: () => listIndicators().filter((i) => i.name === 'SMA'),
  });
  b.metricsRegistry.register('emp_events_total', 'counter', 'events', () => 42);
  return b;
}

const fused = (symbol: string, price: number, pad = ''): FusedPrice => ({
  type: 'fused',
  symbol,
  ts: Date.now(),
  price,
  confidence: 0.5,
  status: 'ok',
  sources: pad ? [{ venue: pad, price, weight: 1 }] : [],
  excluded: [],
});

/** A client that records every message and can wait for a predicate over them. */
class TestClient {
  readonly messages: Record<string, unknown>[] = [];
  closeCode: number | null = null;
  readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  constructor(url: string, opts?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()) as Record<string, unknown>);
      for (const w of this.waiters) w();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters) w();
    });
    this.ws.on('error', () => {});
  }
  open(): Promise<void> {
    return new Promise((res, rej) => {
      this.ws.once('open', () => res());
      this.ws.once('error', rej);
      this.ws.once('unexpected-response', (_req, r) => rej(new Error(`HTTP ${r.statusCode}`)));
    });
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  async until(pred: (ms: Record<string, unknown>[]) => boolean, ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.messages)) {
      if (Date.now() > end) throw new Error(`timed out; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  of(type: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.type === type);
  }
}

describe('API on loopback', () => {
  let srv: RunningServer;
  let be: ReturnType<typeof backend>;
  const wsUrl = (): string => `${srv.url.replace('http', 'ws')}/ws`;
  beforeAll(async () => {
    be = backend();
    srv = await startServer(be, {
      host: '127.0.0.1',
      port: 0,
      gateway: { sendHighWaterBytes: 64 * 1024, slowClientTimeoutMs: 300, heartbeatMs: 5000, rateLimitPerSec: 20 },
    });
  });
  afterAll(async () => {
    await srv.close();
  });

  it('serves health, ready, catalogue and Prometheus metrics', async () => {
    expect(await (await fetch(`${srv.url}/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${srv.url}/ready`)).status).toBe(200);
    const instruments = (await (await fetch(`${srv.url}/api/instruments`)).json()) as { symbol: string; price: null }[];
    expect(instruments.map((i) => [i.symbol, i.price])).toEqual([
      ['BTC-USD', null],
      ['ETH-USD', null],
    ]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toContain('emp_events_total 42');
    expect(metrics).toMatch(/^emp_api_ws_clients \d+$/m);
    // One registry: each family declared once, the backend's and the API's together.
    const types = metrics.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    expect(types).toContain('# TYPE emp_events_total counter');
  });

  it('answers history queries from the store and rejects bad parameters', async () => {
    await be.store.append({
      bars: [0, 1, 2].map((i) => ({
        type: 'bar',
        symbol: 'BTC-USD',
        timeframe: '1m',
        ts: i * 60_000,
        open: 1,
        high: 2,
        low: 0.5,
        close: 1 + i,
        volume: 3,
        final: true,
      })),
    });
    const bars = (await (await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=1m&from=60000`)).json()) as { close: number }[];
    expect(bars.map((b) => b.close)).toEqual([2, 3]);
    expect((await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=7m`)).status).toBe(400);
    expect((await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=1m&limit=-1`)).status).toBe(400);
    expect((await fetch(`${srv.url}/api/history/bars?symbol=BTC-USD&timeframe=1m&bogus=1`)).status).toBe(400);
    expect((await fetch(`${srv.url}/api/history/nope`)).status).toBe(404);
  });

  it('subscribe: snapshot of the latest per symbol, then only the subscribed symbols', async () => {
    be.bus.publish(fused('BTC-USD', 100));
    be.bus.publish(fused('ETH-USD', 10));
    const c = new TestClient(wsUrl());
    await c.open();
    c.send({ op: 'subscribe', channel: 'fused', symbols: ['BTC-USD'] });
    await c.until((m) => m.some((x) => x.type === 'snapshot'));
    const snap = c.of('snapshot')[0] as { channel: string; items: FusedPrice[] };
    expect(snap.channel).toBe('fused');
    expect(snap.items.map((i) => [i.symbol, i.price])).toEqual([['BTC-USD', 100]]);
    be.bus.publish(fused('ETH-USD', 11));
    be.bus.publish(fused('BTC-USD', 101));
    await c.until((m) => m.some((x) => x.channel === 'fused' && x.price === 101));
    const updates = c.messages.filter((m) => m.channel === 'fused' && m.type === 'fused');
    expect(updates.map((u) => [u.symbol, u.price])).toEqual([['BTC-USD', 101]]);
    expect(updates[0]).toMatchObject({ symbol: 'BTC-USD', price: 101, confidence: 0.5, status: 'ok' });
    c.send({ op: 'unsubscribe', channel: 'fused' });
    await c.until((m) => m.some((x) => x.type === 'unsubscribed'));
    be.bus.publish(fused('BTC-USD', 102));
    c.send({ op: 'ping', id: 7 });
    await c.until((m) => m.some((x) => x.type === 'pong'));
    expect(c.messages.some((m) => m.price === 102)).toBe(false);
    c.ws.close();
  });

  it('bad messages get an error and the connection stays usable', async () => {
    const c = new TestClient(wsUrl());
    await c.open();
    c.send('not json');
    c.send({ op: 'subscribe', channel: 'bars:7m' });
    c.send({ op: 'subscribe', channel: 'fused', extra: 1 });
    c.send({ op: 'fly' });
    await c.until((m) => m.filter((x) => x.type === 'error').length === 4);
    expect(c.of('error').map((e) => e.code)).toEqual(['BAD_JSON', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE']);
    expect(String(c.of('error')[1]?.error)).toMatch(/unknown channel/);
    c.send({ op: 'subscribe', channel: 'bars:1m' });
    await c.until((m) => m.some((x) => x.type === 'snapshot'));
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('refuses oversized messages by closing with 1009, and keeps serving others', async () => {
    const c = new TestClient(wsUrl());
    await c.open();
    c.send({ op: 'ping', id: 'x'.repeat(20_000) });
    await c.until(() => c.closeCode !== null);
    expect(c.closeCode).toBe(1009);
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
  });

  it('rate-limits a flooding client with errors, without disconnecting it', async () => {
    const c = new TestClient(wsUrl());
    await c.open();
    for (let i = 0; i < 100; i++) c.send({ op: 'ping', id: i });
    await c.until((m) => m.filter((x) => x.type === 'pong' || x.code === 'RATE_LIMITED').length === 100);
    expect(c.of('pong').length).toBeLessThanOrEqual(45);
    expect(c.messages.filter((x) => x.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(55);
    c.ws.close();
  });

  it('rejects browser origins other than its own', async () => {
    const evil = new TestClient(wsUrl(), { origin: 'http://evil.example' });
    await expect(evil.open()).rejects.toThrow(/403/);
    const own = new TestClient(wsUrl(), { origin: srv.url });
    await own.open();
    own.ws.close();
  });

  it('a slow client is dropped-for then disconnected; a fast one gets every update; memory stays bounded', async () => {
    const slow = new TestClient(wsUrl());
    const fast = new TestClient(wsUrl());
    await Promise.all([slow.open(), fast.open()]);
    for (const c of [slow, fast]) c.send({ op: 'subscribe', channel: 'fused', symbols: ['SOL-USD'] });
    await slow.until((m) => m.some((x) => x.type === 'snapshot'));
    await fast.until((m) => m.some((x) => x.type === 'snapshot'));
    // Stop reading on the slow client's socket: the server's send buffer for it fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const pad = 'v'.repeat(2000);
    const N = 3000;
    let maxBuffered = 0;
    for (let i = 0; i < N; i++) {
      be.bus.publish(fused('SOL-USD', i, pad));
      // Bursts of 20 × 2 kB stay under the 64 kB high-water mark of a client that keeps reading.
      if (i % 20 === 19) {
        await new Promise((r) => setTimeout(r, 5));
        // bufferedAmount of the server-side sockets, via the gateway's own view of its clients
        for (const c of (srv.gateway as unknown as { clients: Set<{ ws: WebSocket }> }).clients)
          maxBuffered = Math.max(maxBuffered, c.ws.bufferedAmount);
      }
    }
    await fast.until((m) => m.filter((x) => x.type === 'fused').length === N, 10_000);
    expect(fast.messages.filter((x) => x.type === 'fused').map((x) => x.price)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(srv.gateway.stats.dropped).toBeGreaterThan(0);
    // Bounded: the high-water mark plus at most one message in flight.
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024 + 4096);
    // The disconnect is due once the client has been over the mark for the timeout: at the next send,
    // or, when the burst ended sooner (a loaded machine), at the next heartbeat (every 5 s here).
    for (const until = Date.now() + 11_000; srv.gateway.stats.slowDisconnects < 1 && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 20));
    expect(srv.gateway.stats.slowDisconnects).toBeGreaterThanOrEqual(1);
    fast.ws.close();
  });
});

describe('API security off loopback', () => {
  it('refuses to start on a non-loopback address without a token', async () => {
    await expect(startServer(backend(), { host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it('with a token: HTTP data and WS need it (header or first message); health stays open', async () => {
    const be = backend();
    const srv = await startServer(be, { host: '0.0.0.0', port: 0, token: 's3cret' });
    const base = `http://127.0.0.1:${srv.port}`;
    try {
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/api/sources`)).status).toBe(401);
      expect((await fetch(`${base}/api/sources`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);

      const anon = new TestClient(`ws://127.0.0.1:${srv.port}/ws`);
      await anon.open();
      anon.send({ op: 'subscribe', channel: 'fused' });
      await anon.until(() => anon.closeCode !== null);
      expect(anon.closeCode).toBe(4001);
      expect(anon.of('error')[0]?.code).toBe('UNAUTHORIZED');

      const byMsg = new TestClient(`ws://127.0.0.1:${srv.port}/ws`);
      await byMsg.open();
      byMsg.send({ op: 'auth', token: 's3cret' });
      byMsg.send({ op: 'subscribe', channel: 'fused' });
      await byMsg.until((m) => m.some((x) => x.type === 'snapshot'));
      byMsg.ws.close();

      const byHeader = new TestClient(`ws://127.0.0.1:${srv.port}/ws`, { headers: { authorization: 'Bearer s3cret' } });
      await byHeader.open();
      byHeader.send({ op: 'subscribe', channel: 'alerts' });
      await byHeader.until((m) => m.some((x) => x.type === 'snapshot'));
      byHeader.ws.close();
    } finally {
      await srv.close();
    }
  });
});
