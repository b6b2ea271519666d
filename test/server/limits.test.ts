/**
 * Every per-client resource of the API is bounded, and each refusal is clear and counted in
 * /metrics: connections in all and per address, symbols per client, the auth deadline, message
 * size, HTTP request rate. Real server on an ephemeral port; other client addresses come from
 * the rest of 127.0.0.0/8 (all loopback on Linux).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InProcessBus } from '../../src/bus/bus.ts';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.ts';
import { testBackend } from './backend-fixture.ts';

let srv: RunningServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await srv?.close();
  srv = undefined;
});

async function serve(opts: Partial<ServerOptions> = {}): Promise<RunningServer> {
  srv = await startServer(
    // Enough instruments served to test the per-client symbol cap (S0-USD … S499-USD).
    testBackend({ symbols: () => Array.from({ length: 500 }, (_, i) => `S${i}-USD`) }),
    { host: '127.0.0.1', port: 0, ...opts },
  );
  return srv;
}

interface Outcome {
  ws: WebSocket;
  status: number | null;
  body: string;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects; resolves once open (status null) or refused (the HTTP status and body). */
function connect(port: number, opts: WebSocket.ClientOptions = {}): Promise<Outcome> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, opts);
  sockets.push(ws);
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  return new Promise((resolve) => {
    ws.on('open', () => resolve({ ws, status: null, body: '', messages, closed }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ ws, status: res.statusCode ?? 0, body, messages, closed }));
    });
  });
}

