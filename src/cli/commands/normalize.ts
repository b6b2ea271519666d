import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { EmpError, ParamError } from '../../core/errors.ts';
import type { GapEvent } from '../../core/events.ts';
import type { MarketRecord } from '../../core/market.ts';
import { protocolFor, VENUE_PROTOCOLS } from '../../sources/venues/index.ts';
import { parseFormat, writeOut } from '../output.ts';

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
    .option('--format <fmt>', 'json (one object per line)', 'json')
    .action(async (opts: { venue: string; input: string; format: string }) => {
      parseFormat(opts.format, ['json']);
      if (!VENUE_PROTOCOLS[opts.venue])
        throw new ParamError(`unknown venue "${opts.venue}" (known: ${Object.keys(VENUE_PROTOCOLS).join(', ')})`);
      const codec = protocolFor(opts.venue);
      const stream = createReadStream(opts.input, 'utf8');
      const opened = new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', (e) => reject(new EmpError('FILE_NOT_FOUND', `${opts.input}: cannot read (${e.message})`)));
      });
      await opened;
      const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      const out: MarketRecord[] = [];
      const gaps: GapEvent[] = [];
      const counts = { lines: 0, records: 0, control: 0, errors: 0, ignored: 0 };
      const firstErrors: string[] = [];
      let buf = '';
      for await (const line of rl) {
        counts.lines++;
        if (line.trim() === '') continue;
        out.length = 0;
        const r = codec.parse(line, Date.now(), out, gaps);
        if (r.kind === 'data') counts.records += out.length;
        else if (r.kind === 'error') {
          counts.errors++;
          if (firstErrors.length < 10) firstErrors.push(`${opts.input}:${counts.lines}: ${r.message}`);
        } else if (r.kind === 'ignored') counts.ignored++;
        else counts.control++;
        for (const rec of out) buf += `${JSON.stringify(rec)}\n`;
        if (buf.length > 1 << 16) {
          await writeOut(buf);
          buf = '';
        }
      }
      await writeOut(buf);
      for (const e of firstErrors) process.stderr.write(`emp: rejected frame ${e}\n`);
      for (const g of gaps)
        process.stderr.write(`emp: gap on ${g.venue} ${g.symbol ?? ''}: expected ${g.expected}, received ${g.received}\n`);
      process.stderr.write(
        `emp: ${counts.lines} lines: ${counts.records} records, ${counts.control} control frames, ${counts.ignored} ignored, ${counts.errors} rejected, ${gaps.length} gaps\n`,
      );
    });
}
