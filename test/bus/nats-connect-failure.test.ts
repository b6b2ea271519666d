/**
 * A NATS server without JetStream: the bus's connect fails with the server's reason and leaves
 * no connection behind. The connection reconnects for ever, so one left open by a failed connect
 * kept the process of whoever had called it alive (the command line exits regardless). A nats-server of the test's own, counted through its
 * monitoring endpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/soak-services.ts';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';

let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill('SIGTERM');
});

const connections = async (monitor: number): Promise<number> =>
  ((await (await fetch(`http://127.0.0.1:${monitor}/connz`)).json()) as { num_connections: number }).num_connections;

/**
 * The server's connection count once it reads 0, or the last reading after `tries` 50-ms polls.
 * `starting`: an endpoint not answering yet is polled again (-1), not a failure.
 */
async function connectionsWithin(monitor: number, tries: number, starting = false): Promise<number> {
  let n = -1;
  for (let i = 0; i < tries; i++) {
    n = await (starting ? connections(monitor).catch(() => -1) : connections(monitor));
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return n;
}

describe('NatsJetStreamBus.connect to a server without JetStream', () => {
  it('rejects with the reason and closes its connection', async () => {
    const [port, monitor] = [await freePort(), await freePort()];
    server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)], { stdio: 'ignore' });
    // Up once its monitoring endpoint answers (before that the count cannot be read).
    const first = await connectionsWithin(monitor, 100, true);
    expect(first).toBe(0);
    await expect(NatsJetStreamBus.connect({ servers: `127.0.0.1:${port}`, stream: 'NOJS' })).rejects.toThrow(/jetstream/i);
    // The server may count the connection for a moment after the client closed it.
    expect(await connectionsWithin(monitor, 40)).toBe(0);
  });
});