const metric = async (s: RunningServer, name: string): Promise<number> => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} not in /metrics`);
  return Number(m[1]);
};

const until = async (pred: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WebSocket connection limits', () => {
  it('per address: the connection over the limit is refused with 503 and a reason; other addresses still get in; a closed slot is given back', async () => {
    const s = await serve({ gateway: { maxConnectionsPerAddress: 3, maxConnections: 100 } });
    const first = await Promise.all([0, 1, 2].map(() => connect(s.port)));
    expect(first.map((o) => o.status)).toEqual([null, null, null]);
    const over = await connect(s.port);
    expect(over.status).toBe(503);
    expect(over.body).toMatch(/too many WebSocket connections from 127\.0\.0\.1 \(limit 3\)/);
    const other = await connect(s.port, { localAddress: '127.0.0.2' });
    expect(other.status).toBeNull();
    first[0]?.ws.close();
    await first[0]?.closed;
    await until(() => s.gateway.clientCount === 3);
    expect((await connect(s.port)).status).toBeNull();
    expect(await metric(s, 'emp_api_ws_rejected_total{reason="max_per_address"}')).toBe(1);
  });

  it('in all: over the total the upgrade is refused, whatever the address', async () => {
    const s = await serve({ gateway: { maxConnectionsPerAddress: 100, maxConnections: 4 } });
    const ok = await Promise.all([2, 3, 4, 5].map((i) => connect(s.port, { localAddress: `127.0.0.${i}` })));
    expect(ok.map((o) => o.status)).toEqual([null, null, null, null]);
    const over = await Promise.all([6, 7].map((i) => connect(s.port, { localAddress: `127.0.0.${i}` })));
    expect(over.map((o) => o.status)).toEqual([503, 503]);
    expect(over[0]?.body).toMatch(/too many WebSocket connections \(limit 4\)/);
    expect(s.gateway.clientCount).toBe(4);
    expect(await metric(s, 'emp_api_ws_rejected_total{reason="max_connections"}')).toBe(2);
  });

  it('a burst of simultaneous handshakes does not overshoot the limit', async () => {
    const s = await serve({ gateway: { maxConnectionsPerAddress: 5, maxConnections: 100 } });
    const all = await Promise.all(Array.from({ length: 40 }, () => connect(s.port)));
    expect(all.filter((o) => o.status === null).length).toBe(5);
    expect(all.filter((o) => o.status === 503).length).toBe(35);
  });
});

describe('WebSocket per-client limits', () => {
  it('symbols per client: a subscription that would pass the cap is refused whole (TOO_MANY_SYMBOLS), the client keeps what it had', async () => {
    const s = await serve({ gateway: { maxSymbolsPerClient: 250 } });
    const c = await connect(s.port);
    const syms = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `S${from + i}-USD`);
    c.ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused', symbols: syms(0, 200) }));
    c.ws.send(JSON.stringify({ op: 'subscribe', channel: 'signals', symbols: syms(0, 50) }));
    c.ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused', symbols: syms(200, 1) }));
    // Re-subscribing to symbols already held adds nothing and is accepted.
    c.ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused', symbols: syms(0, 10) }));
    await until(() => c.messages.filter((m) => m.type === 'snapshot' || m.type === 'error').length === 4);
    const replies = c.messages
      .filter((m) => m.type === 'snapshot' || m.type === 'error')
      .map((m) => (m.type === 'error' ? m.code : m.type));
    expect(replies).toEqual(['snapshot', 'snapshot', 'TOO_MANY_SYMBOLS', 'snapshot']);
    expect(String(c.messages.find((m) => m.code === 'TOO_MANY_SYMBOLS')?.error)).toMatch(/251 symbols over all channels, limit 250/);
    // Unsubscribing frees room.
    c.ws.send(JSON.stringify({ op: 'unsubscribe', channel: 'signals' }));
    c.ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused', symbols: syms(200, 50) }));
    await until(() => c.messages.filter((m) => m.type === 'snapshot').length === 4);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await metric(s, 'emp_api_ws_symbol_limited_total')).toBe(1);
  });

  it('auth deadline: an unauthenticated socket is closed with 4001 once it passes; an authenticated one stays', async () => {
    const s = await serve({ host: '127.0.0.1', token: 'token-1234', gateway: { authDeadlineMs: 300 } });
    const t0 = Date.now();
    const idle = await connect(s.port);
    const authed = await connect(s.port);
    authed.ws.send(JSON.stringify({ op: 'auth', token: 'token-1234' }));
    const { code, reason } = await idle.closed;
    const waited = Date.now() - t0;
    expect(code).toBe(4001);
    expect(reason).toMatch(/authentication deadline/);
    expect(idle.messages.some((m) => m.code === 'AUTH_TIMEOUT')).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 400));
    expect(authed.ws.readyState).toBe(WebSocket.OPEN);
    expect(authed.messages.some((m) => m.type === 'authed')).toBe(true);
    const m = await (await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer token-1234' } })).text();
    expect(m).toMatch(/^emp_api_ws_auth_timeouts_total 1$/m);
  });

  it('message size: an oversized message closes with 1009 and is counted', async () => {
    const s = await serve({ gateway: { maxMessageBytes: 1024 } });
    const c = await connect(s.port);
    c.ws.send(JSON.stringify({ op: 'ping', id: 'x'.repeat(2000) }));
    expect((await c.closed).code).toBe(1009);
    await until(() => s.gateway.stats.oversized === 1);
    expect(await metric(s, 'emp_api_ws_oversized_total')).toBe(1);
  });
});

describe('WebSocket memory', () => {
  it('bytes queued to all clients together stay within maxBufferedBytesTotal, however many stop reading', async () => {
    const bus = new InProcessBus();
    const backend = testBackend({ bus, symbols: () => ['BTC-USD'] });
    const budget = 256 * 1024;
    // Each client alone may queue 1 MiB; 8 of them together only the shared 256 KiB.
    srv = await startServer(backend, {
      host: '127.0.0.1',
      port: 0,
      gateway: { sendHighWaterBytes: 1 << 20, maxBufferedBytesTotal: budget, slowClientTimeoutMs: 60_000 },
    });
    const s = srv;
    const readers = await Promise.all(Array.from({ length: 8 }, () => connect(s.port)));
    for (const r of readers) r.ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
    await until(() => readers.every((r) => r.messages.some((m) => m.type === 'snapshot')));
    for (const r of readers) (r.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const pad = 'p'.repeat(4000);
    let maxTotal = 0;
    for (let i = 0; i < 4000; i++) {
      bus.publish({
        type: 'fused',
        symbol: 'BTC-USD',
        ts: i,
        price: 1,
        confidence: 1,
        status: 'ok',
        sources: [{ venue: pad, price: 1, weight: 1 }],
        excluded: [],
      });
      if (i % 50 === 49) {
        await new Promise((r) => setTimeout(r, 2));
        let total = 0;
        for (const c of (s.gateway as unknown as { clients: Set<{ ws: WebSocket }> }).clients) total += c.ws.bufferedAmount;
        maxTotal = Math.max(maxTotal, total);
      }
    }
    // The budget, plus at most one message in flight per client.
    expect(maxTotal).toBeLessThanOrEqual(budget + 8 * 4200);
    expect(maxTotal).toBeGreaterThan(budget / 2);
    expect(s.gateway.stats.dropped).toBeGreaterThan(1000);
  });
});

describe('HTTP limits', () => {
  it('request rate per address: over the burst, 429 with Retry-After, counted; other addresses unaffected', async () => {
    const s = await serve({ httpRatePerSec: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await fetch(`${s.url}/health`)).status);
    // Burst of twice the rate, then refusals (a few may refill while the loop runs).
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(3);
    const r = await fetch(`${s.url}/health`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    const fromOther = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: '/health', localAddress: '127.0.0.2' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(fromOther).toBe(200);
    await new Promise((res) => setTimeout(res, 1100));
    expect(await metric(s, 'emp_api_http_rate_limited_total')).toBeGreaterThanOrEqual(4);
  });
});
