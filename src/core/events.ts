import type { InstrumentId } from './instrument.ts';
import type { Bar, Quote, Trade } from './market.ts';
import type { Regime, RegimeHoldReason, VolatilityRegime } from './regime.ts';
import type { EpochMs, Timeframe } from './time.ts';

export type ExclusionReason = 'stale' | 'outlier' | 'crossed' | 'low_quality';
export type FusionStatus = 'ok' | 'degraded' | 'unknown';

/** One fused price per instrument, with its confidence interval and provenance. */
export interface FusedPrice {
  type: 'fused';
  symbol: InstrumentId;
  ts: EpochMs;
  price: number;
  /** Half-width of the confidence interval, in price units: the truth is in [price - confidence, price + confidence]. */
  confidence: number;
  status: FusionStatus;
  sources: { venue: string; price: number; weight: number }[];
  /** Sources left out, why, and since when (ms) they have been out for that reason. */
  excluded: { venue: string; price: number; reason: ExclusionReason; since: EpochMs }[];
  /** The venues whose traded size makes the bars' volume and trade counts (the most complete trade streams); price is fused. */
  volumeFrom?: string[];
  /** Fused best bid/offer across venues, when quotes are available. */
  bid?: number;
  ask?: number;
}

/** Sources disagreeing beyond tolerance. */
export interface Conflict {
  type: 'conflict';
  symbol: InstrumentId;
  ts: EpochMs;
  values: { venue: string; price: number }[];
  /** Tolerance, as a fraction of price. */
  tolerance: number;
  resolution: string;
}

export type SignalSide = 'buy' | 'sell';

export interface Signal {
  type: 'signal';
  symbol: InstrumentId;
  timeframe: Timeframe;
  ts: EpochMs;
  side: SignalSide;
  strategy: string;
  /** How far the conditions are exceeded, 0..1. */
  strength: number;
  /** Calibrated probability that the signal is right at its horizon, 0..1. */
  confidence: number;
  reasons: string[];
  confirmations: { timeframe: string; agrees: boolean }[];
}

export interface RegimeState {
  type: 'regime';
  symbol: InstrumentId;
  timeframe: Timeframe;
  ts: EpochMs;
  /** The reported label: `supported`, or held against it for the reason in `held`. */
  regime: Regime;
  /** Probability of each regime (keyed by name, as on the command line); filtered, bars up to this one. */
  probabilities: Record<Regime, number>;
  /** The regime this bar's probabilities favour (their maximum). */
  supported: Regime;
  /** Why `regime` is not `supported` (hysteresis); absent when they agree. */
  held?: RegimeHoldReason;
  /** Trend direction and strength, −1..1 (tanh of half the 20-bar drift t-statistic); null for the first bars. */
  trend: number | null;
  /** Short-run volatility against the instrument's own history; null for the first 20 bars. */
  volatilityRegime: VolatilityRegime | null;
  /** True once the classifier is calibrated on this instrument's own bars (else the template filter answered). */
  calibrated: boolean;
  /** Why the template filter answered instead of a calibration; only when not calibrated. */
  fallback?: string;
  /** Probability of each regime `horizons[k]` bars ahead (1, 5, 20), keyed like `probabilities`; only when calibrated. */
  forecast?: { horizons: number[]; probabilities: Record<Regime, number[]> };
}

export type AlertKind = 'regime_change' | 'volatility_spike' | 'crash_onset' | 'source_down' | 'source_up' | 'conflict' | 'signal';
export type Severity = 'info' | 'warning' | 'critical';

export interface Alert {
  type: 'alert';
  kind: AlertKind;
  severity: Severity;
  symbol: InstrumentId | null;
  ts: EpochMs;
  message: string;
}

/** Sequence gap detected on a venue stream. */
export interface GapEvent {
  type: 'gap';
  venue: string;
  symbol: InstrumentId | null;
  ts: EpochMs;
  expected: number;
  received: number;
}

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'reconnecting';

export interface SourceStatusEvent {
  type: 'source_status';
  venue: string;
  ts: EpochMs;
  state: ConnectionState;
  reason?: string;
}

/** Every event that travels on the bus. Discriminated on `type`. */
export type EmpEvent =
  | Trade
  | Quote
  | Bar
  | FusedPrice
  | Conflict
  | Signal
  | RegimeState
  | Alert
  | GapEvent
  | SourceStatusEvent
  | IndicatorUpdate
  | SourceHealth
  | BookSnapshotEvent
  | BookDeltaEvent
  | BookView
  | BookGapEvent
  | ConsolidatedBookEvent;

export type EmpEventType = EmpEvent['type'];

/** Indicator values for one instrument and timeframe at a bar (null in warm-up). */
export interface IndicatorUpdate {
  type: 'indicators';
  symbol: InstrumentId;
  timeframe: Timeframe;
  ts: EpochMs;
  /** Whether the bar these values were computed on is closed. */
  final: boolean;
  /** `NAME.output` → value, e.g. `RSI.real`, `BBANDS.upperband`. */
  values: Record<string, number | null>;
}

