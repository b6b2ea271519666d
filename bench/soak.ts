/**
 * `npm run soak -- [--minutes N] [--bus nats] [--store postgres] [--clients 500] [--slow 50]
 * [--speed 1000] [--thread main|worker] [--kills 1] [--nats-restarts 1] [--pg-restarts 1] [--chaos-gap-ms 20000]
 * [--instruments A,B] [--json FILE]`: the service (`bin/emp start`, a child process) under WebSocket load with faults
 * on a schedule, watched from outside as an operator would:
 *
 * - faults: SIGKILL of the service and restart; with `--bus nats` a NATS server crash-restart,
 *   with `--store postgres` a PostgreSQL crash-restart (`pg_ctl -m immediate`), both on private
 *   servers of the soak's own (bench/soak-services.ts) so nothing else on the machine is hit;
 *   the simulator's venues go down, go silent, cut their clients off and send malformed and
 *   oversized frames (`simulator.chaos`, src/pipeline/venue-chaos.ts), besides the simulator's
 *   own data faults;
 * - availability of the fused price: the share of 1-second samples in which each instrument's
 *   fused price had changed within the last 2 s (wall clock), while at least one venue was up;
 *   over every sample, over every sample but those taken while the service was down for a
 *   SIGKILL the soak sent (from the kill until the restarted service says it is up; a crash is
 *   not excused), and over the samples the API answered (within 0.9 s); the first start is not
 *   counted (no instrument is known before it), nor a sample with no venue up outside a SIGKILL
 *   restart;
 * - the service's event-loop delay (`emp_event_loop_delay_ms`, worst 10-s window) and its V8 heap
 *   in use beside RSS (a growing heap is a leak; RSS growing over a flat heap is the allocator's);
 * - events accounted at the intake: records received = fused + coalesced + dropped + queued,
 *   checked on every sample (an incarnation's counters start at zero);
 * - WebSocket clients (many per loopback address, some that stop reading): updates received,
 *   drops and slow-client disconnects counted by the server, reconnects after each kill;
 * - pipeline latency (receipt of a venue frame to the fused publish, wall clock) p50/p99;
 * - memory: the slope (MB/hour, with a 95 % interval) over every run between kills after its
 *   warm-up, of RSS (every second, and right after each full collection), of the V8 heap in use,
 *   of the live heap after full collections (where a leak shows without the collector's swings),
 *   of the worker threads' heaps (reserved) and of RSS outside every V8 heap (native memory);
 * - committed store rows lost to SIGKILL: rows counted through a second connection just before
 *   the kill and again right after it (0 expected: a committed transaction survives).
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TIMELINE_COLUMNS, type Trend, trend } from './memory-trend.ts';
import { launchService, readService, spawnSoakClients, startPrivateNats, startPrivatePostgres } from './soak-services.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    bus: { type: 'string', default: 'inprocess' },
    store: { type: 'string', default: 'sqlite' },
    clients: { type: 'string', default: '500' },
    slow: { type: 'string', default: '50' },
    speed: { type: 'string', default: '1000' },
    /** Where the simulated venues' servers run (`simulator.thread`). */
    thread: { type: 'string', default: 'main' },
    kills: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'nats-restarts': { type: 'string', default: '1' },
    'pg-restarts': { type: 'string', default: '1' },
    'chaos-gap-ms': { type: 'string', default: '20000' },
    json: { type: 'string' },
    instruments: { type: 'string', default: 'BTC-USD,ETH-USD,SOL-USD,EUR-USD,GBP-USD,USD-JPY' },
  },
});
const MINUTES = Number(args.minutes);
const CLIENTS = Number(args.clients);
const SLOW = Number(args.slow);
const KILLS = Number(args.kills);
const ROOT = join(import.meta.dirname, '..');
const NATS_RESTARTS = args.bus === 'nats' ? Number(args['nats-restarts']) : 0;
const PG_RESTARTS = args.store === 'postgres' ? Number(args['pg-restarts']) : 0;
// Warm-up before memory trends are fitted: start-up history, caches and the V8 heap settle first.
const WARMUP_MS = Math.min(5 * 60_000, (MINUTES * 60_000) / (KILLS + 1) / 3);

