/**
 * Private NATS JetStream and PostgreSQL servers for `bench/soak.ts`: the soak restarts them on a
 * schedule, and the machine's shared servers (127.0.0.1:4222 and :5432) serve every other test
 * run here, which a restart would disrupt. Both are the machine's own binaries (Debian's
 * nats-server and PostgreSQL), started on free ports with their data under the soak's directory.
 * Also what the soak shares with bench/restart-herd.ts and bench/start-time.ts: the launch of
 * `bin/emp start`, its WebSocket client processes and its probe of the service.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_POSTGRES_URL } from '../src/store/postgres.ts';

const CLIENT_PROCS = 4;

/** How long a start may take to print its address line (a normal one: 1–3 s; history warm-up and a loaded machine: tens). */
const START_DEADLINE_MS = 120_000;

/**
 * Launches `bin/emp start ARGS` from the checkout `tree` (warnings only in its log); `ready`
 * resolves once it printed its address line (on stdout, or on stderr with `stderr: 'pipe'`, which
 * leaves stderr to the caller otherwise) and rejects, with what it printed, if it exits first or
 * has not printed it within `deadlineMs`: a start that hangs is killed after a Node diagnostic
 * report, whose JavaScript stack and open handles the rejection quotes (the file stays in the temp directory).
 */
export function launchService(
  tree: string,
  args: readonly string[],
  stderr: 'pipe' | 'ignore' = 'ignore',
  deadlineMs = START_DEADLINE_MS,
): { child: ChildProcess; ready: Promise<number> } {
  const report = `emp-start-${process.pid}-${Date.now()}.json`;
  const nodeOptions = [
    process.env.NODE_OPTIONS,
    '--report-on-signal',
    '--report-signal=SIGUSR2',
    `--report-directory=${tmpdir()}`,
    `--report-filename=${report}`,
  ];
  const child = spawn(join(tree, 'bin', 'emp'), ['start', ...args], {
    cwd: tree,
    stdio: ['ignore', 'pipe', stderr],
    env: { ...process.env, EMP_LOG_LEVEL: 'warn', NODE_OPTIONS: nodeOptions.filter(Boolean).join(' ') },
  });
  // Resolves with the port the service listens on (its address line says it: `--port 0` binds a free one).
  const ready = new Promise<number>((resolve, reject) => {
    let out = '';
    let up = false;
    const read = (d: Buffer): void => {
      if (up) return; // drained, not kept: the soak's service writes to stderr for 30 minutes
      out += d.toString();
      const address = /dashboard and API at http:\/\/[^\s/]+:(\d+)\//.exec(out);
      up = address !== null;
      if (address) {
        clearTimeout(deadline);
        resolve(Number(address[1]));
      }
    };
    const deadline = setTimeout(() => {
      child.kill('SIGUSR2');
      // The report is written within the child's next moment; then the start is given up.
      setTimeout(() => {
        child.kill('SIGKILL');
        const why = `emp start printed no address line in ${deadlineMs / 1000} s (what it waits for is in its last lines): ${out.slice(-2000)}`;
        reject(new Error(`${why}\n${whereItWas(join(tmpdir(), report))}`));
      }, 3000);
    }, deadlineMs);
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`emp start exited with ${code}: ${out.slice(-500)}`));
    });
  });
  return { child, ready };
}

/** A diagnostic report's JavaScript stack and open sockets and timers, or why there is none. */
function whereItWas(file: string): string {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as {
      javascriptStack?: { message?: string; stack?: string[] };
      libuv?: { type: string; is_active?: boolean; remoteEndpoint?: { host: string; port: number } }[];
    };
    const handles = (r.libuv ?? [])
      .filter((h) => h.is_active)
      .map((h) => (h.remoteEndpoint ? `${h.type} to ${h.remoteEndpoint.host}:${h.remoteEndpoint.port}` : h.type));
    return `its JavaScript stack: ${r.javascriptStack?.message ?? ''} ${(r.javascriptStack?.stack ?? []).join(' | ')}\nits active handles: ${handles.join(', ')} (report: ${file})`;
  } catch (err) {
    return `no diagnostic report (${(err as Error).message})`;
  }
}

/**
 * `clients` WebSocket clients of the service on `port`, `slow` of them readers that stop, spread
 * over four processes of bench/soak-clients.ts (each prints its counters as a JSON line a second).
 */
