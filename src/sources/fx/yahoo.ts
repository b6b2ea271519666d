/**
 * Yahoo Finance chart API: `GET /v8/finance/chart/{symbol}?period1=…&period2=…&interval=…`,
 * answered with `{chart: {result: [{meta, timestamp[], indicators: {quote: [{open[], high[],
 * low[], close[], volume[]}]}}], error}}`; missing bars are nulls in the arrays. FX pairs are
 * `EURUSD=X`; other symbols (MSFT, ^GSPC) pass through. Intraday history is limited by interval
 * (1m: 7 days per request), so ranges are fetched in windows. `poll` re-reads the latest bars
 * for near-real-time use.
 */
import { z } from 'zod';
import { EmpError } from '../../core/errors.ts';
import { isInstrumentId } from '../../core/instrument.ts';
import type { Bar } from '../../core/market.ts';
import type { Timeframe } from '../../core/time.ts';
import { getJson, type HttpOptions } from './http.ts';

const YAHOO_URL = 'https://query1.finance.yahoo.com';

const INTERVAL: Partial<Record<Timeframe, { name: string; windowDays: number }>> = {
  '1m': { name: '1m', windowDays: 7 },
  '5m': { name: '5m', windowDays: 60 },
  '15m': { name: '15m', windowDays: 60 },
  '1h': { name: '60m', windowDays: 730 },
  '1d': { name: '1d', windowDays: 36_500 },
};

const series = z.array(z.number().nullable());
const ChartResponse = z.object({
  chart: z.object({
    result: z
      .array(
        z.object({
          meta: z.object({ symbol: z.string() }).passthrough(),
          timestamp: z.array(z.number()).optional(),
          indicators: z.object({
            quote: z.array(z.object({ open: series, high: series, low: series, close: series, volume: series.optional() })),
          }),
        }),
      )
      .nullable(),
    error: z.object({ code: z.string(), description: z.string() }).nullable(),
  }),
});

/** Yahoo's spelling: EUR-USD → EURUSD=X; anything else as given. */
export function yahooSymbol(symbol: string): string {
  return isInstrumentId(symbol) ? `${symbol.replace('-', '')}=X` : symbol;
}

export class YahooChartClient {
  /** Rows Yahoo sent as nulls (no trading in that interval), skipped. */
  skipped = 0;

  constructor(
    private readonly baseUrl = YAHOO_URL,
    private readonly http: HttpOptions = {},
  ) {}

  /** Closed bars in [from, to), oldest first, one request per window. */
  async bars(
    symbol: string,
    timeframe: Timeframe,
    from: number,
    to: number,
    onWindow?: (done: number, total: number) => void,
  ): Promise<Bar[]> {
    const iv = INTERVAL[timeframe];
    if (!iv) throw new EmpError('BAD_ARGUMENT', `Yahoo has no ${timeframe} interval (it has ${Object.keys(INTERVAL).join(', ')})`);
    const windowMs = iv.windowDays * 86_400_000;
    const total = Math.max(1, Math.ceil((to - from) / windowMs));
    const out: Bar[] = [];
    for (let k = 0; k < total; k++) {
      const a = from + k * windowMs;
      const b = Math.min(to, a + windowMs);
      for (const bar of await this.window(symbol, timeframe, iv.name, a, b))
        if (bar.ts >= from && bar.ts < to && (out.length === 0 || bar.ts > (out[out.length - 1] as Bar).ts)) out.push(bar);
      onWindow?.(k + 1, total);
    }
    return out;
  }

  private async window(symbol: string, timeframe: Timeframe, interval: string, from: number, to: number): Promise<Bar[]> {
    const url = `${this.baseUrl}/v8/finance/chart/${encodeURIComponent(yahooSymbol(symbol))}?period1=${Math.floor(from / 1000)}&period2=${Math.ceil(to / 1000)}&interval=${interval}&includePrePost=false`;
    const { status, body } = await getJson(url, this.http);
    const parsed = ChartResponse.safeParse(body);
    if (!parsed.success)
      throw new EmpError('PROTOCOL', `Yahoo ${symbol}: unexpected response (HTTP ${status}): ${parsed.error.issues[0]?.message ?? ''}`);
    const { result, error } = parsed.data.chart;
    if (error) throw new EmpError(status === 404 ? 'BAD_SYMBOL' : 'HTTP', `Yahoo ${symbol}: ${error.code}: ${error.description}`);
    const r = result?.[0];
    if (!r?.timestamp) return [];
    const q = r.indicators.quote[0];
    if (!q) return [];
    const bars: Bar[] = [];
    for (let i = 0; i < r.timestamp.length; i++) {
      const [o, h, l, c] = [q.open[i], q.high[i], q.low[i], q.close[i]];
      if (o == null || h == null || l == null || c == null) {
        this.skipped++;
        continue;
      }
      bars.push({
        type: 'bar',
        symbol,
        timeframe,
        ts: (r.timestamp[i] as number) * 1000,
        open: o,
        high: Math.max(h, o, c),
        low: Math.min(l, o, c),
        close: c,
        volume: q.volume?.[i] ?? 0,
        final: true,
      });
    }
    return bars;
  }

  /**
   * Near-real-time: every `everyMs`, re-reads the last day and yields bars not seen before, and
   * the still-open last bar each time it changes (`final: false`).
   */
  async *poll(symbol: string, timeframe: Timeframe, everyMs: number, signal?: AbortSignal): AsyncGenerator<Bar> {
    let lastFinal = 0;
    let lastOpen = '';
    while (!signal?.aborted) {
      const now = Date.now();
      const bars = await this.bars(symbol, timeframe, now - 86_400_000, now + 60_000);
      const open = bars[bars.length - 1];
      if (open) open.final = false;
      for (const b of bars) {
        if (b.final && b.ts > lastFinal) {
          lastFinal = b.ts;
          yield b;
        } else if (!b.final) {
          const key = `${b.ts}:${b.close}:${b.high}:${b.low}:${b.volume}`;
          if (key !== lastOpen) {
            lastOpen = key;
            yield b;
          }
        }
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
