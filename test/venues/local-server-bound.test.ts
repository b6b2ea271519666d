/**
 * The local venue server (the simulator's venues in `emp start`, sharing the service's process)
 * keeps what it queues to a client that stops reading bounded: messages beyond the bound are
 * dropped and counted, as a real venue drops a slow consumer's data.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Trade } from '../../src/core/market.ts';
import { LocalVenueServer } from '../../src/sources/loopback/local-venue-server.ts';
import { protocolFor } from '../../src/sources/venues/index.ts';

describe('LocalVenueServer and a client that stops reading', () => {
  it('queues at most 4 MiB to it, then drops and counts', async () => {
    const server = await LocalVenueServer.start({ venue: 'binance' });
    const ws = new WebSocket(server.url);
    await new Promise((r) => ws.once('open', r));
    for (const f of protocolFor('binance').subscribeFrames([{ symbol: 'BTC-USDT', channel: 'trades' }])) ws.send(f);
    const t0 = Date.now();
    while (server.subscriptions().length === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const serverSide = (): number => {
      let n = 0;
      for (const c of (server as unknown as { clients: Set<{ ws: WebSocket }> }).clients) n += c.ws.bufferedAmount;
      return n;
    };
    let maxQueued = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const t: Trade = {
        type: 'trade',
        venue: 'binance',
        symbol: 'BTC-USDT',
        ts: i,
        recvTs: i,
        price: 60_000 + i,
        size: 1,
        side: 'buy',
        id: String(i),
      };
      server.publish(t);
      if (i % 5000 === 4999) {
        await new Promise((r) => setTimeout(r, 1));
        maxQueued = Math.max(maxQueued, serverSide());
      }
    }
    expect(server.stats.dropped).toBeGreaterThan(0);
    expect(server.stats.sent + server.stats.dropped).toBeGreaterThanOrEqual(n);
    // The bound plus at most one frame.
    expect(maxQueued).toBeLessThanOrEqual(4 * 1024 * 1024 + 1024);
    ws.terminate();
    await server.close();
  }, 30_000);
});
