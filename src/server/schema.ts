/**
 * The API's output shapes as schemas: one source for the JSON Schema served at `/api/schema`
 * and for the contract tests that check what the server really sends (history and WebSocket
 * carry the same shapes). The TypeScript types in core/events.ts are checked against these at
 * compile time (see the `Same` assertions at the bottom), so the two cannot drift apart.
 */
import { z } from 'zod';
import type { InstrumentSummary } from '../core/api.ts';
import type { Alert, Conflict, ConsolidatedBookEvent, FusedPrice, IndicatorUpdate, RegimeState, Signal } from '../core/events.ts';
import type { Bar } from '../core/market.ts';
import { REGIMES } from '../core/regime.ts';
import { TIMEFRAMES } from '../core/time.ts';

const symbol = z.string().describe('canonical instrument id, BASE-QUOTE (e.g. BTC-USD)');
const ts = z.number().describe('epoch milliseconds');
const timeframe = z.enum(TIMEFRAMES);
const regime = z.enum(REGIMES);

const barSchema = z.object({
  type: z.literal('bar'),
  symbol,
  timeframe,
  ts: ts.describe('bar open time, epoch ms'),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  final: z.boolean().describe('false while the bar is still open'),
});

const fusedSchema = z.object({
  type: z.literal('fused'),
  symbol,
  ts,
  price: z.number(),
  confidence: z.number().describe('half-width of the 95 % interval, price units'),
  status: z.enum(['ok', 'degraded', 'unknown']),
  sources: z.array(z.object({ venue: z.string(), price: z.number(), weight: z.number() })),
  excluded: z.array(
    z.object({
      venue: z.string(),
      price: z.number(),
      reason: z.enum(['stale', 'outlier', 'crossed', 'low_quality']),
      since: ts.describe('when it was left out for this reason'),
    }),
  ),
  volumeFrom: z.array(z.string()).optional().describe('venues whose traded size makes bar volume and trade counts'),
  bid: z.number().optional(),
  ask: z.number().optional(),
});

const regimeSchema = z.object({
  type: z.literal('regime'),
  symbol,
  timeframe,
  ts,
  regime: regime.describe('the reported label: `supported`, or held against it for the reason in `held`'),
  probabilities: z.record(regime, z.number()).describe('probability of each regime'),
  supported: regime.describe("the regime this bar's probabilities favour (their maximum)"),
  held: z
    .enum(['smoothing', 'margin', 'dwell'])
    .optional()
    .describe('why `regime` is not `supported` (hysteresis); absent when they agree'),
  trend: z.number().nullable().describe('trend direction and strength, -1..1; null for the first bars'),
  volatilityRegime: z
    .enum(['low', 'normal', 'high'])
    .nullable()
    .describe("short-run volatility against the instrument's own history; null for the first 20 bars"),
  calibrated: z.boolean().describe("true once calibrated on the instrument's own bars (else the template filter answered)"),
  fallback: z.string().optional().describe('why the template filter answered; only when not calibrated'),
  forecast: z
    .object({ horizons: z.array(z.number()), probabilities: z.record(regime, z.array(z.number())) })
    .optional()
    .describe('probability of each regime horizons[k] bars ahead (1, 5, 20); only when calibrated'),
});

const signalSchema = z.object({
  type: z.literal('signal'),
  symbol,
  timeframe,
  ts,
  side: z.enum(['buy', 'sell']),
  strategy: z.string(),
  strength: z.number(),
  confidence: z.number(),
  reasons: z.array(z.string()),
  confirmations: z.array(z.object({ timeframe: z.string(), agrees: z.boolean() })),
});

const alertSchema = z.object({
  type: z.literal('alert'),
  kind: z.enum(['regime_change', 'volatility_spike', 'crash_onset', 'source_down', 'source_up', 'conflict', 'signal']),
  severity: z.enum(['info', 'warning', 'critical']),
  symbol: symbol.nullable(),
  ts,
  message: z.string(),
});

const conflictSchema = z.object({
  type: z.literal('conflict'),
  symbol,
  ts,
  values: z.array(z.object({ venue: z.string(), price: z.number() })),
  tolerance: z.number(),
  resolution: z.string(),
});

const indicatorsSchema = z.object({
  type: z.literal('indicators'),
  symbol,
  timeframe,
  ts,
  final: z.boolean(),
  values: z.record(z.string(), z.number().nullable()),
});

const bookLevel = z.tuple([z.number().describe('price, USD'), z.number().describe('size, base units')]);

