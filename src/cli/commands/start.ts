import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { ConfigError, EmpError } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { loadConfigFile, parseConfig, type ServiceConfig } from '../../pipeline/config.ts';
import { LivePipeline } from '../../pipeline/live-pipeline.ts';
import { defaultParts, liveSource, simulatorSource } from '../../pipeline/parts.ts';
import { checkRoleConfig, connectBus, GatewayBackend, IngestRole, openAnalyze, ROLES, type Role } from '../../pipeline/roles.ts';
import type { RecordSource } from '../../pipeline/stages.ts';
import { assertListenAllowed, type RunningServer, startServer } from '../../server/server.ts';

interface StartOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  live?: boolean;
  token?: string;
  seed?: string;
  speed?: string;
  transport?: string;
  history?: string;
  bus?: string;
  store?: string;
  role?: string;
  instruments?: string;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Config file first, then flags over it; validated by the one schema. */
export function resolveConfig(opts: StartOptions, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const raw = (opts.config ? loadConfigFile(opts.config) : {}) as Record<string, Record<string, unknown>>;
  const num = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`--${flag}: expected a number, got "${v}"`);
    return n;
  };
  const section = (k: string): Record<string, unknown> => {
    raw[k] = { ...(raw[k] ?? {}) };
    return raw[k] as Record<string, unknown>;
  };
  if (opts.port !== undefined) section('server').port = num('port', opts.port);
  if (opts.host !== undefined) section('server').host = opts.host;
  const token = opts.token ?? env.EMP_API_TOKEN;
  if (token) section('server').token = token;
  if (opts.dataDir !== undefined) section('store').dataDir = opts.dataDir;
  if (opts.store !== undefined) section('store').kind = opts.store;
  if (opts.bus !== undefined) section('bus').kind = opts.bus;
  if (opts.seed !== undefined) section('simulator').seed = num('seed', opts.seed);
  if (opts.speed !== undefined) section('simulator').speed = num('speed', opts.speed);
  if (opts.transport !== undefined) section('simulator').transport = opts.transport;
  if (opts.history !== undefined) section('simulator').historyMs = parseDuration(opts.history);
  if (opts.live) (raw as Record<string, unknown>).live = true;
  // The shared services' addresses from the environment, as deployments usually give them.
  if (env.EMP_NATS_URL) section('bus').natsUrl = env.EMP_NATS_URL;
  if (env.EMP_DATABASE_URL) section('store').postgresUrl = env.EMP_DATABASE_URL;
  if (opts.instruments !== undefined)
    (raw as Record<string, unknown>).instruments = opts.instruments
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return parseConfig(raw, opts.config ?? 'flags');
}