const dataDir = mkdtempSync(join(tmpdir(), 'emp-soak-'));
const tag = `soak_${process.pid}`;
const serviceLog = createWriteStream(join(dataDir, 'service.log'));
const servicesLog = createWriteStream(join(dataDir, 'services.log'));
const nats = args.bus === 'nats' ? await startPrivateNats(dataDir, servicesLog) : undefined;
const postgres = args.store === 'postgres' ? await startPrivatePostgres(dataDir, servicesLog) : undefined;
const configFile = join(dataDir, 'config.json');
const chaosGapMs = Number(args['chaos-gap-ms']);
writeFileSync(
  configFile,
  JSON.stringify({
    instruments: args.instruments.split(','),
    simulator: {
      seed: Number(args.seed),
      speed: Number(args.speed),
      thread: args.thread,
      ...(chaosGapMs > 0 ? { chaos: { meanGapMs: chaosGapMs } } : {}),
    },
    store: { kind: args.store, dataDir, postgresSchema: tag, ...(postgres ? { postgresUrl: postgres.url } : {}) },
    bus: { kind: args.bus, stream: tag.toUpperCase(), ...(nats ? { natsUrl: nats.url } : {}) },
  }),
);
/**
 * The service's port: the first start binds a free one (`--port 0`, read from its address line,
 * so nothing can take it between choosing and binding); every restart keeps it, as clients expect.
 */
let port = 0;

// ---- the service ---------------------------------------------------------------------------
let service: ChildProcess | undefined;
/** Exits nobody asked for: each is a failure of the run, and the service is started again. */
const crashes: { at: number; code: number | null; signal: string | null }[] = [];
let stopping = false;
/** Resolves when the current service process has exited (at once if it already has). */
const serviceExit = (): Promise<void> =>
  new Promise((r) =>
    service === undefined || service.exitCode !== null || service.signalCode !== null ? r() : service.once('exit', () => r()),
  );
async function startService(): Promise<number> {
  const t0 = Date.now();
  const { child, ready } = launchService(ROOT, ['--port', String(port), '--config', configFile], 'pipe');
  child.stderr?.pipe(serviceLog, { end: false });
  service = child;
  port = await ready.catch((e: Error) => {
    throw new Error(`${e.message} (log: ${join(dataDir, 'service.log')})`);
  });
  child.once('exit', (code, signal) => {
    if (stopping || service !== child || signal === 'SIGKILL') return;
    crashes.push({ at: Date.now() - t0, code, signal });
    console.log(`soak: the service exited by itself (code ${code}, signal ${signal}); restarting (log: ${join(dataDir, 'service.log')})`);
    incarnation++;
    void startService();
  });
  return Date.now() - t0;
}

/**
 * A connection of our own to the store, opened ahead (before a SIGKILL, so that opening it does
 * not delay the restart the soak times); `snapshot()` then takes the committed rows as of that
 * moment, counted when `count` is called. The read snapshot is taken at once, so a restarted
 * service's writes are not counted, and the counting (over a few hundred thousand rows, a
 * noticeable part of a second) waits: in SQLite it may run while the service restarts; in
 * PostgreSQL only once it is up, since a count takes the tables' share lock and the restarting
 * service's schema check (ALTER TABLE) would wait for it. The snapshot itself (a repeatable-read
 * transaction's first statement, which reads no table) locks nothing.
 */
