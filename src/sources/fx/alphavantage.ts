/**
 * Alpha Vantage: `GET /query?function=…&apikey=…`. FX: `FX_INTRADAY` (from_symbol, to_symbol,
 * interval 1min…60min) and `FX_DAILY`; equities: `TIME_SERIES_INTRADAY` and
 * `TIME_SERIES_DAILY`. Answers are `{"Meta Data": {…, "Time Zone"}, "Time Series …": {"2024-01-02
 * 13:05:00": {"1. open": "…", …, "5. volume"}}}` with local times in the stated zone. Throttling
 * comes back as HTTP 200 with a `Note` or `Information` field and no data: that is an error
 * (THROTTLED), never an empty series. The key comes from ALPHAVANTAGE_API_KEY; requests go
 * through a rate limiter (ALPHAVANTAGE_RPM, default 5 a minute, the free tier's pace).
 */
import { z } from 'zod';
import { EmpError } from '../../core/errors.ts';
import { isInstrumentId, splitInstrument } from '../../core/instrument.ts';
import type { Bar } from '../../core/market.ts';
import type { Timeframe } from '../../core/time.ts';
import { getJson, type HttpOptions, RateLimiter, redact } from './http.ts';

const ALPHAVANTAGE_URL = 'https://www.alphavantage.co';

const INTRADAY: Partial<Record<Timeframe, string>> = { '1m': '1min', '5m': '5min', '15m': '15min', '1h': '60min' };

const Row = z.record(z.string(), z.string());
const Response = z.record(z.string(), z.unknown());

/** Epoch ms of a wall-clock time in an IANA zone (Alpha Vantage states US/Eastern for equities). */
/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = ZONE_FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    ZONE_FORMATS.set(timeZone, f);
  }
  return f;
}

export function zonedTimeToUtc(local: string, timeZone: string): number {
  const asUtc = Date.parse(`${local.length === 10 ? `${local}T00:00:00` : local.replace(' ', 'T')}Z`);
  if (Number.isNaN(asUtc)) throw new EmpError('PROTOCOL', `bad time "${local}"`);
  // A date alone names a trading day, which this project keys at 00:00 UTC whatever the zone.
  if (local.length === 10 || /^(UTC|GMT)$/i.test(timeZone)) return asUtc;
  // The zone's offset at that instant, read back through Intl; once more for DST edges.
  const fmt = zoneFormat(timeZone);
  const offsetAt = (t: number): number => {
    const parts = fmt.formatToParts(t);
    const get = (k: string): number => Number(parts.find((p) => p.type === k)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  let t = asUtc - offsetAt(asUtc);
  t = asUtc - offsetAt(t);
  return t;
}

export interface AlphaVantageOptions {
  apiKey: string;
  baseUrl?: string;
  requestsPerMinute?: number;
  http?: HttpOptions;
}

export function alphaVantageOptionsFromEnv(env = process.env): AlphaVantageOptions {
  const apiKey = env.ALPHAVANTAGE_API_KEY;
  if (!apiKey) throw new EmpError('BAD_ARGUMENT', 'Alpha Vantage needs ALPHAVANTAGE_API_KEY in the environment');
  return { apiKey, requestsPerMinute: Number(env.ALPHAVANTAGE_RPM ?? 5) };
}

export class AlphaVantageClient {
  private readonly limiter: RateLimiter;
  private readonly base: string;

  constructor(private readonly o: AlphaVantageOptions) {
    this.limiter = new RateLimiter(o.requestsPerMinute ?? 5);
    this.base = o.baseUrl ?? ALPHAVANTAGE_URL;
  }

  /** The request for a symbol (EUR-USD → FX_*, anything else → TIME_SERIES_*) and timeframe. */
  query(symbol: string, timeframe: Timeframe): Record<string, string> {
    const intraday = INTRADAY[timeframe];
    if (timeframe !== '1d' && !intraday)
      throw new EmpError('BAD_ARGUMENT', `Alpha Vantage has no ${timeframe} series (it has 1m, 5m, 15m, 1h, 1d)`);
    if (isInstrumentId(symbol)) {
      const { base, quote } = splitInstrument(symbol);
      return intraday
        ? { function: 'FX_INTRADAY', from_symbol: base, to_symbol: quote, interval: intraday, outputsize: 'full' }
        : { function: 'FX_DAILY', from_symbol: base, to_symbol: quote, outputsize: 'full' };
    }
    return intraday
      ? { function: 'TIME_SERIES_INTRADAY', symbol, interval: intraday, outputsize: 'full' }
      : { function: 'TIME_SERIES_DAILY', symbol, outputsize: 'full' };
  }

  /** Bars in [from, to), oldest first. */
  async bars(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<Bar[]> {
    const q = new URLSearchParams({ ...this.query(symbol, timeframe), apikey: this.o.apiKey });
    const url = `${this.base}/query?${q}`;
    await this.limiter.acquire();
    const { status, body } = await getJson(url, this.o.http);
    const r = Response.safeParse(body);
    if (!r.success) throw new EmpError('PROTOCOL', `${redact(url)}: HTTP ${status}: not a JSON object`);
    const m = r.data;
    const seriesKey = Object.keys(m).find((k) => k.startsWith('Time Series'));
    for (const k of ['Note', 'Information'] as const)
      if (typeof m[k] === 'string' && !seriesKey)
        throw new EmpError('THROTTLED', `Alpha Vantage refused the request (${k}): ${(m[k] as string).slice(0, 160)}`);
    if (typeof m['Error Message'] === 'string')
      throw new EmpError('BAD_ARGUMENT', `Alpha Vantage: ${(m['Error Message'] as string).slice(0, 200)}`);
    if (!seriesKey)
      throw new EmpError('PROTOCOL', `Alpha Vantage ${symbol}: no time series in the answer (keys: ${Object.keys(m).join(', ')})`);
    const meta = (m['Meta Data'] ?? {}) as Record<string, string>;
    const zone = Object.entries(meta).find(([k]) => /Time Zone/i.test(k))?.[1] ?? 'UTC';
    const rows = z.record(z.string(), Row).safeParse(m[seriesKey]);
    if (!rows.success) throw new EmpError('PROTOCOL', `Alpha Vantage ${symbol}: malformed "${seriesKey}"`);
    const field = (row: Record<string, string>, n: string): number => Number(Object.entries(row).find(([k]) => k.startsWith(n))?.[1]);
    const bars: Bar[] = [];
    for (const [time, row] of Object.entries(rows.data)) {
      const ts = zonedTimeToUtc(time, zone);
      if (ts < from || ts >= to) continue;
      const [open, high, low, close] = [field(row, '1.'), field(row, '2.'), field(row, '3.'), field(row, '4.')];
      if (![open, high, low, close].every((v) => v > 0)) throw new EmpError('PROTOCOL', `Alpha Vantage ${symbol} ${time}: bad prices`);
      const volume = field(row, '5.');
      bars.push({ type: 'bar', symbol, timeframe, ts, open, high, low, close, volume: Number.isFinite(volume) ? volume : 0, final: true });
    }
    return bars.sort((a, b) => a.ts - b.ts);
  }
}
