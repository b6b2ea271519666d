/**
 * Scale-out over real processes: `bin/emp start --role ingest|analyze|gateway` against the real
 * NATS JetStream (127.0.0.1:4222) and PostgreSQL (127.0.0.1:5432), with a stream and a schema of
 * this run's own. Two analyze processes split six instruments; one is SIGKILLed mid-stream and
 * started again. Asserts: the gateway's WebSocket client keeps receiving fused prices of the
 * killed process's instruments after the restart, and every instrument's stored 1-minute bars
 * are contiguous and unique (regimes too: one per instrument, timeframe and bar).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const ROOT = join(import.meta.dirname, '..', '..');

/** Deletes a test's JetStream stream on the machine's NATS (absent: nothing to do). */
async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
  await nc.close();
}
const EMP = join(ROOT, 'bin', 'emp');
const A = ['BTC-USD', 'ETH-USD', 'EUR-USD'];
const B = ['SOL-USD', 'GBP-USD', 'USD-JPY'];

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exited: Promise<number | null>;
}

function startRole(cfg: string, args: string[]): Proc {
  const child = spawn(process.execPath, [EMP, 'start', '--config', cfg, ...args], {
    cwd: ROOT,
    env: { ...process.env, EMP_API_TOKEN: '', EMP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = { child, out: '', err: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout?.on('data', (d: Buffer) => {
    p.out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    p.err += d.toString();
  });
  return p;
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms: number, procs: Proc[] = []): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.err.slice(-2000)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scale-out roles as separate processes (real NATS JetStream and PostgreSQL)', () => {
  it('an analyze process SIGKILLed and restarted resumes: fused prices keep coming, 1-minute bars contiguous and unique', async () => {
    const tag = `r${process.pid}_${Date.now() % 1_000_000}`;
    const stream = `EMP_${tag.toUpperCase()}`;
    const schema = `emp_${tag}`;
    const dir = mkdtempSync(join(tmpdir(), 'emp-roles-'));
    const cfg = join(dir, 'emp.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        instruments: [...A, ...B],
        // 30 simulated seconds per second: a 1-minute bar every 2 s.
        simulator: { seed: 11, speed: 30, transport: 'memory', historyMs: 0 },
        store: { kind: 'postgres', postgresSchema: schema },
        bus: { kind: 'nats', stream },
        analysis: { timeframes: ['1m', '5m'] },
        server: { port: 0 },
      }),
    );
    const db = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 2 });
    const procs: Proc[] = [];
    const role = (args: string[]): Proc => {
      const p = startRole(cfg, args);
      procs.push(p);
      return p;
    };
    const lastBar = async (): Promise<Record<string, number>> => {
      try {
        const r = await db.query(`SELECT symbol, max(ts) AS ts FROM ${schema}.bars WHERE timeframe = '1m' GROUP BY symbol`);
        return Object.fromEntries(r.rows.map((x: { symbol: string; ts: number }) => [x.symbol, Number(x.ts)]));
      } catch {
        return {}; // schema not made yet
      }
    };
    let ws: WebSocket | undefined;
    try {
      const analyzeArgs = (list: string[]): string[] => [
        '--role',
        'analyze',
        '--bus',
        'nats',
        '--store',
        'postgres',
        '--instruments',
        list.join(','),
      ];
      let a = role(analyzeArgs(A));
      role(analyzeArgs(B));
      const gateway = role(['--role', 'gateway', '--bus', 'nats', '--store', 'postgres']);
      const ingest = role(['--role', 'ingest', '--bus', 'nats']);
      const url = await until('the gateway', () => /at (http:\/\/[^ ]+)\//.exec(gateway.out)?.[1], 30_000, procs);

      // A dashboard client on the gateway, counting fused prices per instrument as they arrive.
      const fused: { symbol: string; at: number }[] = [];
      ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      const sock = ws;
      sock.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as { type?: string; symbol?: string };
        if (m.type === 'fused' && m.symbol) fused.push({ symbol: m.symbol, at: Date.now() });
      });
      await new Promise((resolve, reject) => {
        sock.once('open', resolve);
        sock.once('error', reject);
      });
      sock.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));

      // Every instrument has stored bars from both analyze processes.
      await until(
        '3 bars per instrument',
        async () => {
          const l = await lastBar();
          const firsts = [...A, ...B].map((s) => l[s]);
          return firsts.every((t) => t !== undefined) ? true : undefined;
        },
        30_000,
        procs,
      );
      await until(
        '3 more bars',
        async () => {
          const r = await db.query(
            `SELECT min(n) AS n FROM (SELECT count(*) AS n FROM ${schema}.bars WHERE timeframe = '1m' GROUP BY symbol) c`,
          );
          return Number(r.rows[0].n) >= 3 ? true : undefined;
        },
        30_000,
        procs,
      );

      // Kill A mid-stream; B and ingest go on.
      a.child.kill('SIGKILL');
      expect(await a.exited).toBeNull();
      const atKill = await lastBar();
      await until(
        'B advancing 3 bars while A is down',
        async () => {
          const l = await lastBar();
          return B.every((s) => (l[s] ?? 0) >= (atKill[s] ?? 0) + 3 * 60_000) ? true : undefined;
        },
        30_000,
        procs,
      );
      const downTo = await lastBar();
      for (const s of A) expect(downTo[s]).toBe(atKill[s]); // nobody else wrote A's instruments

      const restartedAt = Date.now();
      a = role(analyzeArgs(A));
      // Caught up: A's instruments as far as B's were when A came back, and two bars beyond.
      const target = Math.max(...B.map((s) => downTo[s] ?? 0)) + 2 * 60_000;
      await until(
        'A caught up',
        async () => {
          const l = await lastBar();
          return A.every((s) => (l[s] ?? 0) >= target) ? true : undefined;
        },
        40_000,
        procs,
      );
      const caughtUpMs = Date.now() - restartedAt;
      await until(
        'fused prices of A after the restart',
        () => (A.every((s) => fused.some((f) => f.symbol === s && f.at > restartedAt)) ? true : undefined),
        10_000,
        procs,
      );
      const firstFused = Math.min(...fused.filter((f) => A.includes(f.symbol) && f.at > restartedAt).map((f) => f.at)) - restartedAt;

      // Stop everything, ingest first (so the analyze processes see all it sent).
      const ingestFirst = [...procs].sort((x, y) => Number(y === ingest) - Number(x === ingest));
      for (const p of ingestFirst) {
        if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
        p.child.kill('SIGTERM');
        await p.exited;
      }

      const bars = await db.query(
        `SELECT symbol, count(*)::int AS n, count(DISTINCT ts)::int AS distinct_ts, ((max(ts) - min(ts)) / 60000 + 1)::int AS span
         FROM ${schema}.bars WHERE timeframe = '1m' GROUP BY symbol ORDER BY symbol`,
      );
      const regimes = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT (symbol, body->>'timeframe', ts))::int AS distinct_keys FROM ${schema}.regimes`,
      );
      console.log(
        `restart: first fused price on the gateway ${firstFused} ms, caught up ${caughtUpMs} ms after spawn; bars ${JSON.stringify(bars.rows)}`,
      );
      expect(bars.rows.map((r: { symbol: string }) => r.symbol).sort()).toEqual([...A, ...B].sort());
      for (const r of bars.rows as { symbol: string; n: number; distinct_ts: number; span: number }[]) {
        expect(r.n, `${r.symbol} duplicates`).toBe(r.distinct_ts);
        expect(r.n, `${r.symbol} missing minutes`).toBe(r.span);
      }
      expect(regimes.rows[0].n).toBeGreaterThan(0);
      expect(regimes.rows[0].n).toBe(regimes.rows[0].distinct_keys);
    } finally {
      ws?.close();
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await db.end();
      await deleteStream(stream);
    }
  }, 150_000);

  it('a role refuses a missing --bus nats (exit 2), and NATS or PostgreSQL unreachable (exit 1, the URL and the cause)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-roles-'));
    const cfg = join(dir, 'emp.json');
    // The gateway's bus opens beside its store, on the machine's NATS: a stream of its own, deleted after.
    const stream = `EMP_U${process.pid}_${Date.now() % 1_000_000}`;
    writeFileSync(cfg, JSON.stringify({ simulator: { historyMs: 0 }, server: { port: 0 }, bus: { stream } }));
    const run = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; err: string }> => {
      const child = spawn(process.execPath, [EMP, 'start', '--config', cfg, ...args], {
        cwd: ROOT,
        env: { ...process.env, EMP_API_TOKEN: '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      return { code, err: err.trim() };
    };
    const [noBus, nats, db] = await Promise.all([
      run(['--role', 'analyze']),
      run(['--role', 'ingest', '--bus', 'nats'], { EMP_NATS_URL: '127.0.0.1:1' }),
      run(['--role', 'gateway', '--bus', 'nats', '--store', 'postgres'], { EMP_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }),
    ]).finally(async () => {
      await deleteStream(stream);
    });
    expect(noBus.code).toBe(2);
    expect(noBus.err).toMatch(/--role analyze needs --bus nats/);
    expect(nats.code).toBe(1);
    expect(nats.err).toMatch(/^emp: cannot start ingest: NATS at 127\.0\.0\.1:1: .+/);
    expect(db.code).toBe(1);
    expect(db.err).toMatch(/^emp: cannot start gateway: PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
  }, 60_000);

  it('an ingest process SIGKILLed: the gateway marks its venues down and alerts; restarted, they are up again', async () => {
    const tag = `i${process.pid}_${Date.now() % 1_000_000}`;
    const stream = `EMP_${tag.toUpperCase()}`;
    const schema = `emp_${tag}`;
    const dir = mkdtempSync(join(tmpdir(), 'emp-roles-'));
    const cfg = join(dir, 'emp.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        instruments: ['BTC-USD', 'EUR-USD'],
        simulator: { seed: 2, speed: 1, transport: 'memory', historyMs: 0, faults: false },
        store: { kind: 'postgres', postgresSchema: schema },
        bus: { kind: 'nats', stream },
        server: { port: 0 },
      }),
    );
    const procs: Proc[] = [];
    const role = (args: string[]): Proc => {
      const p = startRole(cfg, args);
      procs.push(p);
      return p;
    };
    let ws: WebSocket | undefined;
    try {
      const gateway = role(['--role', 'gateway', '--bus', 'nats', '--store', 'postgres']);
      let ingest = role(['--role', 'ingest', '--bus', 'nats']);
      const url = await until('the gateway', () => /at (http:\/\/[^ ]+)\//.exec(gateway.out)?.[1], 30_000, procs);
      const alerts: { kind: string; message: string }[] = [];
      ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      const sock = ws;
      sock.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as { type?: string; kind?: string; message?: string };
        if (m.type === 'alert' && m.kind && m.message) alerts.push({ kind: m.kind, message: m.message });
      });
      await new Promise((resolve, reject) => {
        sock.once('open', resolve);
        sock.once('error', reject);
      });
      sock.send(JSON.stringify({ op: 'subscribe', channel: 'alerts' }));
      const sources = async (): Promise<{ venue: string; state: string }[]> =>
        (await (await fetch(`${url}/api/sources`)).json()) as { venue: string; state: string }[];
      const venues = await until(
        'venues reported open',
        async () => {
          const s = await sources();
          return s.length > 0 && s.every((v) => v.state === 'open') ? s.map((v) => v.venue) : undefined;
        },
        30_000,
        procs,
      );

      ingest.child.kill('SIGKILL');
      await ingest.exited;
      await until(
        'a source_down alert per venue',
        () => (venues.every((v) => alerts.some((a) => a.kind === 'source_down' && a.message.startsWith(`${v} `))) ? true : undefined),
        15_000,
        procs,
      );
      expect((await sources()).every((v) => v.state === 'closed')).toBe(true);

      ingest = role(['--role', 'ingest', '--bus', 'nats']);
      await until(
        'venues up again',
        async () => {
          const s = await sources();
          const up =
            s.every((v) => v.state === 'open') &&
            venues.every((v) => alerts.some((a) => a.kind === 'source_up' && a.message.startsWith(`${v} `)));
          return up ? true : undefined;
        },
        30_000,
        procs,
      );
    } finally {
      ws?.close();
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
      const db = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await db.end();
      await deleteStream(stream);
    }
  }, 90_000);
});
