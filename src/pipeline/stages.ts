/**
 * The contracts between the pipeline and its pluggable parts: where records come from, and
 * what runs on bars. The pipeline owns ordering and publishing; parts only compute.
 */
import type { BookGapEvent, EmpEvent, GapEvent, SourceStatusEvent } from '../core/events.ts';
import type { InstrumentId } from '../core/instrument.ts';
import type { Bar, BarSeries, MarketRecord } from '../core/market.ts';
import type { OrderBook } from '../stream/book.ts';
import type { FeedHealth } from '../stream/connection.ts';

export interface SourceSink {
  record(r: MarketRecord): void;
  status(e: SourceStatusEvent): void;
  gap(e: GapEvent): void;
  /** A malformed frame or failed parse: counted against the venue's quality. */
  error(venue: string, message: string): void;
  /** Connection trouble (refused, reset, recycled): logged; being down is reported by status. */
  warn(venue: string, message: string): void;
  /**
   * A venue's L2 book changed: an update or snapshot applied, or a gap that cleared it. The same
   * reference comes back for the same book; sources without books never call it.
   */
  book?(ref: VenueBookRef): void;
  /** A venue book found out of sync (it is rebuilt from the next snapshot). */
  bookGap?(e: BookGapEvent): void;
}

/** A venue's validated L2 book as its codec keeps it: read by the pipeline, never written. */
export interface VenueBookRef {
  venue: string;
  /** The venue's own pair (BTC-USDT on a USDT venue). */
  pair: InstrumentId;
  book: OrderBook;
  /** Built from a snapshot and in sequence since (false while waiting for one). */
  live(): boolean;
}

/** A venue's health as the service reports it: the feed's (src/stream/connection.ts), and its books'. */
export interface VenueHealthSnapshot extends FeedHealth {
  /** L2 books found out of sync (sequence gap, bad checksum, invalid contents), for venues with books. */
  bookGaps?: number;
  /** Resyncs done: a fresh snapshot applied after a gap. */
  bookResyncs?: number;
}

export interface QueueStats {
  /** Records put on the queue: each is later taken (fused), coalesced, dropped, or still queued. */
  received: number;
  depth: number;
  maxDepth: number;
  dropped: number;
  coalesced: number;
}

/** A producer of venue records: the simulator in-process, local venue sockets, real venues. */
export interface RecordSource {
  start(sink: SourceSink): void;
  stop(): Promise<void>;
  health(): VenueHealthSnapshot[];
  /** The intake queue, where there is one. */
  queueStats?(): QueueStats | undefined;
  /**
   * One-minute bars for the period before the source's first record, from `from` up to the
   * minute it starts (exclusive), per instrument, in time order. Sources without history omit it.
   */
  history?(from: number): HistoryBars[];
  /**
   * Every record of `symbol` received before `before` has gone into bars that are now in the
   * store: a source that can deliver again after a crash (a durable consumer) may forget them.
   */
  committed?(symbol: string, before: number): void;
  /**
   * The wall-clock time of a receipt time on the source's clock (a simulation faster than the
   * wall runs its own clock); absent when the two are the same.
   */
  wallTime?(ts: number): number;
  /** Transport faults injected so far, by kind (the simulator's `chaos`); absent elsewhere. */
  injectedFaults?(): Readonly<Record<string, number>>;
}

/** A source's history for one instrument (prices in the instrument's own terms). */
export interface HistoryBars {
  symbol: string;
  bars: BarSeries;
}

/** Analysis on one instrument's bars of one timeframe: sees open updates and closed bars. */
export interface BarAnalysis {
  /** Stored bars it wants to warm from, when more than the pipeline's default. */
  readonly warmBars?: number;
  /** Warms state from a stored closed bar (no events). */
  warm(bar: Bar): void;
  onBar(bar: Bar, emit: (e: EmpEvent) => void): void;
  /** Names its checkpoints in the store (stages with `checkpoint` and `restore`). */
  readonly id?: string;
  /** Model state made since the last call (by the bars' onBar), to store: a restart restores it. */
  checkpoint?(): { ts: number; body: string } | undefined;
  /** Puts a stored checkpoint in force, before the warm-up; throws on a body it cannot read. */
  restore?(ts: number, body: string): void;
}