async function committedRows(): Promise<{ snapshot(): Promise<{ count(): Promise<number> }> }> {
  const tables = ['bars', 'fused', 'signals', 'regimes', 'alerts', 'conflicts'];
  if (args.store === 'postgres') {
    const c = new pg.Client({ connectionString: postgres?.url });
    await c.connect();
    return {
      snapshot: async () => {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await c.query('SELECT 1');
        return {
          count: async () => {
            try {
              let n = 0;
              for (const t of tables) n += Number((await c.query(`SELECT count(*) AS n FROM ${tag}.${t}`)).rows[0].n);
              return n;
            } finally {
              await c.end();
            }
          },
        };
      },
    };
  }
  const db = new Database(join(dataDir, 'emp.sqlite'), { readonly: true, fileMustExist: true });
  return {
    snapshot: async () => {
      // In WAL mode a read transaction sees the database as of its first read.
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return {
        count: async () => {
          try {
            return tables.reduce((n, t) => n + (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n, 0);
          } finally {
            db.close();
          }
        },
      };
    },
  };
}

// ---- WebSocket clients (bench/soak-clients.ts, in 4 processes) ------------------------------
const clientProcs: ChildProcess[] = [];
interface ClientStats {
  opened: number;
  updates: number;
  closes: number;
}
const clientStats: ClientStats[] = [];
function startClients(): void {
  for (const [k, p] of spawnSoakClients(port, CLIENTS, SLOW).entries()) {
    clientStats[k] = { opened: 0, updates: 0, closes: 0 };
    let buf = '';
    p.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      const lastLine = lines.at(-1);
      if (lastLine) clientStats[k] = JSON.parse(lastLine) as ClientStats;
    });
    clientProcs.push(p);
  }
}
const clientTotals = (): ClientStats =>
  clientStats.reduce((a, b) => ({ opened: a.opened + b.opened, updates: a.updates + b.updates, closes: a.closes + b.closes }), {
    opened: 0,
    updates: 0,
    closes: 0,
  });

// ---- sampling --------------------------------------------------------------------------------
interface Sample {
  t: number;
  up: boolean;
  /** How long the API took to answer (or to fail), ms. */
  ms: number;
  rssMb: number;
  metrics: Record<string, number>;
  /** Per instrument: fused price fresh (changed in the last 2 s)? null when no venue was up. */
  fresh: Record<string, boolean | null>;
}
/** From each SIGKILL the soak sends until the restarted service is up (ms since the epoch). */
const killWindows: { from: number; to: number }[] = [];
const inKillWindow = (t: number): boolean => killWindows.some((w) => t >= w.from && t <= w.to);
const samples: Sample[] = [];
const lastChange = new Map<string, { ts: number; at: number }>();
let incarnation = 0;
const incarnationOf: number[] = [];

/** The sum of a labelled counter's series (`name{...} value`). */
function sumLabelled(m: Record<string, number>, name: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) if (k.startsWith(`${name}{`)) n += v;
  return n;
}

function parseMetrics(text: string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const x = /^([a-z_][a-z0-9_]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (x) m[x[1] as string] = Number(x[2]);
  }
  return m;
}

async function sample(): Promise<void> {
  const t = Date.now();
  const s: Sample = { t, up: false, ms: Number.NaN, rssMb: Number.NaN, metrics: {}, fresh: {} };
  try {
    const [instruments, sources, metrics] = await readService(`http://127.0.0.1:${port}`);
    s.up = true;
    s.metrics = parseMetrics(metrics);
    const anyVenueUp = sources.some((v) => v.state === 'open');
    for (const i of instruments) {
      const prev = lastChange.get(i.symbol);
      if (i.ts !== null && (!prev || prev.ts !== i.ts)) lastChange.set(i.symbol, { ts: i.ts, at: t });
      const at = lastChange.get(i.symbol)?.at;
      // No venue up excuses a sample (null: not counted), except in a SIGKILL restart: the simulated
      // venues run inside the service, so there they are down only because the service is (real
      // venues would be up), and a restarted service answering before they reconnect has no fresh price.
      s.fresh[i.symbol] = anyVenueUp || inKillWindow(t) ? at !== undefined && t - at < 2000 : null;
    }
  } catch {
    // Down (killed, restarting): every instrument counts as unavailable.
    for (const sym of lastChange.keys()) s.fresh[sym] = false;
  }
  s.ms = Date.now() - t;
  try {
    const status = readFileSync(`/proc/${service?.pid}/status`, 'utf8');
    s.rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  } catch {
    // process gone
  }
  samples.push(s);
  incarnationOf.push(incarnation);
}

