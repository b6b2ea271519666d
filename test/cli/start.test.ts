/**
 * A start that cannot proceed releases everything and exits non-zero at once, with one line on
 * stderr naming the reason (no stack trace). Spawns the real `bin/emp`; the "releases everything"
 * case runs `main` without bin/emp's final process.exit, so the process ends only if no socket,
 * timer or worker was left open.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemaAndStream, machineServersConfig } from '../../bench/soak-services.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EMP = join(ROOT, 'bin', 'emp');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command; a run still alive after `limitMs` is killed and reported with code null. */
function run(cmd: string, args: string[], limitMs = 20_000): Promise<Run> {
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, EMP_API_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const oneLine = (r: Run): string[] => r.stderr.split('\n').filter((l) => l.length > 0);

describe('emp start that cannot start', () => {
  let blocker: Server;
  let busyPort = 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'emp-start-'));
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    busyPort = (blocker.address() as { port: number }).port;
  });
  afterAll(() => {
    blocker.close();
  });

  it('--host 0.0.0.0 without a token: exit 2 at once, one line, nothing started', async () => {
    const r = await run(EMP, ['start', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toEqual([
      'emp: refusing to listen on 0.0.0.0 without an API token (set --token or EMP_API_TOKEN); only loopback is open [BAD_CONFIG]',
    ]);
    expect(r.stdout).toBe('');
  }, 30_000);

  it('port in use: exit 1 at once with the address and the reason, no stack trace', async () => {
    const r = await run(EMP, ['start', '--port', String(busyPort), '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toEqual([`emp: cannot listen on 127.0.0.1:${busyPort}: the port is in use [UNAVAILABLE]`]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('port in use: every venue server, socket and worker opened before is released (the process ends by itself)', async () => {
    const script = `const { main } = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))});
process.exitCode = await main(['node', 'emp', 'start', '--port', '${busyPort}', '--data-dir', ${JSON.stringify(dataDir)}]);`;
    // A generous limit: on a loaded machine loading the sources alone can take seconds.
    const r = await run(process.execPath, ['--import', 'tsx', '-e', script], 45_000);
    // Killed at the limit (code null) would mean something was left open.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the port is in use/);
  }, 60_000);

  it('port in use on NATS and PostgreSQL: exit 1 at once (the bus closed a subscription made a moment before)', async () => {
    const tag = `emp_start_busy_${process.pid}`;
    const cfg = join(dataDir, 'nats-pg.json');
    writeFileSync(cfg, JSON.stringify(machineServersConfig(tag)));
    try {
      // Before the fix the start hung for ever closing the bus (killed at the limit: code null).
      const r = await run(EMP, ['start', '--port', String(busyPort), '--config', cfg]);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toEqual([`emp: cannot listen on 127.0.0.1:${busyPort}: the port is in use [UNAVAILABLE]`]);
    } finally {
      await dropSchemaAndStream(tag);
    }
  }, 60_000);

  it('the gateway role, port in use: exit 1 with one line, its store and bus released (the process ends by itself)', async () => {
    const tag = `emp_gateway_busy_${process.pid}`;
    const cfg = join(dataDir, 'gateway.json');
    writeFileSync(cfg, JSON.stringify(machineServersConfig(tag)));
    const script = `const { main } = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))});
process.exitCode = await main(['node', 'emp', 'start', '--role', 'gateway', '--port', '${busyPort}', '--config', ${JSON.stringify(cfg)}]);`;
    try {
      // Killed at the limit (code null) would mean a connection or server was left open.
      const r = await run(process.execPath, ['--import', 'tsx', '-e', script], 45_000);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toEqual([`emp: cannot listen on 127.0.0.1:${busyPort}: the port is in use [UNAVAILABLE]`]);
    } finally {
      await dropSchemaAndStream(tag);
    }
  }, 60_000);

  it('store unreachable: exit 1 with the connection error on one line', async () => {
    const cfg = join(dataDir, 'pg.json');
    writeFileSync(cfg, JSON.stringify({ store: { kind: 'postgres', postgresUrl: 'postgres://postgres@127.0.0.1:1/test' } }));
    const r = await run(EMP, ['start', '--port', '0', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toEqual(['emp: cannot start: connect ECONNREFUSED 127.0.0.1:1 [UNAVAILABLE]']);
  }, 30_000);
});
