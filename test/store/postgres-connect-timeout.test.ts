/**
 * A PostgreSQL address that accepts the connection and never answers (a host gone behind a
 * firewall, a frozen server): the store's open fails after its connect timeout with a reason,
 * instead of waiting for ever (which had held the service's start with nothing said).
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.ts';

const sockets: Socket[] = [];
const silent = createServer((s) => {
  sockets.push(s);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe('PostgresStore.open against a server that never answers', () => {
  it('fails after the connect timeout', async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await expect(
      PostgresStore.open({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, schema: 'never', connectTimeoutMs: 500 }),
    ).rejects.toThrow(/timeout/i);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(5000);
    // It did reach the silent server: the failure is the timeout, not a refused connection.
    expect(sockets.length).toBeGreaterThan(0);
  });
});
