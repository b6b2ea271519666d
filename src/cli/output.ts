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
