/**
 * `node --import tsx bench/start-time.ts [RUNS] [TREE] [--postgres-nats] [--speed N]`: how long `bin/emp start` takes to come
 * up, with a fresh data directory and the default two days of simulated history for the four
 * default instruments, and again after a SIGKILL on the same data directory (a crash and its
 * restart). Per start: from launch until every instrument has a fused price (polled every 20 ms
 * on `/api/instruments`: what a user or a supervisor's health check sees) and until the "dashboard
 * and API at" line (the warm-up and the history analysed), in wall time, and the process's CPU
 * time at that line (user + system, from /proc; the wall time depends on what else the machine
 * runs, the CPU time much less). TREE: another checkout to time (default this one).
 * `--postgres-nats`: the store in PostgreSQL and the bus on NATS JetStream (the machine's servers,
 * a schema and a stream of each run's own, dropped after it), where a restart reads its stored
 * state over the network. `--speed N`: the simulator at N times real time (the soak runs 1000):
 * prices then come within milliseconds of the venues' start, so the time to price measures the
 * start itself rather than the wait for each instrument's first simulated quote.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchemaAndStream, launchService, machineServersConfig } from './soak-services.ts';

const { values: flags, positionals } = parseArgs({
  options: { 'postgres-nats': { type: 'boolean', default: false }, speed: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const runs = Number(positionals[0] ?? 3);
const tree = resolve(positionals[1] ?? join(import.meta.dirname, '..'));

/** User + system CPU seconds of a live process (Linux /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Start {
  p: ChildProcess;
  /** Seconds from launch until every instrument had a fused price. */
  priced: number;
  /** Seconds from launch to the address line, and the CPU seconds used by then. */
  line: number;
  cpu: number;
}

async function everyInstrumentPriced(port: number, t0: number, p: ChildProcess): Promise<number> {
  while (p.exitCode === null) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/instruments`, { signal: AbortSignal.timeout(500) });
      const list = (await r.json()) as { ts: number | null }[];
      if (list.length > 0 && list.every((i) => i.ts !== null)) return (performance.now() - t0) / 1000;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('emp start exited before every instrument was priced');
}

async function start(dir: string, port: number): Promise<Start> {
  const t0 = performance.now();
  const { child: p, ready } = launchService(
    tree,
    ['--port', String(port), '--data-dir', dir, '--config', join(dir, 'config.json')],
    'pipe',
  );
  const priced = everyInstrumentPriced(port, t0, p);
  const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no address within 120 s')), 120_000).unref());
  await Promise.race([ready, timeout]);
  const line = { line: (performance.now() - t0) / 1000, cpu: p.pid ? cpuSeconds(p.pid) : Number.NaN };
  return { p, priced: await priced, ...line };
}

const stopped = (p: ChildProcess): Promise<unknown> =>
  new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

async function once(): Promise<{ fresh: Start; restart: Start }> {
  const dir = mkdtempSync(join(tmpdir(), 'emp-start-time-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const tag = `start_time_${process.pid}_${port}`;
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      simulator: { speed: Number(flags.speed) },
      ...(flags['postgres-nats'] ? machineServersConfig(tag) : {}),
    }),
  );
  try {
    const fresh = await start(dir, port);
    // Live for a while, so the restart has live bars stored after the history.
    await new Promise((r) => setTimeout(r, 5000));
    fresh.p.kill('SIGKILL');
    await stopped(fresh.p);
    const restart = await start(dir, port);
    restart.p.kill('SIGINT');
    await stopped(restart.p);
    return { fresh, restart };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (flags['postgres-nats']) await dropSchemaAndStream(tag);
  }
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
const all: { fresh: Start; restart: Start }[] = [];
const fmt = (s: Start): string =>
  `every instrument priced ${s.priced.toFixed(2)} s, address line ${s.line.toFixed(2)} s (${s.cpu.toFixed(2)} s CPU)`;
for (let i = 0; i < runs; i++) {
  const r = await once();
  all.push(r);
  console.log(`run ${i + 1}: fresh start: ${fmt(r.fresh)}; restart after SIGKILL: ${fmt(r.restart)}`);
}
for (const k of ['fresh', 'restart'] as const) {
  const m = (f: (s: Start) => number): string => median(all.map((r) => f(r[k]))).toFixed(2);
  console.log(
    `${tree}: ${k === 'fresh' ? 'fresh start' : 'restart after SIGKILL'}, median of ${runs}: every instrument priced ${m((s) => s.priced)} s, address line ${m((s) => s.line)} s wall, ${m((s) => s.cpu)} s CPU`,
  );
}
