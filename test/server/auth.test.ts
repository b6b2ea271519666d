/**
 * Authorization holds for every spelling of a protected path: the check follows the route the
 * router matched (and the canonical path when none matched), not the raw URL. Real server on an
 * ephemeral port; requests go out with their path exactly as written (node:http, no URL cleanup).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InProcessBus } from '../../src/bus/bus.ts';
import type { FusedPrice } from '../../src/core/events.ts';
import { type ApiBackend, instrumentSummary } from '../../src/pipeline/api-backend.ts';
import { canonicalPath, type RunningServer, startServer } from '../../src/server/server.ts';
import { tokenMatches } from '../../src/server/ws-gateway.ts';
import { openSource, testBackend } from './backend-fixture.ts';

const TOKEN = 'correct-horse-battery';

/** A backend whose answers carry markers only an authorized request may see. */
function backendWithSecrets(): ApiBackend {
  const instrument = { ...instrumentSummary('BTC-USD', undefined, undefined), secret: 'instrument-data' };
  const source = { ...openSource('binance'), secret: 'source-data' };
  const b = testBackend({ instruments: () => [instrument], symbols: () => ['BTC-USD'], sources: () => [source] });
  b.metricsRegistry.register('emp_records_total', 'counter', 'records', () => 7);
  return b;
}

/** GET with the path sent byte for byte as given. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Other spellings of one path: percent-encoded letters, doubled and trailing slashes, case, dot segments. */
function variants(path: string): string[] {
  const [, first = '', rest = ''] = /^\/([^/]+)(.*)$/.exec(path) ?? [];
  const enc1 = `%${first.charCodeAt(0).toString(16)}${first.slice(1)}`;
  const encAll = [...first].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
  return [
    path,
    `/${enc1}${rest}`,
    `/${encAll}${rest}`,
    `/${first}${rest.replace(/\//g, '/%2f')}`.replace('/%2f', '/'),
    `//${first}${rest}`,
    `/${first}/${rest}`.replace('//', '//'),
    path.toUpperCase(),
    `/${first[0]?.toUpperCase()}${first.slice(1)}${rest}`,
    `${path}/`,
    `${path}//`,
    `/x/..${path}`,
    `/.${path}`,
    `/${first}/.${rest}`,
    `/${first}%2f${rest.slice(1)}`,
    `/${first}%2F${rest.slice(1)}`,
    `/${first};a=b${rest}`,
    `/%25${first.charCodeAt(0).toString(16)}${first.slice(1)}${rest}`,
  ].filter((v, i, all) => all.indexOf(v) === i);
}

const PROTECTED = [
  '/api/instruments',
  '/api/sources',
  '/api/indicators',
  '/api/history/fused',
  '/api/history/alerts',
  '/api/history/bars?symbol=BTC-USD&timeframe=1m',
  '/api/book/BTC-USD',
  '/metrics',
];