// ---- the run ---------------------------------------------------------------------------------
const t0 = Date.now();
const durationMs = MINUTES * 60_000;
console.log(
  `soak: ${MINUTES} min, bus ${args.bus}, store ${args.store}, ${CLIENTS} WS clients (${SLOW} slow), speed ${args.speed}, ${KILLS} SIGKILL(s); data ${dataDir}`,
);
// Interrupted (Ctrl-C, a test's timeout) or failed (a start that did not come up): take the
// service, the clients and the private servers down with the run, so none outlives it.
const abandon = (code: number): void => {
  stopping = true;
  service?.kill('SIGKILL');
  for (const p of clientProcs) p.kill('SIGKILL');
  void Promise.allSettled([nats?.stop(), postgres?.stop()]).then(() => process.exit(code));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abandon(130));
process.once('uncaughtException', (err) => {
  console.error(err);
  abandon(1);
});
const firstStartMs = await startService();
startClients();
/** Samples under way: the last ones are awaited before the stop begins, whose memory they would read otherwise. */
const inFlight = new Set<Promise<void>>();
const sampler = setInterval(() => {
  const p = sample().finally(() => inFlight.delete(p));
  inFlight.add(p);
}, 1000);
const kills: { at: number; before: number; after: number; restartMs: number }[] = [];
const restarts: { at: number; service: 'nats' | 'postgres'; restartMs: number }[] = [];
// The fault timeline: each kind spread evenly over the run, the kinds offset from one another.
const spread = (n: number, offset: number): number[] => Array.from({ length: n }, (_, i) => t0 + (durationMs * (i + 1 - offset)) / (n + 1));
const timeline = [
  ...spread(KILLS, 0).map((at) => ({ at, kind: 'sigkill' as const })),
  ...spread(NATS_RESTARTS, 0.5).map((at) => ({ at, kind: 'nats' as const })),
  ...spread(PG_RESTARTS, 0.25).map((at) => ({ at, kind: 'postgres' as const })),
].sort((a, b) => a.at - b.at);
for (const fault of timeline) {
  await new Promise((r) => setTimeout(r, Math.max(0, fault.at - Date.now())));
  const secs = (): number => Math.round((Date.now() - t0) / 1000);
  if (fault.kind === 'nats' || fault.kind === 'postgres') {
    const restartMs = await (fault.kind === 'nats' ? nats : postgres)?.restart();
    restarts.push({ at: Date.now() - t0, service: fault.kind, restartMs: restartMs ?? Number.NaN });
    console.log(`soak: ${fault.kind} crash-restarted at ${secs()} s in ${restartMs} ms`);
    continue;
  }
  const before = await (await (await committedRows()).snapshot()).count();
  const rows = await committedRows();
  const dead = serviceExit();
  const down = { from: Date.now(), to: Number.POSITIVE_INFINITY };
  killWindows.push(down);
  service?.kill('SIGKILL');
  await dead;
  const afterKill = await rows.snapshot();
  incarnation++;
  const restarted = startService();
  const counted = args.store === 'postgres' ? restarted.then(() => afterKill.count()) : afterKill.count();
  const restartMs = await restarted;
  down.to = Date.now();
  const after = await counted;
  kills.push({ at: Date.now() - t0, before, after, restartMs });
  console.log(`soak: SIGKILL at ${secs()} s: ${before} committed rows before, ${after} after; restarted in ${restartMs} ms`);
}
await new Promise((r) => setTimeout(r, Math.max(0, t0 + durationMs - Date.now())));
clearInterval(sampler);
await Promise.all(inFlight);
for (const p of clientProcs) p.kill('SIGTERM');
const last = samples.filter((s) => s.up).at(-1)?.metrics ?? {};
stopping = true;
const exited = serviceExit();
service?.kill('SIGTERM');
await exited;

// ---- report ----------------------------------------------------------------------------------
const symbols = [...lastChange.keys()].sort();
const avail = (pred: (s: Sample) => boolean) =>
  symbols.map((sym) => {
    const counted = samples.filter((s) => pred(s) && s.t - t0 > 10_000 && s.fresh[sym] !== null && s.fresh[sym] !== undefined);
    return counted.length === 0 ? Number.NaN : counted.filter((s) => s.fresh[sym]).length / counted.length;
  });
