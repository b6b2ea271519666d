import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EmpError, fileError, ParamError } from '../../core/errors.ts';
import type { MarketRecord } from '../../core/market.ts';
import { RecordedFrames } from '../../sources/recorded-frames.ts';
import { VENUE_PROTOCOLS } from '../../sources/venues/index.ts';
import { csvEscape, parseFormat, writeOut } from '../output.ts';

/**
 * `emp normalize --venue NAME --input FRAMES.jsonl`: recorded raw frames (one per line, as
 * received) → normalized records, one JSON per line; rejected frames summarized on stderr.
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
      const frames = new RecordedFrames(opts.venue);
      try {
        if ((await stat(opts.input)).isDirectory()) throw fileError(opts.input, { code: 'EISDIR' });
      } catch (err) {
        throw err instanceof EmpError ? err : fileError(opts.input, err);
      }
      const stream = createReadStream(opts.input, 'utf8');
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (e) => reject(fileError(opts.input, e)));
      });
      let buf = format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '';
      const toText = format === 'csv' ? csvRow : (rec: MarketRecord): string => JSON.stringify(rec);
      for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
        const { books, records } = frames.parse(line);
        if (format === 'csv' && books.length > 0) {
          // A book (ten levels a side) has no row in the trade/quote table; say so, not a JSON line in a CSV.
          throw new EmpError(
            'BAD_ARGUMENT',
            `${opts.input}:${frames.counts.lines}: an order-book frame: --format csv holds trades and quotes only; use --format json for books`,
          );
        }
        for (const b of books) buf += `${JSON.stringify(b)}\n`;
        for (const rec of records) buf += `${toText(rec)}\n`;
        if (buf.length > 1 << 16) {
          await writeOut(buf);
          buf = '';
        }
      }
      await writeOut(buf);
      for (const e of frames.rejected) process.stderr.write(`emp: rejected frame ${opts.input}:${e.line}: ${e.message}\n`);
      const books = frames.books?.counts;
      if (books && books.snapshots + books.errors > 0)
        process.stderr.write(
          `emp: books: ${books.snapshots} snapshots, ${books.updates} updates, ${books.skipped} skipped while resyncing, gaps: ${books.gaps.sequence} sequence, ${books.gaps.checksum} checksum, ${books.gaps.invalid} invalid\n`,
        );
      for (const g of frames.gaps)
        process.stderr.write(`emp: gap on ${g.venue} ${g.symbol ?? ''}: expected ${g.expected}, received ${g.received}\n`);
      const c = frames.counts;
      const summary = `${c.lines} lines: ${c.records} records, ${c.control} control frames, ${c.ignored} ignored, ${c.errors} rejected, ${frames.gaps.length} gaps`;
      // An exit 0 with an empty output would read as "nothing happened in the market".
      if (frames.allRejected) {
        const { others, reading } = frames.otherVenues();
        throw new EmpError(
          'BAD_ARGUMENT',
          `${opts.input}: every frame was rejected by the ${opts.venue} protocol (${summary}); ${
            reading.length
              ? `they read as ${reading.join(' or ')} frames: try --venue ${reading[0]}`
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
  return keys.map((k) => (o[k] === undefined || o[k] === null ? '' : csvEscape(String(o[k])))).join(',');
}
