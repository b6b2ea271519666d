/**
 * `node --import tsx bench/restart-herd.ts [TREE] [--cycles 4] [--clients 500] [--speed 100] [--lead 30] [--postgres-nats]`: a
 * restart under a reconnect herd, the moment the soak's availability turns on. `emp start` (SQLite,
 * the soak's six instruments) with WebSocket clients in four processes (bench/soak-clients.ts:
 * they reconnect 0.5–2 s after a close, a tenth stop reading); every cycle SIGKILLs the service
 * and starts it again at once, and probes it as the soak's sampler does — instruments, sources
 * and metrics side by side, each within 0.9 s — every 50 ms. Per restart: how long after the kill
 * the first probe was answered, and re-priced (every instrument's price newer than at the kill);
 * the probes before that with when each was sent and how long it took (X: refused or timed out).
 * TREE: another checkout to time (default this one; it runs that tree's build). `--postgres-nats`:
 * the store in PostgreSQL and the bus on NATS JetStream (the machine's servers; a schema and a
 * stream of the run's own, dropped after it), as the soak's `--bus nats --store postgres`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchemaAndStream, freePort, launchService, machineServersConfig, readService, spawnSoakClients } from './soak-services.ts';

const { values: flags, positionals } = parseArgs({
  options: {
    cycles: { type: 'string', default: '4' },
    clients: { type: 'string', default: '500' },
    speed: { type: 'string', default: '100' },
    // Seconds of running before the first kill: the soak kills after 15 minutes, not 30 s.
    lead: { type: 'string', default: '30' },
    'postgres-nats': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const tree = resolve(positionals[0] ?? join(import.meta.dirname, '..'));
const cycles = Number(flags.cycles);
const clients = Number(flags.clients);

const dir = mkdtempSync(join(tmpdir(), 'emp-herd-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const tag = `restart_herd_${process.pid}_${port}`;
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({
    instruments: ['BTC-USD', 'ETH-USD', 'SOL-USD', 'EUR-USD', 'GBP-USD', 'USD-JPY'],
    simulator: { seed: 1, speed: Number(flags.speed) },
    ...(flags['postgres-nats'] ? machineServersConfig(tag) : { store: { kind: 'sqlite', dataDir: dir } }),
  }),
);

let service: ChildProcess | undefined;
const exited = (p: ChildProcess): Promise<unknown> =>
  new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

/** Launches the service; resolves with the ms to its address line. */
async function start(): Promise<number> {
  const t0 = Date.now();
  const { child, ready } = launchService(tree, ['--port', String(port), '--config', join(dir, 'config.json')]);
  service = child;
  await ready;
  return Date.now() - t0;
}

interface Probe {
  ok: boolean;
  ms: number;
  prices: Map<string, number | null>;
}

async function probe(): Promise<Probe> {
  const t = Date.now();
  try {
    const [instruments] = await readService(base);
    return { ok: true, ms: Date.now() - t, prices: new Map(instruments.map((i) => [i.symbol, i.ts])) };
  } catch {
    return { ok: false, ms: Date.now() - t, prices: new Map() };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const results: { answered: number; repriced: number }[] = [];
const procs: ChildProcess[] = [];
try {
  await start();
  // A tenth of them stop reading, as in the soak.
  procs.push(...spawnSoakClients(port, clients, Math.round(clients / 10)));
  // Their counters are not needed here, but a full pipe would stall them.
  for (const p of procs) p.stdout?.resume();
  await sleep(Number(flags.lead) * 1000);
  for (let c = 0; c < cycles; c++) {
    const atKill = (await probe()).prices;
    const killed = Date.now();
    console.log(`restart ${c + 1}: SIGKILL at ${new Date(killed).toISOString()}`);
    const p = service as ChildProcess;
    p.kill('SIGKILL');
    await exited(p);
    const line = start();
    const probes: string[] = [];
    let answered = Number.NaN;
    let repriced = Number.NaN;
    while (Number.isNaN(repriced) && Date.now() - killed < 30_000) {
      const sent = Date.now() - killed;
      const r = await probe();
      probes.push(`${sent}:${r.ok ? r.ms : 'X'}`);
      if (r.ok && Number.isNaN(answered)) answered = Date.now() - killed;
      if (r.ok && r.prices.size > 0 && [...r.prices].every(([s, ts]) => ts !== null && ts !== atKill.get(s)))
        repriced = Date.now() - killed;
      await sleep(50);
    }
    const lineMs = await line;
    results.push({ answered, repriced });
    console.log(
      `restart ${c + 1}: answered ${answered} ms and re-priced ${repriced} ms after the SIGKILL; address line ${lineMs} ms after launch; last probes (sent at ms: took ms) ${probes.slice(-6).join(' ')}`,
    );
    await sleep(25_000);
  }
} finally {
  for (const p of procs) p.kill('SIGKILL');
  service?.kill('SIGKILL');
  if (service) await exited(service);
  rmSync(dir, { recursive: true, force: true });
  if (flags['postgres-nats']) await dropSchemaAndStream(tag);
}
const sorted = (f: (r: { answered: number; repriced: number }) => number): number[] => results.map(f).sort((a, b) => a - b);
const re = sorted((r) => r.repriced);
console.log(
  `${tree}${flags['postgres-nats'] ? ' (PostgreSQL + NATS)' : ''}: ${results.length} restarts under ${clients} reconnecting clients: re-priced ${re[0]}–${re.at(-1)} ms after the SIGKILL (median ${re[re.length >> 1]}); first answer median ${sorted((r) => r.answered)[results.length >> 1]} ms`,
);