const all = avail(() => true);
const butKills = avail((s) => !inKillWindow(s.t));
const whileUp = avail((s) => s.up);
// Memory trends over every incarnation, each after its own warm-up.
const byInc = new Map<number, Sample[]>();
samples.forEach((s, i) => {
  const k = incarnationOf[i] as number;
  byInc.set(k, [...(byInc.get(k) ?? []), s]);
});
const steadyRuns = [...byInc.values()].map((run) => run.filter((s) => s.t - (run[0]?.t ?? 0) > WARMUP_MS));
/** A sample's metric (the series' full key) in MB; NaN when the service did not report it. */
const metricMb = (s: Sample, key: string): number => (s.metrics[key] ?? Number.NaN) / 2 ** 20;
const memMb = (s: Sample, kind: string): number => metricMb(s, `emp_process_memory_bytes{kind="${kind}"}`);
/** The worker threads' heaps (MB): each isolate has its own, outside the process's heap figures. */
const workersMb = (s: Sample, kind: string): number => {
  let n = 0;
  for (const [k, v] of Object.entries(s.metrics)) if (k.startsWith('emp_worker_memory_bytes{') && k.includes(`kind="${kind}"`)) n += v;
  return n / 2 ** 20;
};
const series = (y: (s: Sample) => number) => steadyRuns.map((run) => run.map((s) => ({ t: s.t, v: y(s) })));
const memory = {
  rss: trend(series((s) => s.rssMb)),
  rssAfterGc: trend(series((s) => metricMb(s, 'emp_process_resident_memory_after_gc_bytes'))),
  heapUsed: trend(series((s) => memMb(s, 'heap_used'))),
  heapLive: trend(series((s) => metricMb(s, 'emp_process_heap_live_bytes'))),
  workerHeaps: trend(series((s) => workersMb(s, 'heap_total'))),
  outsideHeap: trend(series((s) => s.rssMb - memMb(s, 'heap_total') - workersMb(s, 'heap_total'))),
};
const lastSteady = steadyRuns
  .at(-1)
  ?.filter((s) => s.up)
  .at(-1);
// Counters restart with each incarnation: rates from the last one.
const recs = samples.filter((s, i) => s.up && incarnationOf[i] === incarnation && s.metrics.emp_records_total !== undefined);
const intake = (m: Record<string, number> | undefined): number =>
  (m?.emp_records_total ?? 0) + (m?.emp_intake_queue_coalesced_total ?? 0) + (m?.emp_intake_queue_dropped_total ?? 0);
/** How fast a reading of the metrics grows per second over the last incarnation's samples. */
const perSecond = (read: (m: Record<string, number>) => number): number => {
  const first = recs[0];
  const end = recs.at(-1);
  return first && end && end.t > first.t ? (read(end.metrics) - read(first.metrics)) / ((end.t - first.t) / 1000) : Number.NaN;
};
/** The sum of the counters named (NaN when one is missing). */
const counters = (keys: readonly string[]) => (m: Record<string, number>) => keys.reduce((n, k) => n + (m[k] ?? Number.NaN), 0);
const rate = perSecond(intake);
const cpuCores = perSecond(counters(['emp_process_cpu_seconds_total{mode="user"}', 'emp_process_cpu_seconds_total{mode="system"}']));
const gcShare = perSecond(counters(['major', 'minor', 'incremental', 'weakcb'].map((k) => `emp_gc_pause_seconds_total{kind="${k}"}`)));
const steadyRss = steadyRuns.flat().map((s) => s.rssMb);
const lags = samples
  .map((s) => s.metrics.emp_pipeline_lag_ms)
  .filter((x): x is number => x !== undefined && Number.isFinite(x))
  .sort((a, b) => a - b);
// Every record the venue clients decoded is fused, coalesced, dropped (all counted) or still queued.
const unaccountedPer = samples
  .filter((s) => s.metrics.emp_intake_records_received_total !== undefined)
  .map((s) => (s.metrics.emp_intake_records_received_total ?? 0) - intake(s.metrics) - (s.metrics.emp_intake_queue_depth ?? 0));