/**
 * `emp start`: the service. Sources (the simulator's venues by default) → fusion → bars →
 * analysis → API, dashboard and store, until SIGINT/SIGTERM (then: stop intake, flush, close).
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the service: live pipeline, HTTP/WebSocket API and dashboard (default source: the built-in simulator)')
    .option('--port <n>', 'HTTP port (default 8080; 0 picks a free one)')
    .option('--host <addr>', 'address to bind (default 127.0.0.1; anything else needs --token)')
    .option('--data-dir <dir>', 'where the embedded store lives (default .emp-data)')
    .option('--config <file>', 'JSON config file (see README: Configuration)')
    .option('--live', 'connect to the real venues instead of the simulator')
    .option('--token <token>', 'API token (or EMP_API_TOKEN)')
    .option('--seed <n>', 'simulator seed')
    .option('--speed <x>', 'simulated seconds per wall-clock second')
    .option('--transport <kind>', 'simulator delivery: ws (local venue sockets in each venue protocol) or memory')
    .option('--history <d>', 'simulated history before going live, as 1-minute bars through the same analysis (default 2d; 0 for none)')
    .option('--bus <kind>', 'inprocess or nats')
    .option('--store <kind>', 'sqlite or postgres')
    .option('--role <role>', 'all (one process, default), or with --bus nats: ingest, analyze or gateway (see README: Scale-out)')
    .option('--instruments <list>', 'comma-separated instruments (an analyze process takes these; see README: Scale-out)')
    .action(async (opts: StartOptions) => {
      const config = resolveConfig(opts);
      const role = (opts.role ?? 'all') as Role;
      if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(`--role: expected one of ${ROLES.join(', ')}, got "${role}"`);
      if (role !== 'all') {
        try {
          checkRoleConfig(role, config);
        } catch (err) {
          throw new ConfigError((err as Error).message);
        }
        return runRole(role, config);
      }
      // Refused before anything is opened.
      assertListenAllowed(config.server.host, config.server.token);
      const log = pino({ level: process.env.EMP_LOG_LEVEL ?? 'info' }, pino.destination(2));
      const webRoot = join(ROOT, 'web', 'dist');
      let source: RecordSource | undefined;
      let pipeline: LivePipeline | undefined;
      let server: RunningServer | undefined;
      try {
        source = config.live ? liveSource(config, log) : await simulatorSource(config, log);
        pipeline = await LivePipeline.open(config, source, defaultParts(config), log);
        // The API first: a port in use fails before any venue is connected, and the WebSocket
        // gateway is subscribed before the first record.
        server = await startServer(pipeline, {
          host: config.server.host,
          port: config.server.port,
          token: config.server.token,
          origins: config.server.origins,
          webRoot: existsSync(webRoot) ? webRoot : undefined,
        });
        await pipeline.start();
      } catch (err) {
        // Release whatever was opened; the caller exits with a one-line reason.
        await server?.close().catch(() => {});
        if (pipeline) await pipeline.stop().catch(() => {});
        else await source?.stop().catch(() => {});
        if (err instanceof EmpError) throw err;
        throw new EmpError('UNAVAILABLE', `cannot start: ${String((err as Error).message ?? err).split('\n')[0]}`, { cause: err });
      }
      process.stdout.write(`emp: dashboard and API at ${server.url}/ (Ctrl-C to stop)\n`);
      if (!existsSync(webRoot)) process.stdout.write('emp: dashboard not built (run `npm run build:web`); the API is up\n');
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log.info({ signal }, 'shutting down');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await server.close();
      await pipeline.stop();
      process.stdout.write('emp: stopped\n');
    });
}

/** Until SIGINT or SIGTERM. */
function untilSignal(log: pino.Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** One role of the scaled-out service (README: Scale-out), until SIGINT or SIGTERM. */
async function runRole(role: Exclude<Role, 'all'>, config: ServiceConfig): Promise<void> {
  const log = pino({ level: process.env.EMP_LOG_LEVEL ?? 'info', base: { role } }, pino.destination(2));
  const fail = (err: unknown): never => {
    if (err instanceof EmpError) throw err;
    throw new EmpError('UNAVAILABLE', `cannot start ${role}: ${String((err as Error).message ?? err).split('\n')[0]}`, { cause: err });
  };
  let stop: () => Promise<void>;
  if (role === 'ingest') {
    let source: RecordSource | undefined;
    try {
      const bus = await connectBus(config, log);
      source = config.live ? liveSource(config, log) : await simulatorSource(config, log);
      const ingest = new IngestRole(bus, source, log);
      ingest.start();
      stop = () => ingest.stop();
    } catch (err) {
      await source?.stop().catch(() => {});
      return fail(err);
    }
    process.stdout.write(`emp: ingest publishing ${config.instruments.join(', ')} to ${config.bus.stream} (Ctrl-C to stop)\n`);
  } else if (role === 'analyze') {
    try {
      const { pipeline, source } = await openAnalyze(config, defaultParts(config), log);
      try {
        await pipeline.start();
        await source.started;
      } catch (err) {
        await pipeline.stop().catch(() => {});
        throw err;
      }
      stop = () => pipeline.stop();
    } catch (err) {
      return fail(err);
    }
    process.stdout.write(`emp: analyze ${config.instruments.join(', ')} (Ctrl-C to stop)\n`);
  } else {
    assertListenAllowed(config.server.host, config.server.token);
    const webRoot = join(ROOT, 'web', 'dist');
    let backend: GatewayBackend | undefined;
    let server: RunningServer;
    try {
      backend = await GatewayBackend.open(config, log);
      server = await startServer(backend, {
        host: config.server.host,
        port: config.server.port,
        token: config.server.token,
        origins: config.server.origins,
        webRoot: existsSync(webRoot) ? webRoot : undefined,
      });
      await backend.bus.ready();
    } catch (err) {
      await backend?.close().catch(() => {});
      return fail(err);
    }
    const b = backend;
    stop = async () => {
      await server.close();
      await b.close();
    };
    process.stdout.write(`emp: gateway: dashboard and API at ${server.url}/ (Ctrl-C to stop)\n`);
  }
  await untilSignal(log);
  await stop();
  process.stdout.write('emp: stopped\n');
}
