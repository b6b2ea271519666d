/**
 * The soak harness in CI: two minutes of `npm run soak` with NATS and PostgreSQL (private servers
 * the harness crash-restarts), a SIGKILL of the service, and the simulator's venues going down,
 * silent and sending malformed and oversized frames, under 100 WebSocket clients (10 that stop
 * reading). The invariants hold at any length: nothing received goes unaccounted, no committed
 * row is lost, every fault is survived. Availability is checked loosely here (this run shares
 * the machine with the rest of the suite); the README reports the 30-minute figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface SoakReport {
  availability: Record<string, { all: number; whileUp: number }>;
  unaccounted: number | null;
  samplesWithAccounting: number;
  venueFaults: Record<string, number>;
  wsUpdates: number;
  kills: { before: number; after: number }[];
  restarts: { service: string; restartMs: number }[];
  crashes: unknown[];
}

describe('soak (2 minutes, NATS + PostgreSQL, with faults)', () => {
  it('keeps every record accounted, loses no committed row, and survives every fault', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'emp-soak-ci-')), 'soak.json');
    const root = join(import.meta.dirname, '..', '..');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'bench', 'soak.ts'),
        ...['--minutes', '2', '--bus', 'nats', '--store', 'postgres', '--clients', '100', '--slow', '10'],
        ...['--speed', '100', '--chaos-gap-ms', '4000', '--json', out],
      ],
      { cwd: root, encoding: 'utf8', timeout: 420_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as SoakReport;
    expect(r.samplesWithAccounting).toBeGreaterThan(60);
    expect(r.unaccounted).toBe(0);
    expect(r.crashes).toEqual([]);
    expect(r.kills).toHaveLength(1);
    for (const k of r.kills) expect(k.after).toBeGreaterThanOrEqual(k.before);
    expect(r.restarts.map((x) => x.service).sort()).toEqual(['nats', 'postgres']);
    expect(Object.values(r.venueFaults).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(r.wsUpdates).toBeGreaterThan(0);
    const symbols = Object.keys(r.availability);
    expect(symbols.length).toBeGreaterThanOrEqual(4);
    for (const s of symbols) expect(r.availability[s]?.whileUp, s).toBeGreaterThan(0.9);
  }, 480_000);
});
