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

describe('NatsJetStreamBus.connect to a server without JetStream', () => {
  it('rejects with the reason and closes its connection', async () => {
    const [port, monitor] = [await freePort(), await freePort()];
    server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await connections(monitor).then(
        (n) => n === 0,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    expect(up).toBe(true);
    await expect(NatsJetStreamBus.connect({ servers: `127.0.0.1:${port}`, stream: 'NOJS' })).rejects.toThrow(/jetstream/i);
    // The server may count the connection for a moment after the client closed it.
    let n = -1;
    for (let i = 0; i < 40 && n !== 0; i++) {
      n = await connections(monitor);
      if (n !== 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(n).toBe(0);
  });
});
