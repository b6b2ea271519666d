/**
 * `node --import tsx bench/start-time.ts [RUNS] [TREE]`: how long `bin/emp start` takes to come
 * up — from launch to its "dashboard and API at" line, with a fresh data directory and the
 * default two days of simulated history for the four default instruments — in wall time and in
 * the process's CPU time (user + system, from /proc; the wall time depends on what else the
 * machine runs, the CPU time much less). TREE: another checkout to time (default this one).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const tree = resolve(process.argv[3] ?? join(import.meta.dirname, '..'));

/** User + system CPU seconds of a live process (Linux /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function once(): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'emp-start-time-'));
  const t0 = performance.now();
  const p = spawn(join(tree, 'bin', 'emp'), ['start', '--port', '0', '--data-dir', dir], { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    return await new Promise((res, rej) => {
      let out = '';
      const on = (d: Buffer): void => {
        out += d.toString();
        if (out.includes('dashboard and API at'))
          res({ wall: (performance.now() - t0) / 1000, cpu: p.pid ? cpuSeconds(p.pid) : Number.NaN });
      };
      p.stdout.on('data', on);
      p.stderr.on('data', on);
      p.on('exit', (code) => rej(new Error(`emp start exited with ${code}: ${out}`)));
      setTimeout(() => rej(new Error('no address within 120 s')), 120_000).unref();
    });
  } finally {
    p.kill('SIGINT');
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  wall.push(r.wall);
  cpu.push(r.cpu);
  console.log(`run ${i + 1}: ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU`);
}
console.log(`${tree}: median of ${runs}: ${median(wall).toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU`);
