import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, posix } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConfigError, EmpError } from '../core/errors.ts';
import { resolveInstrument } from '../core/instrument.ts';
import type { Bar } from '../core/market.ts';
import { parseTimeValue, TIMEFRAMES } from '../core/time.ts';
import { apiJsonSchema } from './schema.ts';
import { type GatewayOptions, presentedToken, tokenMatches, WsGateway } from './ws-gateway.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: `open` (health probes), `token` (data), `static` (dashboard files). */
    access?: 'open' | 'token' | 'static';
  }
}

import type { ApiBackend } from '../pipeline/api-backend.ts';
import { type MetricsRegistry, registerProcessMetrics } from '../pipeline/metrics.ts';

export type { ApiBackend };

export interface ServerOptions {
  host: string;
  port: number;
  /** Required when host is not loopback. */
  token?: string;
  /** Extra browser origins allowed (the server's own origin always is). */
  origins?: string[];
  /** Directory of the built dashboard (web/dist); not served when absent. */
  webRoot?: string;
  gateway?: Partial<Omit<GatewayOptions, 'token' | 'allowedOrigins'>>;
  /** HTTP requests per second per client address (burst twice that); over it: 429. Default 100. */
  httpRatePerSec?: number;
  /** Called on each accepted TCP connection (HTTP and WebSocket alike), e.g. `AcceptBurst.note`. */
  onConnection?: () => void;
}

export interface RunningServer {
  url: string;
  port: number;
  app: FastifyInstance;
  gateway: WsGateway;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A time in a query: epoch milliseconds or ISO 8601 (a date, or a date-time; no zone is UTC). */
const queryTime = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const t = /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : parseTimeValue(s, 'iso');
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: `expected epoch milliseconds or ISO 8601 (e.g. 2026-11-30T15:00:00Z), got "${s}"` });
      return z.NEVER;
    }
    return t;
  });

