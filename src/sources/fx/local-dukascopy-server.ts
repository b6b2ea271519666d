/**
 * A local HTTP server laid out like Dukascopy's datafeed: `/{SYMBOL}/{YYYY}/{MM}/{DD}/{HH}h_ticks.bi5`
 * for the ticks it has been given, encoded on request (so the current hour grows as ticks
 * arrive). For the simulator's Dukascopy-style feed and for tests. LZMA-encoding an hour of
 * ticks takes a few hundred milliseconds in pure JS, so `startInWorker` runs the server in a
 * worker thread, where that work cannot stall the pipeline's event loop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { firstMessage, startModuleWorker } from '../module-worker.ts';
import { encodeBi5, type TickColumns } from './dukascopy.ts';

const HOUR = 3_600_000;

interface HourTicks {
  /** The last encoding and how many ticks it holds: a poll that finds nothing new is not re-encoded. */
  encoded?: { ticks: number; body: Uint8Array };
  time: number[];
  bid: number[];
  ask: number[];
  bidSize: number[];
  askSize: number[];
}

export class LocalDukascopyServer {
  private server: Server | undefined;
  private readonly hours = new Map<string, HourTicks>();
  baseUrl = '';

  /** The same server in a worker thread; records cross by message. */
  static async startInWorker(): Promise<{ baseUrl: string; publish(r: MarketRecord): void; close(): Promise<void> }> {
    const worker = startModuleWorker(import.meta.url, 'serveDukascopyInWorker');
    const { baseUrl } = await firstMessage<{ baseUrl: string }>(worker, 'Dukascopy server');
    // A server failing later is not the service's crash: its pollers see the venue down, and health counts that.
    worker.on('error', () => {});
    worker.unref();
    // Quotes cross in batches, once per event-loop turn: a message per quote cost the simulator's
    // thread more than the quote itself at high speeds (structured clone and a wake-up each).
    let batch: MarketRecord[] = [];
    const flush = (): void => {
      const b = batch;
      batch = [];
      if (b.length > 0) worker.postMessage(b);
    };
    return {
      baseUrl,
      publish: (r) => {
        if (r.type !== 'quote') return;
        if (batch.length === 0) setImmediate(flush);
        batch.push(r);
      },
      close: async () => {
        await worker.terminate();
      },
    };
  }

  static async start(port = 0): Promise<LocalDukascopyServer> {
    const s = new LocalDukascopyServer();
    s.server = createServer((req, res) => {
      const m = /^\/datafeed\/([A-Z0-9]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})h_ticks\.bi5$/.exec(req.url ?? '');
      if (!m) return void res.writeHead(404).end();
      let id: InstrumentId;
      try {
        id = canonicalInstrument(m[1] as string);
      } catch {
        return void res.writeHead(404).end();
      }
      const hourStart = Date.UTC(Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      const h = s.hours.get(`${id}|${hourStart}`);
      if (h && h.encoded?.ticks !== h.time.length) h.encoded = { ticks: h.time.length, body: encodeBi5(columns(h), id, hourStart) };
      const body = h?.encoded?.body ?? new Uint8Array(0);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
    });
    await new Promise<void>((r) => s.server?.listen(port, '127.0.0.1', r));
    s.baseUrl = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/datafeed`;
    return s;
  }

  /** Adds a quote to its hour (Dukascopy has quotes only; trades are ignored). */
  publish(r: MarketRecord): void {
    if (r.type !== 'quote') return;
    const ts = Math.round(r.ts ?? r.recvTs);
    const hourStart = Math.floor(ts / HOUR) * HOUR;
    const key = `${r.symbol}|${hourStart}`;
    let h = this.hours.get(key);
    if (!h) {
      h = { time: [], bid: [], ask: [], bidSize: [], askSize: [] };
      this.hours.set(key, h);
      // Keep two hours per symbol: the current and the one before.
      for (const k of this.hours.keys())
        if (k.startsWith(`${r.symbol}|`) && Number(k.split('|')[1]) < hourStart - HOUR) this.hours.delete(k);
    }
    // A file's rows go forward in time: a late tick joins at the time of the last one.
    const last = h.time[h.time.length - 1] ?? hourStart;
    h.time.push(Math.max(ts, last));
    h.bid.push(r.bid);
    h.ask.push(r.ask);
    // Volumes in millions, as Dukascopy writes them.
    h.bidSize.push(Math.fround(r.bidSize / 1e6));
    h.askSize.push(Math.fround(r.askSize / 1e6));
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

function columns(h: HourTicks): TickColumns {
  return {
    time: Float64Array.from(h.time),
    bid: Float64Array.from(h.bid),
    ask: Float64Array.from(h.ask),
    bidSize: Float64Array.from(h.bidSize),
    askSize: Float64Array.from(h.askSize),
  };
}

/**
 * Worker side of `startInWorker`: serve, report the URL, take records from the parent.
 * @public imported by name in the worker that `startInWorker` starts.
 */
export async function serveDukascopyInWorker(): Promise<void> {
  if (!parentPort) throw new Error('serveDukascopyInWorker runs in a worker thread');
  const port = parentPort;
  const server = await LocalDukascopyServer.start();
  port.on('message', (rs: MarketRecord[]) => {
    for (const r of rs) server.publish(r);
  });
  port.postMessage({ baseUrl: server.baseUrl });
}
