/**
 * WebSocket clients for `bench/soak.ts`, in a process of their own so that their reading does
 * not compete with the harness's sampling: `--port P --count N --slow S --first I`. Each client
 * subscribes to `fused`; the slow ones stop reading a second after subscribing. A client closed
 * by the server reconnects after 0.5–2 s. Prints its counters as one JSON line a second.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: { port: { type: 'string' }, count: { type: 'string' }, slow: { type: 'string' }, first: { type: 'string', default: '0' } },
});
const port = Number(values.port);
const count = Number(values.count);
const slow = Number(values.slow);
const first = Number(values.first);
const stats = { open: 0, opened: 0, updates: 0, closes: 0, codes: {} as Record<string, number> };

function client(i: number): void {
  // Spread over loopback addresses: the server allows 50 sockets per address.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress: `127.0.0.${2 + (i % 40)}` });
  ws.on('open', () => {
    stats.open++;
    stats.opened++;
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'fused' }));
    if (i - first < slow) setTimeout(() => (ws as unknown as { _socket?: { pause(): void } })._socket?.pause(), 1000);
  });
  ws.on('message', () => {
    stats.updates++;
  });
  ws.on('error', () => {});
  ws.on('close', (code) => {
    stats.closes++;
    stats.codes[code] = (stats.codes[code] ?? 0) + 1;
    if (ws.readyState === WebSocket.CLOSED && stats.open > 0) stats.open--;
    setTimeout(() => client(i), 500 + Math.random() * 1500);
  });
}

for (let i = first; i < first + count; i++) client(i);
setInterval(() => process.stdout.write(`${JSON.stringify(stats)}\n`), 1000);
