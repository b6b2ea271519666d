import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { EmpError, fileError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { formatIso } from '../core/time.ts';

export type OutputFormat = 'json' | 'csv' | 'table';

export function parseFormat(text: string, allowed: readonly OutputFormat[] = ['json', 'csv']): OutputFormat {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new EmpError('BAD_ARGUMENT', `unknown --format "${text}"${didYouMean(text, allowed)} (expected ${allowed.join(' or ')})`);
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

// ---------------------------------------------------------------------------------------------
// Output files are all-or-nothing. Each is written under a temporary name beside its target and
// renamed into place by `commitOutputs` once the command has succeeded; on a failure (or Ctrl-C)
// `discardOutputs` removes them, so no run leaves a partial or 0-byte file behind, and an
// earlier good file of the same name survives a failed rerun.
// ---------------------------------------------------------------------------------------------

interface Staged {
  target: string;
  temp: string;
  stream: WriteStream;
  /** The first write error (a missing folder, no permission, a full disk), reported on the next write. */
  error?: EmpError;
}
const staged: Staged[] = [];

/** Ctrl-C while files are staged: remove them, then exit as interrupted (130). Only then: `emp start` handles its own signals. */
const onSignal = (): void => {
  discardOutputs();
  process.exit(130);
};
function watchSignals(on: boolean): void {
  if (on && process.listeners('SIGINT').includes(onSignal)) return;
  if (on) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } else {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Opens `target` for writing through a temporary file that becomes `target` on commit. */
function stageFile(target: string): Staged {
  const temp = join(dirname(target), `.${basename(target)}.emp-${process.pid}-${staged.length}.tmp`);
  const stream = createWriteStream(temp);
  const s: Staged = { target, temp, stream };
  stream.on('error', (err) => {
    s.error ??= fileError(target, err, 'write');
  });
  staged.push(s);
  watchSignals(true);
  return s;
}

async function writeStaged(s: Staged, text: string): Promise<void> {
  if (s.error) throw s.error;
  if (!s.stream.write(text)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        s.stream.off('drain', done);
        s.stream.off('error', done);
        resolve();
      };
      s.stream.on('drain', done);
      s.stream.on('error', done);
    });
  }
  if (s.error) throw s.error;
}

async function endStaged(s: Staged): Promise<void> {
  if (s.stream.writableFinished || s.stream.destroyed) {
    if (s.error) throw s.error;
    return;
  }
  await new Promise<void>((resolve) => s.stream.end(() => resolve()));
  if (s.error) throw s.error;
}

/** Closes and renames every staged file into place (the command succeeded). */
export async function commitOutputs(): Promise<string[]> {
  await finishTerminal();
  // A command that wrote nothing to its --out FILE still answered: an empty file says so.
  if (outTarget && !outStream) outStream = stageFile(outTarget);
  outTarget = undefined;
  outStream = undefined;
  const done: string[] = [];
  for (const s of staged.splice(0)) {
    try {
      await endStaged(s);
      renameSync(s.temp, s.target);
    } catch (err) {
      rmSync(s.temp, { force: true });
      throw err instanceof EmpError ? err : fileError(s.target, err, 'write');
    }
    done.push(s.target);
  }
  watchSignals(false);
  return done;
}

/** Removes every staged file (the command failed or was interrupted); synchronous, for signal handlers. */
export function discardOutputs(): void {
  for (const s of staged.splice(0)) {
    s.stream.destroy();
    rmSync(s.temp, { force: true });
  }
  watchSignals(false);
  outStream = undefined;
  outTarget = undefined;
}

// ---------------------------------------------------------------------------------------------
// Where `writeOut` goes: stdout, or the file of the global `--out FILE` (main.ts sets it for the
// command being run). On a terminal, unasked-for long output is cut to its head and tail.
// ---------------------------------------------------------------------------------------------

let outTarget: string | undefined;
let outStream: Staged | undefined;
let terminalGuard: TerminalGuard | undefined;

/**
 * Set by main.ts before a command runs: `out` is the global `--out FILE`; `formatGiven` says
 * whether the user chose `--format` (or `--out`). A data command (`--format csv|json`) writing
 * to a terminal without either shows the first and last rows only, with a note on stderr: a
 * terminal cannot show megabytes anyway, and nobody asked for them there.
 */
export function configureOutput(o: { out?: string; formatGiven: boolean; dataFormat: boolean }): void {
  outTarget = o.out;
  outStream = undefined;
  terminalGuard = !o.out && !o.formatGiven && o.dataFormat && process.stdout.isTTY ? new TerminalGuard() : undefined;
}