export function spawnSoakClients(port: number, clients: number, slow: number): ChildProcess[] {
  return Array.from({ length: CLIENT_PROCS }, (_, k) => {
    const count = Math.floor(clients / CLIENT_PROCS) + (k < clients % CLIENT_PROCS ? 1 : 0);
    const slowHere = Math.floor(slow / CLIENT_PROCS) + (k < slow % CLIENT_PROCS ? 1 : 0);
    const first = k * Math.ceil(clients / CLIENT_PROCS);
    const script = join(import.meta.dirname, 'soak-clients.ts');
    return spawn(
      process.execPath,
      ['--import', 'tsx', script, '--port', String(port), '--count', String(count), '--slow', String(slowHere), '--first', String(first)],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
  });
}

/** What the soak samples each second: instruments, venue sources and metrics, side by side, each within 0.9 s (else it throws). */
export function readService(base: string): Promise<[{ symbol: string; ts: number | null }[], { state: string }[], string]> {
  const get = (path: string): Promise<Response> => fetch(`${base}${path}`, { signal: AbortSignal.timeout(900) });
  return Promise.all([
    get('/api/instruments').then((r) => r.json() as Promise<{ symbol: string; ts: number | null }[]>),
    get('/api/sources').then((r) => r.json() as Promise<{ state: string }[]>),
    get('/metrics').then((r) => r.text()),
  ]);
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
async function listening(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RestartableService {
  readonly url: string;
  /** Stops the server (as a crash would: no clean shutdown) and starts it again on the same port and data. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

/** A JetStream-enabled nats-server on a free port, its store under `dir`. */
export async function startPrivateNats(dir: string, log: NodeJS.WritableStream): Promise<RestartableService> {
  const port = await freePort();
  const store = join(dir, 'nats');
  mkdirSync(store, { recursive: true });
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    await listening(port, 15_000);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await gone;
  };
  await start();
  return {
    url: `127.0.0.1:${port}`,
    async restart() {
      const t0 = Date.now();
      await kill('SIGKILL');
      await start();
      return Date.now() - t0;
    },
    stop: () => kill('SIGTERM'),
  };
}

/** The PostgreSQL binaries' directory (Debian keeps them out of PATH). */
function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error(`no PostgreSQL under ${root}`);
  return join(root, version, 'bin');
}

/**
 * A PostgreSQL cluster of its own (initdb, trust auth) on a free port. initdb refuses to run as
 * root, so as root the cluster belongs to the `postgres` user.
 */
export async function startPrivatePostgres(dir: string, log: NodeJS.WritableStream): Promise<RestartableService> {
  const port = await freePort();
  const data = join(dir, 'pg');
  const bin = pgBin();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]): string => {
    const full = join(bin, cmd);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' })
      : execFileSync(full, args, { encoding: 'utf8' });
  };
  mkdirSync(data, { recursive: true });
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pw), Number(gid));
    chownSync(data, Number(pw), Number(gid));
  }
  if (!existsSync(join(data, 'PG_VERSION'))) log.write(run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']));
  const opts = `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const start = (): void => {
    log.write(run('pg_ctl', ['-D', data, '-o', opts, '-l', join(data, 'server.log'), '-w', 'start']));
  };
  start();
  await listening(port, 15_000);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart() {
      const t0 = Date.now();
      // `immediate`: no checkpoint, as after a crash; committed transactions survive through the WAL.
      log.write(run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']));
      start();
      await listening(port, 15_000);
      return Date.now() - t0;
    },
    async stop() {
      log.write(run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
    },
  };
}

/** The config for a run on the machine's own PostgreSQL and NATS: a schema `tag` and a stream `TAG` of its own (dropSchemaAndStream). */
export const machineServersConfig = (tag: string) => ({
  store: { kind: 'postgres', postgresSchema: tag },
  bus: { kind: 'nats', stream: tag.toUpperCase() },
});

/** Drops what a run on the machine's own servers made: the PostgreSQL schema `tag` and the JetStream stream `TAG`. */
export async function dropSchemaAndStream(tag: string): Promise<void> {
  const c = new pg.Client({ connectionString: DEFAULT_POSTGRES_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${tag} CASCADE`);
  await c.end();
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: '127.0.0.1:4222' });
  await (await jetstreamManager(nc)).streams.delete(tag.toUpperCase()).catch(() => false);
  await nc.close();
}