const bookSchema = z.object({
  type: z.literal('consolidated_book'),
  symbol,
  ts: ts.describe('when the book was read, epoch ms'),
  bestBid: z.number().nullable().describe('cross-venue best bid, USD; null when no venue has bids'),
  bestAsk: z.number().nullable(),
  mid: z.number().nullable(),
  crossed: z.boolean().describe('best bid at or above best ask across venues'),
  bids: z
    .array(
      z.object({
        price: z.number().describe('USD'),
        size: z.number().describe('all venues together, base units'),
        venues: z.array(z.object({ venue: z.string(), size: z.number() })),
      }),
    )
    .describe('best first'),
  asks: z.array(z.object({ price: z.number(), size: z.number(), venues: z.array(z.object({ venue: z.string(), size: z.number() })) })),
  depth: z.array(
    z.object({
      bps: z.number(),
      bidSize: z.number().describe('bid size priced within bps of the mid'),
      askSize: z.number(),
      imbalance: z.number().nullable().describe('(bid - ask) / (bid + ask); null when the band is empty'),
    }),
  ),
  venues: z
    .array(
      z.object({
        venue: z.string(),
        pair: z.string().describe("the venue's own pair, e.g. BTC-USDT"),
        usdPerQuote: z.number().describe('USD per unit of the venue quote currency used for its prices'),
        bids: z.array(bookLevel).describe('best first, USD'),
        asks: z.array(bookLevel),
        gaps: z.number().describe("times the venue's books were found out of sync since start"),
      }),
    )
    .describe('each in-sequence venue book, top levels'),
});

const instrumentSchema = z.object({
  symbol,
  price: z.number().nullable(),
  confidence: z.number().nullable(),
  status: z.enum(['ok', 'degraded', 'unknown']),
  ts: ts.nullable(),
  regime: regimeSchema.omit({ type: true, symbol: true, ts: true }).nullable(),
});

const errorSchema = z.object({ error: z.string() });

/** What each endpoint answers (history kinds answer arrays of the event they name). */
export const API_SCHEMAS = {
  '/api/instruments': z.array(instrumentSchema),
  '/api/history/bars': z.array(barSchema),
  '/api/history/fused': z.array(fusedSchema),
  '/api/history/regimes': z.array(regimeSchema),
  '/api/history/signals': z.array(signalSchema),
  '/api/history/alerts': z.array(alertSchema),
  '/api/history/conflicts': z.array(conflictSchema),
  '/api/book/:symbol': bookSchema,
  'ws:bars': barSchema,
  'ws:fused': fusedSchema,
  'ws:regimes': regimeSchema,
  'ws:signals': signalSchema,
  'ws:alerts': alertSchema,
  'ws:conflicts': conflictSchema,
  'ws:indicators': indicatorsSchema,
  'ws:book': bookSchema,
  error: errorSchema,
} as const;

/** The JSON Schema document served at /api/schema. */
export function apiJsonSchema(): Record<string, unknown> {
  return {
    description:
      'EMP API output shapes. HTTP: GET /api/instruments, /api/sources, /api/indicators, /api/history/{bars,fused,regimes,signals,alerts,conflicts}?symbol=&timeframe=&from=&to=&limit= (symbol in any common spelling; from/to as epoch ms or ISO 8601), /api/book/:symbol (the latest consolidated book). WebSocket /ws: {"op":"subscribe","channel":…,"symbols":[…]} (channel book: consolidated books, a few a second per instrument); updates carry the ws:* shapes.',
    schemas: Object.fromEntries(Object.entries(API_SCHEMAS).map(([k, s]) => [k, z.toJSONSchema(s)])),
  };
}

// Compile-time: the schemas describe exactly the types the code uses.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _checks: [
  Same<z.infer<typeof barSchema>, Bar>,
  Same<z.infer<typeof fusedSchema>, FusedPrice>,
  Same<z.infer<typeof regimeSchema>, RegimeState>,
  Same<z.infer<typeof signalSchema>, Signal>,
  Same<z.infer<typeof alertSchema>, Alert>,
  Same<z.infer<typeof conflictSchema>, Conflict>,
  Same<z.infer<typeof indicatorsSchema>, IndicatorUpdate>,
  Same<z.infer<typeof bookSchema>, ConsolidatedBookEvent>,
  Same<z.infer<typeof instrumentSchema>, InstrumentSummary>,
] = [true, true, true, true, true, true, true, true, true];
void _checks;
