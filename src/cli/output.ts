import { createWriteStream, type WriteStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { EmpError } from '../core/errors.ts';
import { formatIso } from '../core/time.ts';

export type OutputFormat = 'json' | 'csv' | 'table';

export function parseFormat(text: string, allowed: readonly OutputFormat[] = ['json', 'csv']): OutputFormat {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new EmpError('BAD_ARGUMENT', `unknown --format "${text}" (expected ${allowed.join(' or ')})`);
  }
  return text as OutputFormat;
}

/** A column of output: numbers (NaN = absent), strings, or anything JSON-serialisable. */
export type OutputColumn = ArrayLike<number> | readonly (string | number | null)[];

/**
 * A table of equal-length columns, the first being epoch-ms time. JSON: one object of
 * equal-length arrays (`time` as ISO strings, `null` for absent values); CSV: a header and
 * one row per time, absent values as empty cells.
 */
export function formatColumns(time: ArrayLike<number>, columns: Record<string, OutputColumn>, format: OutputFormat): string {
  const names = Object.keys(columns);
  const n = time.length;
  const cell = (col: OutputColumn, i: number): string | number | null => {
    const v = col[i];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    return v;
  };
  if (format === 'json') {
    const obj: Record<string, (string | number | null)[]> = { time: Array.from({ length: n }, (_, i) => formatIso(time[i] as number)) };
    for (const name of names) {
      const col = columns[name] as OutputColumn;
      obj[name] = Array.from({ length: n }, (_, i) => cell(col, i));
    }
    return `${JSON.stringify(obj)}\n`;
  }
  const lines: string[] = [['time', ...names].map(csvEscape).join(',')];
  for (let i = 0; i < n; i++) {
    const row: string[] = [formatIso(time[i] as number)];
    for (const name of names) {
      const v = cell(columns[name] as OutputColumn, i);
      row.push(v === null ? '' : csvEscape(String(v)));
    }
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function csvEscape(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes to stdout, honouring backpressure so huge outputs piped to `head` do not buffer in memory. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}

/** A buffered CSV file writer that respects backpressure. */
export class CsvFile {
  private readonly stream: WriteStream;
  private buf: string[] = [];
  constructor(path: string, header: string) {
    this.stream = createWriteStream(path);
    this.buf.push(header);
  }
  async row(line: string): Promise<void> {
    this.buf.push(line);
    if (this.buf.length >= 4096) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const ok = this.stream.write(`${this.buf.join('\n')}\n`);
    this.buf = [];
    if (!ok) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((r, j) => this.stream.end((err?: Error | null) => (err ? j(err) : r())));
  }
}

export function progressBar(total: number, enabled: boolean, label = 'simulate'): SingleBar | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} {unit}`,
    hideCursor: true,
  });
  bar.start(total, 0, { unit: '' });
  return bar;
}
