/**
 * A local HTTP server speaking OANDA's v20 pricing stream: it checks the bearer token and the
 * account, streams `PRICE` lines for the requested instruments and a `HEARTBEAT` every
 * `heartbeatMs`, and can misbehave (stall with the response open, send a malformed line, end
 * every stream) for tests and for the simulator's FX feeds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pointSize } from '../../core/fx.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { encodeOandaHeartbeat, encodeOandaPrice } from './oanda.ts';

interface Stream {
  res: ServerResponse;
  instruments: Set<InstrumentId>;
}

export class LocalOandaServer {
  private server: Server | undefined;
  private readonly streams = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stalled = false;
  readonly stats = { requests: 0, refused: 0, sent: 0 };
  baseUrl = '';

  private constructor(private readonly o: { accountId: string; token: string; heartbeatMs: number }) {}

  static async start(o: { accountId: string; token: string; heartbeatMs?: number; port?: number }): Promise<LocalOandaServer> {
    const s = new LocalOandaServer({ heartbeatMs: 5000, ...o });
    s.server = createServer((req, res) => s.onRequest(req, res));
    await new Promise<void>((r) => s.server?.listen(o.port ?? 0, '127.0.0.1', r));
    s.baseUrl = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    s.heartbeat = setInterval(() => {
      if (s.stalled) return;
      for (const st of s.streams) st.res.write(`${encodeOandaHeartbeat(Date.now())}\n`);
    }, s.o.heartbeatMs);
    s.heartbeat.unref();
    return s;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** The instruments a request may stream, or why it is refused (OANDA's status and message). */
  private admit(req: IncomingMessage): Set<InstrumentId> | [number, string] {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v3\/accounts\/([^/]+)\/pricing\/stream$/.exec(url.pathname);
    if (!m) return [404, 'The requested URL was not found'];
    if (req.headers.authorization !== `Bearer ${this.o.token}`) return [401, 'Insufficient authorization to perform request.'];
    if (decodeURIComponent(m[1] as string) !== this.o.accountId) return [403, 'The account specified is not accessible'];
    const instruments = new Set<InstrumentId>();
    try {
      for (const i of (url.searchParams.get('instruments') ?? '').split(',').filter(Boolean)) instruments.add(canonicalInstrument(i));
    } catch {
      return [400, 'Invalid value specified for instruments'];
    }
    return instruments.size ? instruments : [400, 'Invalid value specified for instruments'];
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    const instruments = this.admit(req);
    if (Array.isArray(instruments)) {
      this.stats.refused++;
      res.writeHead(instruments[0], { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: instruments[1] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    const st: Stream = { res, instruments };
    this.streams.add(st);
    req.on('close', () => this.streams.delete(st));
  }

  /** Streams one record (quotes only: OANDA publishes prices, not trades). */
  push(r: MarketRecord): void {
    if (this.stalled || r.type !== 'quote') return;
    const line = `${encodeOandaPrice(r, pointSize(r.symbol) === 1e-3 ? 3 : 5)}\n`;
    for (const st of this.streams)
      if (st.instruments.has(r.symbol)) {
        st.res.write(line);
        this.stats.sent++;
      }
  }

  /** `stall`: nothing more on open streams (until `recover`); `malformed`: one bad line; `close`: end every stream. */
  misbehave(kind: 'stall' | 'malformed' | 'close'): void {
    if (kind === 'stall') this.stalled = true;
    else if (kind === 'malformed') for (const st of this.streams) st.res.write('{"type":"PRICE","bids":\n');
    else
      for (const st of this.streams) {
        st.res.end();
        this.streams.delete(st);
      }
  }

  recover(): void {
    this.stalled = false;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const st of this.streams) st.res.destroy();
    this.streams.clear();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}
