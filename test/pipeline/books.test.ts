/**
 * Books through the default pipeline: the simulator's five crypto venues served on loopback in
 * their own book protocols, read by the same clients as `--live`, merged by the pipeline. Each
 * venue is made to misbehave (a lost diff, a Bitstamp diff out of order, a bad Kraken checksum):
 * the client must notice, count the gap, resync the venue's way (REST snapshot or unsubscribe +
 * subscribe), count the resync (health and /metrics), and hold the server's true book afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsolidatedBookEvent, EmpEvent } from '../../src/core/events.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts, simulatorSource } from '../../src/pipeline/parts.ts';
import type { VenueHealthSnapshot } from '../../src/pipeline/stages.ts';
import type { SimulatedVenues } from '../../src/pipeline/venue-sources.ts';
import type { BookMisbehaviour } from '../../src/sources/loopback/venue-books.ts';
import type { OrderBook } from '../../src/stream/book.ts';

const until = async (pred: () => boolean, ms: number, what: () => string): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const metric = (text: string, name: string, labels: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
};

/** Levels of a book, best first, to `n` a side. */
const top = (b: OrderBook | undefined, n: number): unknown => (b ? b.top(n) : undefined);

const FAULTS: [venue: string, pair: string, fault: BookMisbehaviour, reasons: string[], depth: number][] = [
  ['binance', 'BTC-USDT', 'book_gap', ['sequence'], 20],
  ['coinbase', 'BTC-USD', 'book_gap', ['sequence'], 20],
  // Kraken's subscriber holds the top 10 (its subscribed depth), checksummed.
  ['kraken', 'BTC-USD', 'book_checksum', ['checksum'], 10],
  // The newer diff applied without the held-back one may cross the book: caught as invalid first.
  ['bitstamp', 'BTC-USD', 'book_gap', ['sequence', 'invalid'], 20],
  ['okx', 'BTC-USDT', 'book_gap', ['sequence'], 20],
];

describe('venue books in the live pipeline', () => {
  it('an injected gap or bad checksum on each venue is counted, resynced, and the book is right afterwards', async () => {
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      // The servers on this thread: the test reads their true books and faults them.
      simulator: { seed: 21, speed: 20, transport: 'ws', thread: 'main', faults: false, historyMs: 0 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'emp-books-')) },
      analysis: { timeframes: ['1m'] },
    });
    const source = (await simulatorSource(cfg, console)) as SimulatedVenues;
    const p = await LivePipeline.open(cfg, source, defaultParts(cfg));
    const books: ConsolidatedBookEvent[] = [];
    p.bus.subscribe({ types: ['consolidated_book'] }, (e: EmpEvent) => books.push(e as ConsolidatedBookEvent));
    await p.start();
    const health = (venue: string): VenueHealthSnapshot | undefined => source.health().find((h) => h.venue === venue);
    try {
      await until(
        () => (books.at(-1)?.venues.length ?? 0) === 5,
        20_000,
        () =>
          `five venue books in the consolidated book (last: ${books
            .at(-1)
            ?.venues.map((v) => v.venue)
            .join(', ')})`,
      );
      // Before any fault, every client book is the server's (frames in flight aside: polled).
      for (const [venue, pair, , , depth] of FAULTS) {
        await until(
          () => JSON.stringify(top(source.clientBook(venue, pair), depth)) === JSON.stringify(top(source.trueBook(venue, pair), depth)),
          10_000,
          () => `${venue}'s book to equal the server's`,
        );
        expect(health(venue)?.bookGaps, `${venue} before any fault: ${JSON.stringify(health(venue))}`).toBe(0);
      }
      for (const [venue, , fault] of FAULTS) expect(source.misbehaveBooks(venue, fault)).toBe(true);
      for (const [venue, pair, , reasons, depth] of FAULTS) {
        await until(
          () => (health(venue)?.bookGaps ?? 0) >= 1 && (health(venue)?.bookResyncs ?? 0) >= 1,
          20_000,
          () => `${venue}: a gap and a resync (health ${JSON.stringify(health(venue))})`,
        );
        const m = p.metrics();
        expect(
          reasons.reduce((n, reason) => n + metric(m, 'emp_book_gaps_total', `venue="${venue}",reason="${reason}"`), 0),
          `${venue} ${reasons.join('/')} gap in /metrics:\n${m
            .split('\n')
            .filter((l) => l.startsWith('emp_book'))
            .join('\n')}`,
        ).toBeGreaterThanOrEqual(1);
        expect(metric(m, 'emp_book_resyncs_total', `venue="${venue}"`), `${venue} resync in /metrics`).toBeGreaterThanOrEqual(1);
        // After the resync the client's book is the server's true book again.
        await until(
          () =>
            source.clientLive(venue, pair) &&
            JSON.stringify(top(source.clientBook(venue, pair), depth)) === JSON.stringify(top(source.trueBook(venue, pair), depth)),
          10_000,
          () =>
            `${venue}'s book after the resync to equal the server's:\n${JSON.stringify(top(source.clientBook(venue, pair), 3))}\n${JSON.stringify(top(source.trueBook(venue, pair), 3))}`,
        );
      }
      // The published book counts the gaps per venue and still holds every venue, uncrossed within each.
      const n = books.length;
      await until(
        () => books.length > n && (books.at(-1)?.venues.length ?? 0) === 5,
        10_000,
        () => 'a consolidated book with five venues',
      );
      const last = books.at(-1) as ConsolidatedBookEvent;
      for (const v of last.venues) {
        expect(v.gaps, v.venue).toBeGreaterThanOrEqual(1);
        expect((v.bids[0]?.[0] ?? 0) < (v.asks[0]?.[0] ?? 0), `${v.venue} uncrossed`).toBe(true);
      }
      expect(last.bestBid).not.toBeNull();
      expect(p.stats.analysisErrors).toBe(0);
    } finally {
      await p.stop();
    }
  }, 90_000);
});
