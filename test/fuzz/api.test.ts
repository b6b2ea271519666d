/**
 * Hostile input to the API on a real server (fast-check): WebSocket messages of every shape,
 * and HTTP paths and history queries. Every message is answered (an error names what is wrong)
 * and counted, the connection stays usable, and no request gets a 5xx.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../../src/server/server.ts';
import { testBackend, unpricedInstruments } from '../server/backend-fixture.ts';

/** The backend behind the API: an empty store, one instrument. */
function backend() {
  return testBackend({ instruments: () => unpricedInstruments('BTC-USD'), symbols: () => ['BTC-USD'] });
}

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer(
    backend(),
    // Limits out of the way: the fuzzing is about message content, not rates.
    { host: '127.0.0.1', port: 0, httpRatePerSec: 100_000, gateway: { rateLimitPerSec: 100_000, maxSymbolsPerClient: 100_000 } },
  );
});
afterAll(async () => {
  await srv.close();
});

const CHANNELS = ['fused', 'signals', 'regimes', 'alerts', 'sources', 'conflicts', 'bars:1m', 'indicators:1h'];
const REPLY_TYPES = ['snapshot', 'unsubscribed', 'authed', 'pong', 'error'];

/** Messages near the protocol (right ops, wrong fields) and far from it (any JSON, any text). */
const hostileMessage: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      {
        op: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'auth', 'ping'), fc.string({ maxLength: 12 })),
        channel: fc.oneof(fc.constantFrom(...CHANNELS), fc.string({ maxLength: 20 }), fc.jsonValue()),
        symbols: fc.oneof(fc.array(fc.string({ maxLength: 45 }), { maxLength: 5 }), fc.jsonValue()),
        token: fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue()),
        id: fc.oneof(fc.string({ maxLength: 120 }), fc.double(), fc.jsonValue()),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['op'] },
    )
    .map((m) => JSON.stringify(m)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('WebSocket protocol under hostile messages', () => {
  it('each message gets a known reply, errors are counted, the connection stays usable', async () => {
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`);
    const replies: Record<string, unknown>[] = [];
    let closed = false;
    ws.on('message', (d) => replies.push(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.on('close', () => {
      closed = true;
    });
    await new Promise((r) => ws.once('open', r));
    let marker = 0;
    /** Sends a message followed by a ping; resolves with the replies in between. */
    const exchange = async (text: string): Promise<Record<string, unknown>[]> => {
      const id = `m${++marker}`;
      const from = replies.length;
      ws.send(text);
      ws.send(JSON.stringify({ op: 'ping', id }));
      const end = Date.now() + 2000;
      while (!replies.slice(from).some((m) => m.type === 'pong' && m.id === id)) {
        if (closed || Date.now() > end) throw new Error(`no pong after ${JSON.stringify(text).slice(0, 200)} (closed: ${closed})`);
        await new Promise((r) => setTimeout(r, 1));
      }
      return replies.slice(
        from,
        replies.findIndex((m, i) => i >= from && m.type === 'pong' && m.id === id),
      );
    };
    await exchange('{"op":"ping"}');
    const bad0 = srv.gateway.stats.badMessages;
    let errorsSeen = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (text) => {
        const got = await exchange(text);
        // One reply per message (a ping's own pong counts), of a known type; an error says what and why.
        expect(got.length).toBeLessThanOrEqual(1);
        for (const r of got) {
          expect(REPLY_TYPES).toContain(r.type);
          if (r.type === 'error') {
            errorsSeen++;
            expect(['BAD_JSON', 'BAD_MESSAGE']).toContain(r.code);
            expect(typeof r.error).toBe('string');
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(closed).toBe(false);
    expect(srv.gateway.stats.badMessages - bad0).toBe(errorsSeen);
    expect(errorsSeen).toBeGreaterThan(100);
    // Still a working client.
    const snap = await exchange(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
    expect(snap.map((r) => r.type)).toEqual(['snapshot']);
    ws.close();
  }, 60_000);
});

function get(path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP under hostile paths and queries', () => {
  const QUERY_KEYS = ['symbol', 'timeframe', 'from', 'to', 'limit', 'token', 'bogus', 'symbol[]', '__proto__', 'constructor'];
  const value = fc.oneof(
    fc.constantFrom('BTC-USD', '1m', '7m', '0', '-1', '1e309', 'NaN', '', '100001', '1.5', '%', '%zz', '%00', 'x'.repeat(50)),
    fc.string({ maxLength: 30 }),
  );
  const historyQuery = fc
    .tuple(
      fc.oneof(fc.constantFrom('bars', 'fused', 'signals', 'regimes', 'alerts', 'conflicts'), fc.string({ maxLength: 10 })),
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), value, fc.boolean()), { maxLength: 6 }),
    )
    .map(([kind, params]) => {
      // Some values go raw (broken escapes like `%zz` included) where HTTP allows the characters.
      const raw = (v: string, asIs: boolean): string => (asIs && /^[\x21-\x7e]*$/.test(v) && !v.includes('#') ? v : encodeURIComponent(v));
      const q = params.map(([k, v, asIs]) => `${encodeURIComponent(k)}=${raw(v, asIs)}`).join('&');
      return `/api/history/${encodeURIComponent(kind)}${q ? `?${q}` : ''}`;
    });

  it('history queries: 200 with JSON, or 400/404 with an error message; never 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(historyQuery, async (path) => {
        const r = await get(path);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect([path, [200, 400, 404].includes(r.status)]).toEqual([path, true]);
        const body = JSON.parse(r.body) as unknown;
        if (r.status !== 200) expect(typeof (body as { error?: unknown }).error).toBe('string');
        else expect(Array.isArray(body)).toBe(true);
      }),
      { numRuns: 400 },
    );
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(10);
  }, 60_000);

  it('arbitrary paths: never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.webPath(),
          fc.string({ maxLength: 40 }).map((s) => `/${encodeURI(s).replace(/[?#]/g, '')}`),
          fc.constantFrom('/%', '/%zz', '/api/%', '/..%2f..%2fetc/passwd', '/api/history/', '/metrics%00'),
        ),
        async (path) => {
          const r = await get(path.length > 0 ? path : '/');
          expect([path, r.status < 500]).toEqual([path, true]);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