/** A venue's health and its current fusion weights, published periodically. */
export interface SourceHealth {
  type: 'source_health';
  venue: string;
  ts: EpochMs;
  state: ConnectionState;
  reconnects: number;
  /** Age of the last message, ms (null before the first). */
  lastMessageAgeMs: number | null;
  messagesPerSec: number;
  errors: number;
  /** L2 books found out of sync (sequence gap, bad checksum, invalid contents), for venues with books. */
  bookGaps?: number;
  /** Resyncs done: a fresh snapshot applied after a gap. */
  bookResyncs?: number;
  /** Current fusion weight per instrument. */
  weights: Record<InstrumentId, number>;
  /** Last price seen per instrument, in USD terms after harmonization. */
  prices: Record<InstrumentId, number>;
}

/** One price level: [price, size], size absolute (in the venue's base units). */
export type BookLevel = [price: number, size: number];

/** A venue's whole (validated) L2 book replaced: after a snapshot, or after a resync. */
export interface BookSnapshotEvent {
  type: 'book_snapshot';
  venue: string;
  symbol: InstrumentId;
  ts: EpochMs | null;
  recvTs: EpochMs;
  /** Best first. */
  bids: BookLevel[];
  asks: BookLevel[];
}

/** Levels changed by one validated venue update: absolute sizes, 0 removes the level. */
export interface BookDeltaEvent {
  type: 'book_delta';
  venue: string;
  symbol: InstrumentId;
  ts: EpochMs | null;
  recvTs: EpochMs;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** The top of a venue's validated book after an applied update (the `emp normalize` book line). */
export interface BookView {
  type: 'book';
  venue: string;
  symbol: InstrumentId;
  ts: EpochMs | null;
  recvTs: EpochMs;
  /** Best first, at most the configured number of levels (10 by default). */
  bids: BookLevel[];
  asks: BookLevel[];
}

/**
 * Why a venue book stopped being trusted: a missed update (`sequence`), a checksum that does not
 * match the local copy (`checksum`), or contents no venue would send (`invalid`: a crossed book, a
 * negative size, a price that is not a positive number).
 */
export type BookGapReason = 'sequence' | 'checksum' | 'invalid';

/**
 * A venue book found out of sync: it is cleared and rebuilt from the next snapshot. `expected`
 * and `received` are the sequence numbers or checksums compared (null for `invalid`).
 */
export interface BookGapEvent {
  type: 'book_gap';
  venue: string;
  symbol: InstrumentId;
  ts: EpochMs | null;
  recvTs: EpochMs;
  reason: BookGapReason;
  expected: number | null;
  received: number | null;
  detail: string;
}

export type BookEvent = BookSnapshotEvent | BookDeltaEvent | BookView | BookGapEvent;

/** One level of the consolidated book: a USD price, the size there, and who rests there. */
export interface ConsolidatedBookLevel {
  /** USD (a USDT venue's price times the live USDT/USD rate). */
  price: number;
  /** Total size across venues, base units. */
  size: number;
  venues: { venue: string; size: number }[];
}

/** Size within ±`bps` of the consolidated mid, and its imbalance. */
export interface BookDepthBand {
  bps: number;
  bidSize: number;
  askSize: number;
  /** (bid − ask) / (bid + ask), in [−1, 1]; null when the band holds nothing. */
  imbalance: number | null;
}

/** One venue's own book in the consolidated event, in USD. */
export interface VenueBookSummary {
  venue: string;
  /** The venue's own pair (BTC-USDT on a USDT venue). */
  pair: InstrumentId;
  /** USD per unit of the venue's quote currency when the book was read. */
  usdPerQuote: number;
  /** Best first, USD prices. */
  bids: BookLevel[];
  asks: BookLevel[];
  /** Times this venue's books were found out of sync (and rebuilt) since the pipeline started. */
  gaps: number;
}

/**
 * The books of every venue of an instrument merged in USD, published at most a few times a second
 * per instrument (the `book` channel): the top levels consolidated with attribution, each venue's
 * own top levels, the cross-venue best bid and offer, and the depth and imbalance near the mid.
 * Only books that are in sequence take part.
 */
export interface ConsolidatedBookEvent {
  type: 'consolidated_book';
  symbol: InstrumentId;
  ts: EpochMs;
  /** Cross-venue touch and mid; null when no venue has that side. */
  bestBid: number | null;
  bestAsk: number | null;
  mid: number | null;
  /** Best bid at or above best ask across venues (an arbitrage, or one venue lagging). */
  crossed: boolean;
  /** Best first. */
  bids: ConsolidatedBookLevel[];
  asks: ConsolidatedBookLevel[];
  depth: BookDepthBand[];
  venues: VenueBookSummary[];
}
