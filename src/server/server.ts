import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EventBus } from '../bus/bus.ts';
import { ConfigError } from '../core/errors.ts';
import { TIMEFRAMES } from '../core/time.ts';
import type { MarketStore } from '../store/store.ts';
import { type GatewayOptions, presentedToken, WsGateway } from './ws-gateway.ts';

/** What the API serves; the pipeline implements it. */
export interface ApiBackend {
  bus: EventBus;
  store: MarketStore;
  instruments(): unknown[];
  sources(): unknown[];
  indicatorCatalogue(): unknown;
  /** Prometheus text exposition of the pipeline's metrics (the API adds its own). */
  metrics(): string;
  /** True once data flows (at least one source connected and a fused price made). */
  ready(): boolean;
}

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
}

export interface RunningServer {
  url: string;
  port: number;
  app: FastifyInstance;
  gateway: WsGateway;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const historyQuery = z.strictObject({
  symbol: z.string().min(1).max(40).optional(),
  timeframe: z.enum(TIMEFRAMES).optional(),
  from: z.coerce.number().finite().optional(),
  to: z.coerce.number().finite().optional(),
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

export async function startServer(backend: ApiBackend, opts: ServerOptions): Promise<RunningServer> {
  if (!LOOPBACK.has(opts.host) && !opts.token) {
    throw new ConfigError(`refusing to listen on ${opts.host} without an API token (set --token or EMP_API_TOKEN); only loopback is open`);
  }
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  let selfOrigins: string[] = [];
  const gateway = new WsGateway(backend.bus, {
    maxMessageBytes: 16 * 1024,
    sendHighWaterBytes: 1 << 20,
    slowClientTimeoutMs: 10_000,
    rateLimitPerSec: 50,
    heartbeatMs: 15_000,
    ...opts.gateway,
    token: opts.token,
    allowedOrigins: (o) => selfOrigins.includes(o) || (opts.origins ?? []).includes(o),
  });
  const httpStats = { requests: 0, unauthorized: 0 };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    httpStats.requests++;
    const path = req.url.split('?')[0] ?? '/';
    // Health probes and the dashboard's static files stay open; data needs the token.
    if (!opts.token || path === '/health' || path === '/ready' || !(path.startsWith('/api') || path === '/metrics')) return;
    if (presentedToken(req.raw) !== opts.token) {
      httpStats.unauthorized++;
      await reply.code(401).send({ error: 'missing or invalid API token (Authorization: Bearer <token>)' });
    }
  });

  app.get('/health', async () => ({ status: 'ok', uptimeSec: Math.round(process.uptime()) }));
  app.get('/ready', async (_req, reply) => {
    const ready = backend.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/api/instruments', async () => backend.instruments());
  app.get('/api/sources', async () => backend.sources());
  app.get('/api/indicators', async () => backend.indicatorCatalogue());
  app.get('/api/history/:kind', async (req, reply) => {
    const kind = (req.params as { kind: string }).kind;
    const q = historyQuery.safeParse(req.query);
    if (!q.success) {
      const issue = q.error.issues[0];
      return reply.code(400).send({ error: `${issue?.path.join('.')}: ${issue?.message}` });
    }
    const { symbol, timeframe, from, to, limit } = q.data;
    const range = { symbol, from, to, limit };
    switch (kind) {
      case 'bars':
        if (!symbol || !timeframe) return reply.code(400).send({ error: 'bars need symbol and timeframe' });
        return backend.store.bars({ ...range, symbol, timeframe });
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
  app.get('/metrics', async (_req, reply) => {
    const g = gateway.stats;
    const own = [
      '# TYPE emp_api_ws_clients gauge',
      `emp_api_ws_clients ${gateway.clientCount}`,
      '# TYPE emp_api_ws_sent_total counter',
      `emp_api_ws_sent_total ${g.sent}`,
      '# TYPE emp_api_ws_dropped_total counter',
      `emp_api_ws_dropped_total ${g.dropped}`,
      '# TYPE emp_api_ws_bad_messages_total counter',
      `emp_api_ws_bad_messages_total ${g.badMessages}`,
      '# TYPE emp_api_ws_rate_limited_total counter',
      `emp_api_ws_rate_limited_total ${g.rateLimited}`,
      '# TYPE emp_api_ws_slow_disconnects_total counter',
      `emp_api_ws_slow_disconnects_total ${g.slowDisconnects}`,
      '# TYPE emp_api_http_requests_total counter',
      `emp_api_http_requests_total ${httpStats.requests}`,
    ].join('\n');
    return reply.type('text/plain; version=0.0.4').send(`${backend.metrics().trimEnd()}\n${own}\n`);
  });

  if (opts.webRoot && existsSync(opts.webRoot)) {
    const root = opts.webRoot;
    app.get('/*', async (req, reply) => {
      const rel = normalize(decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''))).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, rel || 'index.html');
      if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
      return reply.type(MIME[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
    });
  }

  app.server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    gateway.handleUpgrade(req, socket, head);
  });

  await app.listen({ host: opts.host, port: opts.port });
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
      gateway.close();
      await app.close();
    },
  };
}
