import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.ts';

describe('SqliteStore under SIGKILL mid-write', () => {
  it('keeps every acknowledged batch and the file passes integrity_check', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'emp-crash-')), 'store.db');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-writer.ts'), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = 0;
    let buf = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) acked = Number(l);
        // Kill while writes are in full flow, well past start-up.
        if (acked >= 20_000 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(acked).toBeGreaterThanOrEqual(20_000);

    const store = new SqliteStore(file);
    expect(store.integrityCheck()).toBe('ok');
    const bars = await store.bars({ symbol: 'BTC-USD', timeframe: '1m' });
    // Every acknowledged row is there; rows come in whole batches (atomic) and without holes.
    expect(bars.length).toBeGreaterThanOrEqual(acked);
    expect(bars.length % 200).toBe(0);
    expect(bars.every((b, i) => b.close === i)).toBe(true);
    const alerts = await store.alerts({});
    expect(alerts.length).toBe(bars.length / 200);
    await store.close();
  });
});