const unaccounted = unaccountedPer.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
// Event-loop delay: the worst 10-s window's p99 and longest delay seen by any answered sample.
const loopDelay = (q: string): number =>
  samples.reduce((m, s) => Math.max(m, s.metrics[`emp_event_loop_delay_ms{quantile="${q}"}`] ?? 0), 0);
const unanswered = samples.filter((s) => !s.up && s.t - t0 > 10_000 && !inKillWindow(s.t)).length;
// Counters restart with each incarnation: add up each incarnation's last reading.
const lastOfIncarnation = new Map<number, Sample>();
samples.forEach((s, i) => {
  if (s.up) lastOfIncarnation.set(incarnationOf[i] as number, s);
});
const injected = (kind: string): number =>
  [...lastOfIncarnation.values()].reduce((n, s) => n + (s.metrics[`emp_simulator_venue_faults_total{kind="${kind}"}`] ?? 0), 0);
const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN;
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f3 = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : 'n/a');

console.log('\n| measure | value |\n|---|---|');
console.log(`| duration | ${MINUTES} min, first start ${firstStartMs} ms |`);
for (const [i, sym] of symbols.entries())
  console.log(
    `| availability ${sym} (every sample / all but the SIGKILL restarts / samples the API answered) | ${f3(all[i] as number)} / ${f3(butKills[i] as number)} / ${f3(whileUp[i] as number)} |`,
  );
console.log(
  `| samples the API did not answer within 0.9 s, outside the SIGKILL restarts (after 10 s) | ${unanswered} of ${samples.length} |`,
);
console.log(`| event-loop delay, worst 10-s window: p99 / longest | ${f1(loopDelay('0.99'))} / ${f1(loopDelay('1'))} ms |`);
console.log(`| venue records/s into the intake: fused + coalesced + dropped (last incarnation) | ${f1(rate)} |`);
console.log(
  `| service CPU, all threads (cores) / main thread in GC pauses (share of wall time), last incarnation | ${Number.isFinite(cpuCores) ? cpuCores.toFixed(2) : 'n/a'} / ${f3(gcShare)} |`,
);
console.log(
  `| records fused / quotes coalesced / dropped at intake (last incarnation) | ${last.emp_records_total ?? 'n/a'} / ${last.emp_intake_queue_coalesced_total ?? 'n/a'} / ${last.emp_intake_queue_dropped_total ?? 'n/a'} |`,
);
console.log(
  `| WS clients at the end / updates received by all clients | ${last.emp_api_ws_clients ?? 'n/a'} / ${clientTotals().updates} |`,
);
console.log(
  `| WS updates dropped for slow clients / slow clients disconnected (last incarnation) | ${last.emp_api_ws_dropped_total ?? 'n/a'} / ${last.emp_api_ws_slow_disconnects_total ?? 'n/a'} |`,
);
console.log(
  `| records received at the intake and not accounted for (worst sample, ${unaccountedPer.length} samples) | ${unaccountedPer.length ? unaccounted : 'n/a'} |`,
);
console.log(
  `| venue faults injected: down / silent / clients cut off / malformed / oversized | ${['down', 'silent', 'close', 'malformed', 'oversized'].map(injected).join(' / ')} |`,
);
console.log(
  `| venue reconnects / source errors (last incarnation) | ${sumLabelled(last, 'emp_source_reconnects_total')} / ${last.emp_source_errors_total ?? 'n/a'} |`,
);
console.log(`| WS closes seen by clients (incl. failed reconnects while the service restarted) | ${clientTotals().closes} |`);
console.log(
  `| pipeline latency, venue frame received to fused publish, p50 / p99 (last record at each 1 s sample, ${lags.length} samples) | ${f1(pct(lags, 0.5))} / ${f1(pct(lags, 0.99))} ms |`,
);
const fTrend = (x: Trend): string => (Number.isFinite(x.slope) ? `${f1(x.slope)} ± ${f1(x.ci95)}` : 'n/a');
console.log(
  `| memory slope after each run's ${WARMUP_MS / 1000} s warm-up (${memory.rss.minutes} one-minute blocks), MB/hour ± 95 %: RSS / RSS right after full collections / V8 heap in use / live heap after full collections / worker threads' heaps / RSS outside every V8 heap | ${fTrend(memory.rss)} / ${fTrend(memory.rssAfterGc)} / ${fTrend(memory.heapUsed)} / ${fTrend(memory.heapLive)} / ${fTrend(memory.workerHeaps)} / ${fTrend(memory.outsideHeap)} |`,
);
console.log(
  `| RSS after each run's warm-up: mean (min–max of the 1-s samples) | ${f1(steadyRss.reduce((a, b) => a + b, 0) / steadyRss.length)} (${f1(Math.min(...steadyRss))}–${f1(Math.max(...steadyRss))}) MB |`,
);
console.log(
  `| at the end: RSS / heap in use / live heap / worker threads' heaps (reserved) | ${f1(lastSteady?.rssMb ?? Number.NaN)} / ${f1(lastSteady ? memMb(lastSteady, 'heap_used') : Number.NaN)} / ${f1(lastSteady ? metricMb(lastSteady, 'emp_process_heap_live_bytes') : Number.NaN)} / ${f1(lastSteady ? workersMb(lastSteady, 'heap_total') : Number.NaN)} MB |`,
);
for (const k of kills)
  console.log(
    `| SIGKILL at ${Math.round(k.at / 1000)} s: committed rows lost | ${Math.max(0, k.before - k.after)} (of ${k.before}); restart ${k.restartMs} ms |`,
  );