describe('API token on every spelling of a protected path (HTTP)', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    const web = mkdtempSync(join(tmpdir(), 'emp-web-'));
    writeFileSync(join(web, 'index.html'), '<html>dashboard</html>');
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    srv = await startServer(backendWithSecrets(), { host: '127.0.0.1', port: 0, token: TOKEN, webRoot: web, httpRatePerSec: 10_000 });
  });
  afterAll(async () => {
    await srv.close();
  });

  it('answers 401 without the token to each of the variants of each protected path', async () => {
    const leaks: string[] = [];
    let n = 0;
    for (const p of PROTECTED) {
      const [path = '', query] = p.split('?');
      for (const v of variants(path)) {
        const url = query ? `${v}?${query}` : v;
        const r = await get(srv.port, url);
        n++;
        if (r.status !== 401) leaks.push(`${url} → ${r.status} ${r.body.slice(0, 60)}`);
        const wrong = await get(srv.port, url, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
        n++;
        if (wrong.status !== 401) leaks.push(`${url} (wrong token) → ${wrong.status}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(n).toBeGreaterThan(150);
    const metrics = await get(srv.port, '/metrics', { authorization: `Bearer ${TOKEN}` });
    const unauthorized = Number(/^emp_api_http_unauthorized_total (\d+)$/m.exec(metrics.body)?.[1]);
    expect(unauthorized).toBeGreaterThanOrEqual(n);
  });

  it('with the token, the spellings the router matches reach the data', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const v of [
      '/api/instruments',
      '/%61pi/instruments',
      '/%61%70%69/instruments',
      '//api/instruments',
      '/API/Instruments',
      '/api/instruments/',
    ]) {
      const r = await get(srv.port, v, auth);
      expect([v, r.status]).toEqual([v, 200]);
      expect(r.body).toContain('instrument-data');
    }
    const m = await get(srv.port, '/%6detrics', auth);
    expect(m.status).toBe(200);
    expect(m.body).toContain('emp_records_total 7');
  });

  it('the token is also accepted as ?token= (documented), and /api/history does not refuse it as a parameter', async () => {
    const r = await get(srv.port, `/api/history/fused?token=${TOKEN}&limit=5`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual([]);
    const bars = await get(srv.port, `/api/history/bars?symbol=BTC-USD&timeframe=1m&token=${TOKEN}`);
    expect(bars.status).toBe(200);
    expect((await get(srv.port, `/api/history/fused?token=${TOKEN}x`)).status).toBe(401);
    // Other unknown parameters still are refused.
    expect((await get(srv.port, `/api/history/fused?token=${TOKEN}&bogus=1`)).status).toBe(400);
  });

  it('health, readiness and the dashboard files stay open', async () => {
    expect((await get(srv.port, '/health')).status).toBe(200);
    expect((await get(srv.port, '/ready')).status).toBe(200);
    expect((await get(srv.port, '/HEALTH/')).status).toBe(200);
    const index = await get(srv.port, '/');
    expect([index.status, index.body]).toEqual([200, '<html>dashboard</html>']);
    expect((await get(srv.port, '/app.js')).body).toBe('console.log(1)');
    // A malformed escape is a clear 400, not a crash.
    expect((await get(srv.port, '/%E0%A4%A')).status).toBe(400);
  });
});

describe('API token on the WebSocket endpoint', () => {
  let srv: RunningServer;
  let bus: InProcessBus;
  beforeAll(async () => {
    bus = new InProcessBus();
    srv = await startServer(testBackend({ bus }), { host: '127.0.0.1', port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await srv.close();
  });

  const fused = (price: number): FusedPrice => ({
    type: 'fused',
    symbol: 'BTC-USD',
    ts: Date.now(),
    price,
    confidence: 0.5,
    status: 'ok',
    sources: [],
    excluded: [],
  });

  /** Opens a socket, tries to subscribe, and reports what came back and how it ended. */
  async function attempt(
    path: string,
    opts: WebSocket.ClientOptions = {},
    authMsg?: string,
  ): Promise<{ opened: boolean; gotData: boolean; code: number | null }> {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${path}`, opts);
    const msgs: Record<string, unknown>[] = [];
    let opened = false;
    let code: number | null = null;
    ws.on('message', (d) => msgs.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise<void>((resolve) => {
      ws.on('open', () => {
        opened = true;
        if (authMsg !== undefined) ws.send(JSON.stringify({ op: 'auth', token: authMsg }));
        ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
        setTimeout(() => bus.publish(fused(123)), 60);
        setTimeout(() => {
          ws.close();
        }, 200);
      });
      ws.on('close', (c) => {
        code = c;
        resolve();
      });
      ws.on('error', () => {});
      ws.on('unexpected-response', () => resolve());
    });
    return { opened, gotData: msgs.some((m) => m.type === 'snapshot' || m.price === 123), code };
  }

  it('no spelling of /ws gives data without the token; each gives data with it', async () => {
    for (const p of ['/ws', '/WS', '//ws', '/ws/', '/%77s', '/%77%73', '/x/../ws', '/ws?x=1']) {
      const anon = await attempt(p);
      expect([p, anon.gotData]).toEqual([p, false]);
      if (anon.opened) expect([p, anon.code]).toEqual([p, 4001]);
      const wrong = await attempt(p, {}, `${TOKEN}!`);
      expect([p, wrong.gotData]).toEqual([p, false]);
      const byHeader = await attempt(p, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect([p, byHeader.gotData]).toEqual([p, true]);
      const byMessage = await attempt(p, {}, TOKEN);
      expect([p, byMessage.gotData]).toEqual([p, true]);
    }
    expect(srv.gateway.stats.unauthorized).toBeGreaterThanOrEqual(16);
  });
});

describe('token comparison and path canonicalisation', () => {
  it('tokenMatches: equal only for the same token, whatever the lengths', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });

  it('canonicalPath folds the spellings a router might accept', () => {
    for (const v of ['/api/x', '/%61pi/x', '//api//x/', '/API/X', '/a/../api/x', '/api/./x', '/api%2Fx', '/%2561pi/x', '\\api\\x'])
      expect([v, canonicalPath(v)]).toEqual([v, '/api/x']);
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/%E0%A4%A')).toBe('/%e0%a4%a');
  });
});