/** Writes the command's output: to `--out FILE` when given, else stdout, honouring backpressure. */
export async function writeOut(text: string): Promise<void> {
  if (outTarget) {
    outStream ??= stageFile(outTarget);
    return writeStaged(outStream, text);
  }
  const t = terminalGuard ? terminalGuard.take(text) : text;
  if (t && !process.stdout.write(t)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}

async function finishTerminal(): Promise<void> {
  const g = terminalGuard;
  terminalGuard = undefined;
  if (!g) return;
  const { text, note } = g.finish();
  if (text) process.stdout.write(text);
  if (note) process.stderr.write(note);
}

/** How much of an unasked-for output a terminal shows. */
const TERMINAL_HEAD = 20;
const TERMINAL_TAIL = 5;
const TERMINAL_WIDTH = 400;

/** Passes the first lines through, keeps the last few, counts the rest. */
class TerminalGuard {
  private lines = 0;
  private chars = 0;
  private partial = '';
  private readonly tail: string[] = [];
  private cutLines = 0;
  private cutWidth = false;

  take(text: string): string {
    this.chars += text.length;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    let out = '';
    for (const line of parts) out += this.line(line);
    return out;
  }

  private line(line: string): string {
    this.lines++;
    let l = line;
    if (l.length > TERMINAL_WIDTH) {
      l = `${l.slice(0, TERMINAL_WIDTH)} … (${(line.length - TERMINAL_WIDTH).toLocaleString('en-US')} more characters)`;
      this.cutWidth = true;
    }
    if (this.lines <= TERMINAL_HEAD) return `${l}\n`;
    this.tail.push(l);
    if (this.tail.length > TERMINAL_TAIL) {
      this.tail.shift();
      this.cutLines++;
    }
    return '';
  }

  finish(): { text: string; note: string } {
    let text = this.partial ? this.line(this.partial) : '';
    if (this.cutLines > 0) text += `… ${this.cutLines.toLocaleString('en-US')} lines not shown …\n`;
    text += this.tail.map((l) => `${l}\n`).join('');
    const note =
      this.cutLines > 0 || this.cutWidth
        ? `emp: ${this.lines.toLocaleString('en-US')} lines (${(this.chars / 1e6).toFixed(1)} MB): a terminal shows only the first ${TERMINAL_HEAD} and last ${TERMINAL_TAIL}, shortened; give --out FILE or --format csv|json, or pipe the output, for all of it\n`
        : '';
    return { text, note };
  }
}

/** A buffered CSV file writer that respects backpressure; the file appears only when the command succeeds. */
export class CsvFile {
  private readonly file: Staged;
  private buf: string[] = [];
  constructor(path: string, header: string) {
    this.file = stageFile(path);
    this.buf.push(header);
  }
  async row(line: string): Promise<void> {
    this.buf.push(line);
    if (this.buf.length >= 4096) await this.flush();
  }
  /** Whole lines at once (each ending in a newline), after what is buffered. */
  async lines(text: string): Promise<void> {
    await this.flush();
    await writeStaged(this.file, text);
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = `${this.buf.join('\n')}\n`;
    this.buf = [];
    await writeStaged(this.file, text);
  }
  /** Flushes what is buffered; the file is renamed into place by `commitOutputs`. */
  async close(): Promise<void> {
    await this.flush();
    await endStaged(this.file);
  }
}

/**
 * A progress bar on stderr for a long operation: only on a terminal, and only once the
 * operation has run for `delayMs` (quick runs stay quiet, slow ones never look hung).
 */
export class Progress {
  private bar: SingleBar | undefined;
  private readonly started = Date.now();
  private value = 0;
  constructor(
    private total: number,
    private readonly label: string,
    private readonly unit = '',
    private readonly delayMs = 1000,
  ) {}
  getTotal(): number {
    return this.total;
  }
  setTotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(total);
  }
  update(value: number): void {
    this.value = value;
    if (!this.bar) {
      if (Date.now() - this.started < this.delayMs) return;
      this.bar = new SingleBar({
        stream: process.stderr,
        format: `${this.label} [{bar}] {percentage}% | {value}/{total}${this.unit ? ` ${this.unit}` : ''} | {duration_formatted} elapsed, eta {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      });
      this.bar.start(this.total, value);
      return;
    }
    this.bar.update(value);
  }
  stop(): void {
    if (!this.bar) return;
    this.bar.update(this.value);
    this.bar.stop();
    this.bar = undefined;
  }
}

/** A progress bar when `enabled` and stderr is a terminal, else undefined (nothing drawn). */
export function progressBar(total: number, enabled: boolean, label = 'simulate', unit = ''): Progress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  return new Progress(total, label, unit);
}