console.log(`| service exits nobody asked for (crashes) | ${crashes.length} |`);
for (const r of restarts) console.log(`| ${r.service} crash-restart at ${Math.round(r.at / 1000)} s | back in ${r.restartMs} ms |`);
await nats?.stop();
await postgres?.stop();
if (args.json)
  writeFileSync(
    args.json,
    JSON.stringify({
      minutes: MINUTES,
      bus: args.bus,
      store: args.store,
      availability: Object.fromEntries(symbols.map((sym, i) => [sym, { all: all[i], butKills: butKills[i], whileUp: whileUp[i] }])),
      unanswered,
      eventLoopDelayMs: { p99: loopDelay('0.99'), max: loopDelay('1') },
      memoryTrendMbPerHour: memory,
      rssEndMb: lastSteady?.rssMb ?? null,
      cpuCores,
      gcPauseShare: gcShare,
      // Each sample's columns, in TIMELINE_COLUMNS order (bench/memory-trend.ts; `node --import tsx bench/soak-memory.ts FILE` reads them).
      timelineColumns: TIMELINE_COLUMNS,
      timeline: samples.map((s) => [
        Math.round((s.t - t0) / 1000),
        s.up ? 1 : 0,
        inKillWindow(s.t) ? 1 : 0,
        s.ms,
        Object.values(s.fresh).filter((x) => x === true).length,
        Math.round(s.rssMb),
        ...['heap_used', 'heap_total', 'external'].map((k) => Math.round(memMb(s, k))),
        Math.round(metricMb(s, 'emp_process_heap_live_bytes')),
        Math.round(workersMb(s, 'heap_total')),
        ...[['old_space'], ['new_space'], ['large_object_space', 'new_large_object_space'], ['code_space']].map((names) =>
          Math.round(
            names.reduce((n, space) => n + (s.metrics[`emp_v8_heap_space_bytes{space="${space}",kind="size"}`] ?? 0), 0) / 2 ** 20,
          ),
        ),
        Math.round(metricMb(s, 'emp_process_resident_memory_after_gc_bytes')),
      ]),
      intakeRecordsPerSecond: rate,
      unaccounted: unaccountedPer.length ? unaccounted : null,
      samplesWithAccounting: unaccountedPer.length,
      venueFaults: Object.fromEntries(['down', 'silent', 'close', 'malformed', 'oversized'].map((k) => [k, injected(k)])),
      wsUpdates: clientTotals().updates,
      latencyMs: { p50: pct(lags, 0.5), p99: pct(lags, 0.99), samples: lags.length },
      kills,
      restarts,
      crashes,
    }),
  );
process.exit(0);