const historyQuery = z.strictObject({
  symbol: z.string().min(1).max(40).optional(),
  timeframe: z.enum(TIMEFRAMES).optional(),
  from: queryTime.optional(),
  to: queryTime.optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Off loopback the API needs a token: checked before anything is started. */
export function assertListenAllowed(host: string, token: string | undefined): void {
  if (!LOOPBACK.has(host) && !token) {
    throw new ConfigError(`refusing to listen on ${host} without an API token (set --token or EMP_API_TOKEN); only loopback is open`);
  }
}

export async function startServer(backend: ApiBackend, opts: ServerOptions): Promise<RunningServer> {
  assertListenAllowed(opts.host, opts.token);
  // The router treats case, doubled and trailing slashes as one path, so every spelling of a
  // protected path reaches the protected route (and its `access: 'token'`).
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    routerOptions: { caseSensitive: false, ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
  });
  let selfOrigins: string[] = [];
  const gateway = new WsGateway(backend.bus, {
    maxMessageBytes: 16 * 1024,
    sendHighWaterBytes: 1 << 20,
    slowClientTimeoutMs: 10_000,
    rateLimitPerSec: 50,
    heartbeatMs: 15_000,
    maxConnections: 1000,
    maxConnectionsPerAddress: 50,
    maxSymbolsPerClient: 1000,
    authDeadlineMs: 10_000,
    resolveSymbol: (raw) => resolveInstrument(raw, backend.symbols()),
    knownSymbols: () => backend.symbols(),
    ...opts.gateway,
    token: opts.token,
    allowedOrigins: (o) => selfOrigins.includes(o) || (opts.origins ?? []).includes(o),
  });
  const httpStats: HttpStats = { requests: 0, unauthorized: 0, rateLimited: 0 };
  const httpLimiter = new AddressRateLimiter(opts.httpRatePerSec ?? 100);

  // Authorization is decided on the route the router matched, never on the raw URL: the router
  // decodes and normalises the path, so a check on the raw text can be bypassed by another
  // spelling. Requests matching no route (404, or the dashboard's catch-all) are checked on the
  // canonical form of their path, so no spelling of /api or /metrics is served without the token.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    httpStats.requests++;
    if (!httpLimiter.take(req.socket.remoteAddress ?? '?')) {
      httpStats.rateLimited++;
      await reply
        .code(429)
        .header('retry-after', '1')
        .send({ error: `more than ${httpLimiter.ratePerSec} requests/s from this address` });
      return;
    }
    if (!opts.token) return;
    const access = req.routeOptions.config?.access;
    const needsToken = access === 'token' || (access !== 'open' && isProtectedPath(canonicalPath(req.url)));
    if (needsToken && !tokenMatches(presentedToken(req.raw), opts.token)) {
      httpStats.unauthorized++;
      await reply.code(401).send({ error: 'missing or invalid API token (Authorization: Bearer <token>, or ?token=<token>)' });
    }
  });

  const open = { config: { access: 'open' as const } };
  const guarded = { config: { access: 'token' as const } };
  app.get('/health', open, async () => ({ status: 'ok', uptimeSec: Math.round(process.uptime()) }));
  app.get('/ready', open, async (_req, reply) => {
    const ready = backend.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/api/instruments', guarded, async () => backend.instruments());
  app.get('/api/sources', guarded, async () => backend.sources());
  app.get('/api/indicators', guarded, async () => backend.indicatorCatalogue());
  app.get('/api/history/:kind', guarded, async (req, reply) => {
    const kind = (req.params as { kind: string }).kind;
    // `token` authenticates the request (checked above); it is not a history parameter.
    const { token: _token, ...query } = req.query as Record<string, unknown>;
    const q = historyQuery.safeParse(query);
    if (!q.success) {
      const issue = q.error.issues[0];
      return reply.code(400).send({ error: `${issue?.path.join('.')}: ${issue?.message}` });
    }
    const { timeframe, from, to, limit } = q.data;
    let symbol: string | undefined;
    if (q.data.symbol !== undefined) {
      symbol = resolveInstrument(q.data.symbol, backend.symbols());
      if (!symbol)
        return reply.code(400).send({ error: `symbol: unknown instrument "${q.data.symbol}" (served: ${backend.symbols().join(', ')})` });
    }
    const range = { symbol, from, to, limit };
    switch (kind) {
      case 'bars': {
        if (!symbol || !timeframe) return reply.code(400).send({ error: 'bars need symbol and timeframe' });
        const bars: Bar[] = await backend.store.bars({ ...range, symbol, timeframe });
        // The bars closed since the last one stored (batched writes lag behind the stream) and
        // the open bar complete the series: a chart loaded while the writer is behind has no hole,
        // and a 1h chart is not empty until the first hour closes.
        const stored = bars[bars.length - 1]?.ts ?? Number.NEGATIVE_INFINITY;
        const open = backend.openBar?.(symbol, timeframe);
        for (const b of [...(backend.closedBarsAfter?.(symbol, timeframe, stored) ?? []), ...(open ? [open] : [])]) {
          const last = bars[bars.length - 1];
          if ((to !== undefined && b.ts > to) || (from !== undefined && b.ts < from) || (last && b.ts <= last.ts)) continue;
          bars.push(b);
          if (bars.length > limit) bars.shift();
        }
        return bars;
      }
      case 'fused':
        return backend.store.fused(range);
      case 'signals':
        return backend.store.signals(range);
      case 'regimes':
        return backend.store.regimes(range);
      case 'alerts':
        return backend.store.alerts(range);
      case 'conflicts':
        return backend.store.conflicts(range);
      default:
        return reply.code(404).send({ error: `unknown history "${kind}" (bars, fused, signals, regimes, alerts, conflicts)` });
    }
  });
  app.get('/api/book/:symbol', guarded, async (req, reply) => {
    const raw = (req.params as { symbol: string }).symbol;
    const symbol = resolveInstrument(raw, backend.symbols());
    if (!symbol) return reply.code(404).send({ error: `unknown instrument "${raw}" (served: ${backend.symbols().join(', ')})` });
    const book = backend.book?.(symbol);
    if (!book) return reply.code(404).send({ error: `no book for ${symbol} yet (books come from the crypto venues' depth channels)` });
    return book;
  });
  app.get('/api/schema', guarded, async () => apiJsonSchema());
  // An API path nothing answers is a JSON 404, not the dashboard's page.
  app.all('/api/*', guarded, async (req, reply) =>
    reply.code(404).send({ error: `no such API endpoint: ${req.method} ${req.url.split('?')[0]}` }),
  );
  registerApiMetrics(backend.metricsRegistry, gateway, httpStats);
  const stopProcessMetrics = registerProcessMetrics(backend.metricsRegistry);
  app.get('/metrics', guarded, async (_req, reply) => reply.type('text/plain; version=0.0.4').send(backend.metricsRegistry.render()));

  if (opts.webRoot && existsSync(opts.webRoot)) {
    const root = opts.webRoot;
    app.get('/*', { config: { access: 'static' as const } }, async (req, reply) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
      } catch {
        return reply.code(400).send({ error: 'malformed percent-encoding in the path' });
      }
      const rel = normalize(decoded).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, rel || 'index.html');
      if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
      return reply.type(MIME[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
    });
  }

  if (opts.onConnection) app.server.on('connection', opts.onConnection);
  app.server.on('upgrade', (req, socket, head) => {
    if (canonicalPath(req.url ?? '/') !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    gateway.handleUpgrade(req, socket, head);
  });

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    stopProcessMetrics();
    gateway.close();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EADDRNOTAVAIL'
            ? 'no such local address'
            : (err as Error).message;
    throw new EmpError('UNAVAILABLE', `cannot listen on ${opts.host}:${opts.port}: ${why}`, { cause: err });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  selfOrigins = [`http://${hostForUrl}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    app,
    gateway,
    close: async () => {
      stopProcessMetrics();
      gateway.close();
      await app.close();
    },
  };
}

/**
 * The path as the router sees it, and then some: percent-decoded until stable, back-slashes as
 * slashes, dot segments resolved, repeated and trailing slashes dropped, lower case.
 */
export function canonicalPath(url: string): string {
  let path = url.split('?')[0] ?? '/';
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      break;
    }
    if (decoded === path) break;
    path = decoded;
  }
  path = posix.normalize(`/${path.replace(/\\/g, '/')}`).replace(/\/+/g, '/');
  if (path.length > 1) path = path.replace(/\/$/, '');
  return path.toLowerCase();
}

/** Paths that carry data: anything under /api, /metrics (so `/api;x`, `/metrics.txt` too). */
function isProtectedPath(canonical: string): boolean {
  return canonical.startsWith('/api') || canonical.startsWith('/metrics') || canonical.startsWith('/ws');
}

/** Requests per second per client address (token bucket, burst = 2 × rate); idle addresses are forgotten. */
class AddressRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(readonly ratePerSec: number) {}

  take(address: string): boolean {
    const now = Date.now();
    if (now - this.lastSweep > 60_000) {
      // A full bucket is the same as no bucket: keeps the map to the addresses active in the last minute.
      for (const [a, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(a);
      this.lastSweep = now;
    }
    const burst = this.ratePerSec * 2;
    const b = this.buckets.get(address) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
    b.at = now;
    this.buckets.set(address, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

interface HttpStats {
  requests: number;
  unauthorized: number;
  rateLimited: number;
}

/** The API's own families, in the process's one registry beside the pipeline's. */
function registerApiMetrics(m: MetricsRegistry, gateway: WsGateway, http: HttpStats): void {
  const g = gateway.stats;
  m.register('emp_api_ws_clients', 'gauge', 'WebSocket clients connected', () => gateway.clientCount);
  m.register('emp_api_ws_sent_total', 'counter', 'WebSocket messages sent', () => g.sent);
  m.register('emp_api_ws_dropped_total', 'counter', 'updates dropped for clients that fell behind', () => g.dropped);
  m.register('emp_api_ws_bad_messages_total', 'counter', 'client messages that failed validation', () => g.badMessages);
  m.register('emp_api_ws_rate_limited_total', 'counter', 'client messages over the rate limit', () => g.rateLimited);
  m.register('emp_api_ws_slow_disconnects_total', 'counter', 'clients closed for not reading', () => g.slowDisconnects);
  m.register('emp_api_ws_rejected_total', 'counter', 'connections refused, by reason', () =>
    Object.entries(g.rejected).map(([reason, n]) => [{ reason }, n]),
  );
  m.register('emp_api_ws_oversized_total', 'counter', 'client messages over the size limit', () => g.oversized);
  m.register('emp_api_ws_symbol_limited_total', 'counter', 'subscriptions refused over the per-client symbol limit', () => g.symbolLimited);
  m.register('emp_api_ws_auth_timeouts_total', 'counter', 'sockets closed for not authenticating in time', () => g.authTimeouts);
  m.register('emp_api_ws_unauthorized_total', 'counter', 'sockets refused for a missing or wrong token', () => g.unauthorized);
  m.register('emp_api_http_requests_total', 'counter', 'HTTP requests', () => http.requests);
  m.register('emp_api_http_unauthorized_total', 'counter', 'HTTP requests refused for a missing or wrong token', () => http.unauthorized);
  m.register('emp_api_http_rate_limited_total', 'counter', 'HTTP requests over the per-address rate limit', () => http.rateLimited);
}
