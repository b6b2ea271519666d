/**
 * TurnCork on a real TCP connection: writes held within a turn leave together at its end, in order
 * and complete; a burst past the byte threshold leaves before the turn ends.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnCork } from '../../src/stream/turn-cork.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function pair(): Promise<{ sender: Socket; received: () => string }> {
  let got = '';
  const server = createServer((s) => s.on('data', (d) => (got += d.toString())));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const sender = connect(port, '127.0.0.1');
  await once(sender, 'connect');
  cleanup.push(() => {
    sender.destroy();
    server.close();
  });
  return { sender, received: () => got };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('TurnCork', () => {
  it('holds a turn’s writes and lets them out, complete and in order, when the turn ends', async () => {
    const { sender, received } = await pair();
    const cork = new TurnCork();
    const frames = Array.from({ length: 500 }, (_, i) => `frame-${i};`);
    for (const f of frames) {
      cork.hold(sender);
      sender.write(f);
    }
    // Still held: nothing has reached the kernel within this turn.
    expect(sender.writableLength).toBe(frames.join('').length);
    await turn();
    expect(sender.writableLength).toBe(0);
    const end = Date.now() + 5000;
    while (received().length < frames.join('').length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(received()).toBe(frames.join(''));
  });

  it('a burst past the threshold leaves before the turn ends; later writes are held again', async () => {
    const { sender } = await pair();
    const cork = new TurnCork();
    const chunk = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) {
      cork.hold(sender, 10_000);
      sender.write(chunk);
    }
    // 100,000 bytes written with a 10,000-byte threshold: at most one threshold's worth (plus the
    // chunk that crossed it) is still held.
    expect(sender.writableLength).toBeLessThanOrEqual(11_000);
    await turn();
    expect(sender.writableLength).toBe(0);
  });

  it('ignores a socket that is gone', async () => {
    const { sender } = await pair();
    sender.destroy();
    const cork = new TurnCork();
    expect(() => cork.hold(sender)).not.toThrow();
    expect(() => cork.hold(undefined)).not.toThrow();
  });
});
