/**
 * `npm run bench -- scale`: how many venue records per second the analyze role gets through
 * (fusion, bars, analysis, outputs to JetStream, store writes to PostgreSQL), with one process and
 * with two splitting the instruments. Real processes (`bin/emp start --role ...`) on the real NATS
 * JetStream and PostgreSQL: an ingest process fills a fresh stream with a backlog of simulated
 * records (six instruments, all venues), then the analyze processes drain it from their durable
 * consumers; the time from their start line to an empty backlog gives the rate. Then live: the
 * latency from a venue event to a gateway's WebSocket client, with one and two analyze processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import WebSocket from 'ws';
import { durableName } from '../src/pipeline/roles.ts';

const ROOT = join(import.meta.dirname, '..');
const EMP = join(ROOT, 'bin', 'emp');
const INSTRUMENTS = ['BTC-USD', 'ETH-USD', 'EUR-USD', 'SOL-USD', 'GBP-USD', 'USD-JPY'];
const INGEST_MS = Number(process.env.EMP_BENCH_INGEST_MS ?? 15_000);
const LIVE_MS = Number(process.env.EMP_BENCH_LIVE_MS ?? 20_000);

function emp(cfg: string, args: string[]): { child: ChildProcess; started: Promise<number>; exited: Promise<unknown>; out: () => string } {
  // EMP_BENCH_NODE_ARGS: extra node options for the roles (e.g. --cpu-prof --cpu-prof-dir=DIR).
  const nodeArgs = (process.env.EMP_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, EMP, 'start', '--config', cfg, ...args], {
    cwd: ROOT,
    env: { ...process.env, EMP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const started = new Promise<number>((resolve) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('emp:')) resolve(Date.now());
    });
  });
  return { child, started, exited: new Promise((r) => child.on('exit', r)), out: () => out };
}

/** `split` analyze processes, each taking its share of the instruments. */
function analyzeRoles(cfg: string, split: number): ReturnType<typeof emp>[] {
  const per = Math.ceil(INSTRUMENTS.length / split);
  return Array.from({ length: split }, (_, i) =>
    emp(cfg, [
      '--role',
      'analyze',
      '--bus',
      'nats',
      '--store',
      'postgres',
      '--instruments',
      INSTRUMENTS.slice(i * per, (i + 1) * per).join(','),
    ]),
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * Live: the ingest role at real time (speed 1), the analyze processes and a gateway with one
 * WebSocket client subscribed to every fused price; the latency is the client's receipt time less
 * the fused price's event time (same machine, same clock): venue event → ingest → JetStream →
 * analyze → JetStream → gateway → client.
 */
async function live(jsm: JetStreamManager, db: pg.Pool, dir: string, tag: string, split: number): Promise<void> {
  const stream = `EMP_${tag.toUpperCase()}_LIVE${split}`;
  const schema = `emp_${tag}_live${split}`;
  const cfg = join(dir, `${schema}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({
      instruments: INSTRUMENTS,
      simulator: { seed: 5, speed: 1, transport: 'memory', historyMs: 0 },
      store: { kind: 'postgres', postgresSchema: schema },
      bus: { kind: 'nats', stream },
      server: { port: 0 },
    }),
  );
  const procs = [...analyzeRoles(cfg, split), emp(cfg, ['--role', 'gateway', '--bus', 'nats', '--store', 'postgres'])];
  await Promise.all(procs.map((p) => p.started));
  const url = /at (http:\/\/[^ ]+)\//.exec(procs[procs.length - 1]?.out() ?? '')?.[1] ?? '';
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
  const lat: number[] = [];
  let measuring = false;
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { type?: string; ts?: number };
    if (measuring && m.type === 'fused' && typeof m.ts === 'number') lat.push(Date.now() - m.ts);
  });
  const ingest = emp(cfg, ['--role', 'ingest', '--bus', 'nats']);
  procs.push(ingest);
  await ingest.started;
  await new Promise((r) => setTimeout(r, 5000)); // past the start-up
  const records = async (): Promise<number> =>
    Object.values((await jsm.streams.info(stream, { subjects_filter: `${stream.toLowerCase()}.records.>` })).state.subjects ?? {}).reduce(
      (a, b) => a + b,
      0,
    );
  const r0 = await records();
  const t0 = Date.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, LIVE_MS));
  measuring = false;
  const rate = ((await records()) - r0) / ((Date.now() - t0) / 1000);
  ws.close();
  for (const p of procs.reverse()) {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  lat.sort((a, b) => a - b);
  console.log(
    `${split} | ${Math.round(rate)} | ${lat.length} | ${quantile(lat, 0.5).toFixed(1)} | ${quantile(lat, 0.99).toFixed(1)} | ${(lat[lat.length - 1] ?? Number.NaN).toFixed(1)}`,
  );
  await jsm.streams.delete(stream).catch(() => {});
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

export default async function scale(): Promise<void> {
  const tag = `bench${process.pid}`;
  const stream = `EMP_${tag.toUpperCase()}`;
  const dir = mkdtempSync(join(tmpdir(), 'emp-scale-'));
  const config = (schema: string): string => {
    const file = join(dir, `${schema}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        instruments: INSTRUMENTS,
        simulator: { seed: 3, speed: 100, transport: 'memory', historyMs: 0 },
        store: { kind: 'postgres', postgresSchema: schema },
        bus: { kind: 'nats', stream },
        analysis: { timeframes: ['1m', '5m', '15m', '1h'] },
      }),
    );
    return file;
  };
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  const db = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
  try {
    // The backlog: the ingest role at 100 simulated seconds per second.
    const ingest = emp(config(`emp_${tag}_0`), ['--role', 'ingest', '--bus', 'nats']);
    await ingest.started;
    await new Promise((r) => setTimeout(r, INGEST_MS));
    ingest.child.kill('SIGTERM');
    await ingest.exited;
    const bySubject = (await jsm.streams.info(stream, { subjects_filter: `${stream.toLowerCase()}.records.>` })).state.subjects ?? {};
    const records = Object.values(bySubject).reduce((a, b) => a + b, 0);
    console.log(`backlog: ${records} records (${INSTRUMENTS.length} instruments, ${INGEST_MS / 1000} s of the ingest role at speed 100)`);
    console.log('analyze processes | records/s (all processes) | drain s');
    for (const split of [1, 2]) {
      for (const s of INSTRUMENTS) await jsm.consumers.delete(stream, durableName(s)).catch(() => {});
      const schema = `emp_${tag}_${split}`;
      const cfg = config(schema);
      const procs = analyzeRoles(cfg, split);
      const t0 = Math.min(...(await Promise.all(procs.map((p) => p.started))));
      // Drained: every durable consumer has delivered its whole backlog.
      for (;;) {
        let left = 0;
        for (const s of INSTRUMENTS) {
          const info = await jsm.consumers.info(stream, durableName(s)).catch(() => undefined);
          left += info ? info.num_pending : Number.POSITIVE_INFINITY;
        }
        if (left === 0) break;
        // Not faster: JetStream API requests compete with deliveries on a busy server.
        await new Promise((r) => setTimeout(r, 500));
      }
      const secs = (Date.now() - t0) / 1000;
      console.log(`${split} | ${Math.round(records / secs)} | ${secs.toFixed(1)}`);
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    console.log('\nlive (ingest at speed 1, every venue, six instruments; one WebSocket client on the gateway, all fused prices)');
    console.log('analyze processes | records/s | fused received | p50 ms | p99 ms | max ms (event time → client)');
    for (const split of [1, 2]) await live(jsm, db, dir, tag, split);
  } finally {
    await jsm.streams.delete(stream).catch(() => {});
    await db.query(`DROP SCHEMA IF EXISTS emp_${tag}_0 CASCADE`).catch(() => {});
    await db.end();
    await nc.close();
  }
}
