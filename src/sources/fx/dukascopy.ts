/**
 * Dukascopy historical ticks. Each hour of each instrument is a public file
 * `{SYMBOL}/{YYYY}/{MM}/{DD}/{HH}h_ticks.bi5` (month counted from 00), LZMA-compressed ("alone"
 * format: 13-byte header, then the stream) rows of 20 bytes, big-endian: uint32 milliseconds into
 * the hour, uint32 ask and uint32 bid in points (fx.ts), float32 ask and bid volume (millions).
 * An hour without ticks is an empty file. The decoder is exact and strict: a truncated or corrupt
 * file is an error naming what is wrong, never a silently shorter series.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import lzma from 'lzma';
import { EmpError } from '../../core/errors.ts';
import { pointSize } from '../../core/fx.ts';
import type { InstrumentId } from '../../core/instrument.ts';
import type { Quote } from '../../core/market.ts';
import { venueSymbol } from '../venues/identity.ts';
import { getWithRetry } from './http.ts';
import { decodeLzmaAlone, LzmaError } from './lzma-decoder.ts';
import { DUKASCOPY_VENUE } from './venues.ts';

export const DUKASCOPY_URL = 'https://datafeed.dukascopy.com/datafeed';
const ROW = 20;
const HOUR = 3_600_000;

/** Ticks of one or more hours, columnar. */
export interface TickColumns {
  time: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
}

/** Dukascopy's spelling: EUR-USD → EURUSD. */
const dukascopySymbol = (id: InstrumentId): string => venueSymbol(DUKASCOPY_VENUE, id);

