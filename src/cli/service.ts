/**
 * The service's process: the pipeline (or one scale-out role) and the API started, released
 * again on a failed start, then run until SIGINT or SIGTERM and stopped in order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import type { NatsJetStreamBus } from '../bus/nats.ts';
import { EmpError } from '../core/errors.ts';
import { openTogether } from '../core/open-together.ts';
import { StartProgress } from '../core/start-progress.ts';
import type { ServiceConfig } from '../pipeline/config.ts';
import { LivePipeline } from '../pipeline/live-pipeline.ts';
import { defaultParts, liveSource, simulatorSource } from '../pipeline/parts.ts';
import { connectBus, GatewayBackend, IngestRole, openAnalyze, type Role } from '../pipeline/roles.ts';
import type { RecordSource } from '../pipeline/stages.ts';
import { assertListenAllowed, type RunningServer, startServer } from '../server/server.ts';
import { AcceptBurst } from '../stream/accept-burst.ts';

const WEB_ROOT = join(import.meta.dirname, '..', '..', 'web', 'dist');
/** A start still under way after this long says, every as long again, which steps it waits for. */
const SLOW_START_REPORT_MS = 20_000;

/** The API (and the dashboard when it is built) for a backend, as the config says. */
function serve(backend: Parameters<typeof startServer>[0], config: ServiceConfig, onConnection?: () => void): Promise<RunningServer> {
  return startServer(backend, {
    host: config.server.host,
    port: config.server.port,
    token: config.server.token,
    origins: config.server.origins,
    webRoot: existsSync(WEB_ROOT) ? WEB_ROOT : undefined,
    ...(onConnection ? { onConnection } : {}),
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

/** The V8 heap's growth limit (`runtime.heapGrowthPercent`); it takes effect at the next full collection. */
export function applyRuntime(config: ServiceConfig): void {
  if (config.runtime.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.runtime.heapGrowthPercent}`);
}

/** A start's steps, and the report (warn, every SLOW_START_REPORT_MS) of those it still waits for; stop it once started. */
function watchStart(log: pino.Logger): [StartProgress, () => void] {
  const progress = new StartProgress();
  const unwatch = progress.watch(SLOW_START_REPORT_MS, (waitingFor, ms) =>
    log.warn({ waitingFor, seconds: Math.round(ms / 1000) }, 'the start is still waiting'),
  );
  return [progress, unwatch];
}

/** A failed start as one line: input errors as they are, anything else UNAVAILABLE. */
function startError(err: unknown, what: string): EmpError {
  if (err instanceof EmpError) return err;
  return new EmpError('UNAVAILABLE', `cannot start${what}: ${String((err as Error).message ?? err).split('\n')[0]}`, { cause: err });
}

/**
 * The whole service in one process: sources (the simulator's venues by default) → fusion → bars →
 * analysis → API, dashboard and store, until SIGINT/SIGTERM (then: stop intake, flush, close).
 */
export async function runService(config: ServiceConfig): Promise<void> {
  // Refused before anything is opened.
  assertListenAllowed(config.server.host, config.server.token);
  applyRuntime(config);
  const log = pino({ level: process.env.EMP_LOG_LEVEL ?? 'info' }, pino.destination(2));
  let pipeline: LivePipeline | undefined;
  let server: RunningServer | undefined;
  // The simulator on this thread gives way while clients connect (after a restart, hundreds at once).
  const accepts = new AcceptBurst();
  const [progress, unwatch] = watchStart(log);
  try {
    // A bad indicator spec fails here, before anything is opened.
    const parts = defaultParts(config);
    // The simulated venues' servers start while the store and the bus open (open closes them on a failure).
    const source = config.live ? liveSource(config, log) : simulatorSource(config, log, accepts.active);
    pipeline = await LivePipeline.open(config, source, parts, log, { progress });
    // The API first: a port in use fails before any venue is connected, and the WebSocket
    // gateway is subscribed before the first record.
    server = await progress.track('the API server', serve(pipeline, config, accepts.note));
    await pipeline.start();
  } catch (err) {
    // Release whatever was opened; the caller exits with a one-line reason.
    await progress.track('closing the API server', server?.close() ?? Promise.resolve()).catch(() => {});
    await progress.track('stopping the pipeline', pipeline?.stop() ?? Promise.resolve()).catch(() => {});
    throw startError(err, '');
  } finally {
    unwatch();
  }
  process.stdout.write(`emp: dashboard and API at ${server.url}/ (Ctrl-C to stop)\n`);
  if (!existsSync(WEB_ROOT)) process.stdout.write('emp: dashboard not built (run `npm run build:web`); the API is up\n');
  await untilSignal(log);
  await server.close();
  await pipeline.stop();
  process.stdout.write('emp: stopped\n');
}

/** One role of the scaled-out service (README: Scale-out), until SIGINT or SIGTERM. */
export async function runRole(role: Exclude<Role, 'all'>, config: ServiceConfig): Promise<void> {
  applyRuntime(config);
  const log = pino({ level: process.env.EMP_LOG_LEVEL ?? 'info', base: { role } }, pino.destination(2));
  const [progress, unwatch] = watchStart(log);
  let stop: () => Promise<void>;
  try {
    stop = await startRole(role, config, log, progress);
  } catch (err) {
    throw startError(err, ` ${role}`);
  } finally {
    unwatch();
  }
  await untilSignal(log);
  await stop();
  process.stdout.write('emp: stopped\n');
}

/** Starts a role and prints its line; a failed start releases what it opened. Resolves with the role's stop. */
async function startRole(
  role: Exclude<Role, 'all'>,
  config: ServiceConfig,
  log: pino.Logger,
  progress: StartProgress,
): Promise<() => Promise<void>> {
  if (role === 'ingest') {
    const venues = async (): Promise<RecordSource> => (config.live ? liveSource(config, log) : simulatorSource(config, log));
    const [bus, source] = await openTogether<[NatsJetStreamBus, RecordSource]>([
      [progress.track('the bus (nats)', connectBus(config, log)), (b) => progress.track('closing the bus', b.close())],
      [progress.track('the venues', venues()), (s) => progress.track('closing the venues', s.stop())],
    ]);
    const ingest = new IngestRole(bus, source, log);
    ingest.start();
    process.stdout.write(`emp: ingest publishing ${config.instruments.join(', ')} to ${config.bus.stream} (Ctrl-C to stop)\n`);
    return () => ingest.stop();
  }
  if (role === 'analyze') {
    const { pipeline, source } = await openAnalyze(config, defaultParts(config), log, progress);
    try {
      await pipeline.start();
      await progress.track("the stream's consumers", source.started);
    } catch (err) {
      await progress.track('stopping the pipeline', pipeline.stop()).catch(() => {});
      throw err;
    }
    process.stdout.write(`emp: analyze ${config.instruments.join(', ')} (Ctrl-C to stop)\n`);
    return () => pipeline.stop();
  }
  assertListenAllowed(config.server.host, config.server.token);
  const backend = await GatewayBackend.open(config, log, progress);
  let server: RunningServer | undefined;
  try {
    server = await progress.track('the API server', serve(backend, config));
    await progress.track('the bus consumers', backend.bus.ready());
  } catch (err) {
    await progress.track('closing the API server', server?.close() ?? Promise.resolve()).catch(() => {});
    await progress.track('closing the gateway', backend.close()).catch(() => {});
    throw err;
  }
  const listening = server;
  process.stdout.write(`emp: gateway: dashboard and API at ${listening.url}/ (Ctrl-C to stop)\n`);
  return async () => {
    await listening.close();
    await backend.close();
  };
}
