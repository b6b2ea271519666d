import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EmpError, fileError, ParamError } from '../../core/errors.ts';
import type { BookEvent, GapEvent } from '../../core/events.ts';
import type { MarketRecord } from '../../core/market.ts';
import { bookCodecFor } from '../../sources/venues/books/index.ts';
import { protocolFor, VENUE_PROTOCOLS } from '../../sources/venues/index.ts';
import { csvEscape, parseFormat, writeOut } from '../output.ts';

/**
 * `emp normalize --venue NAME --input FRAMES.jsonl`: recorded raw frames (one per line, as
 * received) → normalized records, one JSON per line; rejected frames summarized on stderr.
 * Frames are parsed in file order by one codec, so sequence gaps across lines are reported too.
 */
export function registerNormalize(program: Command): void {
  program
    .command('normalize')
    .description("normalize recorded venue frames (one raw frame per line) into the project's trades and quotes, one JSON per line")
    .requiredOption('--venue <name>', `venue protocol: ${Object.keys(VENUE_PROTOCOLS).join(', ')}`)
    .requiredOption('-i, --input <file>', 'recorded frames, one per line (JSON lines, or OKX text pong)')
    .option('--format <fmt>', 'json (one object per line) or csv (one row per record)', 'json')
    .action(async (opts: { venue: string; input: string; format: string }) => {
      const format = parseFormat(opts.format, ['json', 'csv']);
      if (!VENUE_PROTOCOLS[opts.venue])
        throw new ParamError(`unknown venue "${opts.venue}" (known: ${Object.keys(VENUE_PROTOCOLS).join(', ')})`);
      const codec = protocolFor(opts.venue);
      try {
        if ((await stat(opts.input)).isDirectory()) throw fileError(opts.input, { code: 'EISDIR' });
      } catch (err) {
        throw err instanceof EmpError ? err : fileError(opts.input, err);
      }
      const stream = createReadStream(opts.input, 'utf8');
      const opened = new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (e) => reject(fileError(opts.input, e)));
      });
      await opened;
      const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      const out: MarketRecord[] = [];
      const gaps: GapEvent[] = [];
      const counts = { lines: 0, records: 0, control: 0, errors: 0, ignored: 0 };
      const firstErrors: string[] = [];
      // L2 book frames go to the venue's book codec (validated, resynced); the rest to the trade/quote codec.
      const books = bookCodecFor(opts.venue);
      const bookOut: BookEvent[] = [];
      const sample: string[] = [];
      let buf = format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '';
      const toText = format === 'csv' ? csvRow : (rec: MarketRecord): string => JSON.stringify(rec);
      for await (const line of rl) {
        counts.lines++;
        if (line.trim() === '') continue;
        if (sample.length < 20) sample.push(line);
        bookOut.length = 0;
        const br = books?.parse(line, Date.now(), bookOut);
        if (br !== undefined && br.kind !== 'ignored') {
          if (br.kind === 'error') {
            counts.errors++;
            if (firstErrors.length < 10) firstErrors.push(`${opts.input}:${counts.lines}: ${br.message}`);
          } else if (br.kind !== 'data') counts.control++;
          if (format === 'csv' && bookOut.length > 0) {
            // A book (ten levels a side) has no row in the trade/quote table; say so, not a JSON line in a CSV.
            throw new EmpError(
              'BAD_ARGUMENT',
              `${opts.input}:${counts.lines}: an order-book frame: --format csv holds trades and quotes only; use --format json for books`,
            );
          }
          for (const e of bookOut) {
            // One line per applied update (the top 10 levels) and one per gap, which the book resyncs after.
            if (e.type === 'book') buf += `${JSON.stringify(e)}\n`;
            else if (e.type === 'book_gap') buf += `${JSON.stringify({ ...e, type: 'gap' })}\n`;
            else continue;
            counts.records++;
          }
          // The trade/quote codec sees the frame too: it keeps its own sequence (Coinbase numbers
          // every frame of a connection), and what it makes of a book frame (Bitstamp's order_book
          // top of book as a quote) is printed as before.
          out.length = 0;
          codec.parse(line, Date.now(), out, gaps);
          for (const rec of out) buf += `${toText(rec)}\n`;
          counts.records += out.length;
          continue;
        }
        out.length = 0;
        const r = codec.parse(line, Date.now(), out, gaps);
        if (r.kind === 'data') counts.records += out.length;
        else if (r.kind === 'error') {
          counts.errors++;
          if (firstErrors.length < 10) firstErrors.push(`${opts.input}:${counts.lines}: ${r.message}`);
        } else if (r.kind === 'ignored') counts.ignored++;
        else counts.control++;
        for (const rec of out) buf += `${toText(rec)}\n`;
        if (buf.length > 1 << 16) {
          await writeOut(buf);
          buf = '';
        }
      }
      await writeOut(buf);
      for (const e of firstErrors) process.stderr.write(`emp: rejected frame ${e}\n`);
      if (books && books.counts.snapshots + books.counts.errors > 0) {
        const c = books.counts;
        process.stderr.write(
          `emp: books: ${c.snapshots} snapshots, ${c.updates} updates, ${c.skipped} skipped while resyncing, gaps: ${c.gaps.sequence} sequence, ${c.gaps.checksum} checksum, ${c.gaps.invalid} invalid\n`,
        );
      }
      for (const g of gaps)
        process.stderr.write(`emp: gap on ${g.venue} ${g.symbol ?? ''}: expected ${g.expected}, received ${g.received}\n`);
      const summary = `${counts.lines} lines: ${counts.records} records, ${counts.control} control frames, ${counts.ignored} ignored, ${counts.errors} rejected, ${gaps.length} gaps`;
      // Nothing but rejections: these are not this venue's frames (or not frames at all). An
      // exit 0 with an empty output would read as "nothing happened in the market".
      if (counts.records === 0 && counts.control === 0 && counts.errors > 0) {
        const others = Object.keys(VENUE_PROTOCOLS).filter((v) => v !== opts.venue);
        // Which protocol reads the first frames, if any: the likely mix-up, named.
        const fits = others.filter((v) => {
          const c = protocolFor(v);
          const recs: MarketRecord[] = [];
          return sample.some((l) => c.parse(l, Date.now(), recs, []).kind === 'data' && recs.length > 0);
        });
        throw new EmpError(
          'BAD_ARGUMENT',
          `${opts.input}: every frame was rejected by the ${opts.venue} protocol (${summary}); ${
            fits.length
              ? `they read as ${fits.join(' or ')} frames: try --venue ${fits[0]}`
              : `not frames of any known venue (${others.join(', ')})?`
          }`,
        );
      }
      process.stderr.write(`emp: ${summary}\n`);
    });
}

const CSV_COLUMNS = ['type', 'venue', 'symbol', 'ts', 'recv_ts', 'price', 'size', 'side', 'id', 'bid', 'bid_size', 'ask', 'ask_size'];

/** One record as a CSV row: trades fill price..id, quotes bid..ask_size; absent fields are empty. */
function csvRow(r: MarketRecord): string {
  const o = r as unknown as Record<string, unknown>;
  const keys = ['type', 'venue', 'symbol', 'ts', 'recvTs', 'price', 'size', 'side', 'id', 'bid', 'bidSize', 'ask', 'askSize'];
  return keys
    .map((k) => {
      const v = o[k];
      return v === undefined || v === null ? '' : csvEscape(String(v));
    })
    .join(',');
}