/** Path of an hour's file below the feed root (month from 00, as Dukascopy numbers it). */
export function dukascopyPath(id: InstrumentId, hourStart: number): string {
  const d = new Date(hourStart);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${dukascopySymbol(id)}/${d.getUTCFullYear()}/${p2(d.getUTCMonth())}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}h_ticks.bi5`;
}

/**
 * An hour decompresses to at most this: one 20-byte row per millisecond. A header declaring
 * more is refused before anything is decoded, so a hostile or corrupt file cannot make the
 * decoder allocate without bound.
 */
const MAX_HOUR_BYTES = ROW * HOUR;

function lzmaDecompress(bytes: Uint8Array, what: string): Uint8Array {
  try {
    return decodeLzmaAlone(bytes, MAX_HOUR_BYTES);
  } catch (err) {
    if (err instanceof LzmaError) throw new EmpError('CORRUPT_DATA', `${what}: ${err.message}`);
    throw err;
  }
}

/** Decodes one hour's `.bi5` (an empty file is an hour without ticks). */
export function decodeBi5(compressed: Uint8Array, id: InstrumentId, hourStart: number, what = dukascopyPath(id, hourStart)): TickColumns {
  if (compressed.length === 0) return allocTicks(0);
  const raw = lzmaDecompress(compressed, what);
  if (raw.length % ROW !== 0) throw new EmpError('CORRUPT_DATA', `${what}: ${raw.length} bytes is not a whole number of ${ROW}-byte rows`);
  const n = raw.length / ROW;
  const t = allocTicks(n);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // Points to price: divide by the inverse, which is exact for integers (× 1e-5 is not).
  const inv = Math.round(1 / pointSize(id));
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const o = i * ROW;
    const ms = view.getUint32(o);
    const ask = view.getUint32(o + 4);
    const bid = view.getUint32(o + 8);
    if (ms >= HOUR || ms < prev)
      throw new EmpError('CORRUPT_DATA', `${what}: row ${i}: time ${ms} ms is outside the hour or goes backwards`);
    if (ask === 0 || bid === 0) throw new EmpError('CORRUPT_DATA', `${what}: row ${i}: zero price`);
    prev = ms;
    t.time[i] = hourStart + ms;
    t.ask[i] = ask / inv;
    t.bid[i] = bid / inv;
    t.askSize[i] = view.getFloat32(o + 12);
    t.bidSize[i] = view.getFloat32(o + 16);
  }
  return t;
}

/** Zeroed columns for `n` ticks. */
export function allocTicks(n: number): TickColumns {
  return {
    time: new Float64Array(n),
    bid: new Float64Array(n),
    ask: new Float64Array(n),
    bidSize: new Float64Array(n),
    askSize: new Float64Array(n),
  };
}

/** Encodes ticks as a `.bi5` (for tests and the simulator's Dukascopy-style feed). */
export function encodeBi5(t: TickColumns, id: InstrumentId, hourStart: number): Uint8Array {
  const n = t.time.length;
  if (n === 0) return new Uint8Array(0);
  const raw = new Uint8Array(n * ROW);
  const view = new DataView(raw.buffer);
  const inv = Math.round(1 / pointSize(id));
  for (let i = 0; i < n; i++) {
    const o = i * ROW;
    view.setUint32(o, Math.round((t.time[i] as number) - hourStart));
    view.setUint32(o + 4, Math.round((t.ask[i] as number) * inv));
    view.setUint32(o + 8, Math.round((t.bid[i] as number) * inv));
    view.setFloat32(o + 12, t.askSize[i] as number);
    view.setFloat32(o + 16, t.bidSize[i] as number);
  }
  const out = lzma.compress(Array.from(raw), 1) as number[];
  return Uint8Array.from(out, (v) => v & 0xff);
}

/** Tick `i` as a normalized quote; sizes from Dukascopy's millions to units, like every venue's. */
export function tickQuote(t: TickColumns, i: number, id: InstrumentId, recvTs: number, venue = 'dukascopy'): Quote {
  return {
    type: 'quote',
    venue,
    symbol: id,
    ts: t.time[i] as number,
    recvTs,
    bid: t.bid[i] as number,
    bidSize: (t.bidSize[i] as number) * 1e6,
    ask: t.ask[i] as number,
    askSize: (t.askSize[i] as number) * 1e6,
  };
}

/** Ticks as normalized quotes (historical: received when they happened). */
export function ticksToQuotes(t: TickColumns, id: InstrumentId, venue = 'dukascopy'): Quote[] {
  return Array.from({ length: t.time.length }, (_, i) => tickQuote(t, i, id, t.time[i] as number, venue));
}

export interface DukascopyDownloaderOptions {
  baseUrl?: string;
  /** Hours already downloaded are read from here and never fetched again (resume). */
  cacheDir: string;
  retries?: number;
  retryBaseMs?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Downloads hours with a local cache (a finished hour is written atomically, so an interrupted
 * run resumes where it stopped), retries with exponential backoff on network errors and 5xx,
 * and treats 404 as an hour without data (Dukascopy answers so for hours it has nothing for).
 */
export class DukascopyDownloader {
  private readonly o: Required<DukascopyDownloaderOptions>;
  /** Files fetched over the network and read from the cache, for progress and tests. */
  readonly stats = { fetched: 0, cached: 0, retried: 0, missing: 0 };

  constructor(options: DukascopyDownloaderOptions) {
    this.o = { baseUrl: DUKASCOPY_URL, retries: 4, retryBaseMs: 250, fetch: globalThis.fetch, timeoutMs: 30_000, ...options };
  }

  /** Ticks of one hour (none when Dukascopy has no file for it), from the cache when there. */
  async hour(id: InstrumentId, hourStart: number): Promise<TickColumns> {
    const rel = dukascopyPath(id, hourStart);
    const file = join(this.o.cacheDir, rel);
    let cached: Uint8Array | undefined;
    try {
      cached = new Uint8Array(await readFile(file));
    } catch {
      // not cached yet
    }
    if (cached) {
      this.stats.cached++;
      return decodeBi5(cached, id, hourStart);
    }
    const url = `${this.o.baseUrl}/${rel}`;
    const body = await getWithRetry(url, { ...this.o, onRetry: () => this.stats.retried++ }, async (res) => {
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new EmpError('HTTP', `${url}: HTTP ${res.status}`);
      }
      return new Uint8Array(await res.arrayBuffer());
    });
    if (!body) {
      this.stats.missing++;
      return allocTicks(0);
    }
    // Decoded before caching: a corrupt download must not poison the cache.
    const ticks = decodeBi5(body, id, hourStart, url);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.part`, body);
    await rename(`${file}.part`, file);
    this.stats.fetched++;
    return ticks;
  }

  /** Hours from `from` (inclusive) to `to` (exclusive), in order; `onHour` after each. */
  async *range(id: InstrumentId, from: number, to: number, onHour?: (done: number, total: number) => void): AsyncGenerator<TickColumns> {
    const first = Math.floor(from / HOUR) * HOUR;
    const total = Math.max(0, Math.ceil((to - first) / HOUR));
    for (let k = 0; k < total; k++) {
      const t = await this.hour(id, first + k * HOUR);
      onHour?.(k + 1, total);
      yield t;
    }
  }
}
