/**
 * Recorded venue frames (one raw frame per line, as received) through the venue's codecs, in
 * file order, so that sequence gaps across lines are seen: L2 book frames through its book codec
 * (validated, resynced), every frame through its trade/quote codec. What `emp normalize` prints.
 */
import type { BookEvent, GapEvent } from '../core/events.ts';
import type { MarketRecord } from '../core/market.ts';
import { type BookCodec, bookCodecFor } from './venues/books/index.ts';
import { protocolFor, VENUE_PROTOCOLS } from './venues/index.ts';
import type { VenueCodec } from './venues/protocol.ts';

/** A book line as printed: the applied update (top of book) or a gap (`type: 'gap'`) the book resyncs after. */
export type BookLine = BookEvent | (Omit<Extract<BookEvent, { type: 'book_gap' }>, 'type'> & { type: 'gap' });

export interface FrameCounts {
  lines: number;
  records: number;
  control: number;
  errors: number;
  ignored: number;
}

/** Rejected frames listed one by one; all are counted. */
const LISTED_REJECTIONS = 10;
/** Frames kept to tell which venue's protocol reads them, when this one reads none. */
const SAMPLE_FRAMES = 20;

export class RecordedFrames {
  readonly counts: FrameCounts = { lines: 0, records: 0, control: 0, errors: 0, ignored: 0 };
  readonly gaps: GapEvent[] = [];
  /** The first rejected frames: line number and why. */
  readonly rejected: { line: number; message: string }[] = [];
  /** The first non-blank frames. */
  readonly sample: string[] = [];
  /** The venue's book codec, when it has one. */
  readonly books: BookCodec | undefined;
  private readonly codec: VenueCodec;
  private readonly bookOut: BookEvent[] = [];

  constructor(
    readonly venue: string,
    private readonly now: () => number = Date.now,
  ) {
    this.codec = protocolFor(venue);
    this.books = bookCodecFor(venue);
  }

  /** One line: the book lines it makes (book frames only), then its trades and quotes. */
  parse(line: string): { books: BookLine[]; records: MarketRecord[] } {
    this.counts.lines++;
    const records: MarketRecord[] = [];
    if (line.trim() === '') return { books: [], records };
    if (this.sample.length < SAMPLE_FRAMES) this.sample.push(line);
    this.bookOut.length = 0;
    const br = this.books?.parse(line, this.now(), this.bookOut);
    if (br !== undefined && br.kind !== 'ignored') {
      if (br.kind === 'error') this.reject(br.message);
      else if (br.kind !== 'data') this.counts.control++;
      const books: BookLine[] = [];
      for (const e of this.bookOut) {
        if (e.type === 'book') books.push(e);
        else if (e.type === 'book_gap') books.push({ ...e, type: 'gap' });
      }
      this.counts.records += books.length;
      // The trade/quote codec sees the frame too: it keeps its own sequence (Coinbase numbers
      // every frame of a connection), and what it makes of a book frame (Bitstamp's order_book
      // top of book as a quote) is printed as before.
      this.codec.parse(line, this.now(), records, this.gaps);
      this.counts.records += records.length;
      return { books, records };
    }
    const r = this.codec.parse(line, this.now(), records, this.gaps);
    if (r.kind === 'data') this.counts.records += records.length;
    else if (r.kind === 'error') this.reject(r.message);
    else if (r.kind === 'ignored') this.counts.ignored++;
    else this.counts.control++;
    return { books: [], records };
  }

  /** Nothing but rejections: these are not this venue's frames (or not frames at all). */
  get allRejected(): boolean {
    return this.counts.records === 0 && this.counts.control === 0 && this.counts.errors > 0;
  }

  /** The other venues, and those whose protocol reads any of the sampled frames as data: the likely mix-up. */
  otherVenues(): { others: string[]; reading: string[] } {
    const others = Object.keys(VENUE_PROTOCOLS).filter((v) => v !== this.venue);
    const reading = others.filter((v) => {
      const c = protocolFor(v);
      const recs: MarketRecord[] = [];
      return this.sample.some((l) => c.parse(l, this.now(), recs, []).kind === 'data' && recs.length > 0);
    });
    return { others, reading };
  }

  private reject(message: string): void {
    this.counts.errors++;
    if (this.rejected.length < LISTED_REJECTIONS) this.rejected.push({ line: this.counts.lines, message });
  }
}
