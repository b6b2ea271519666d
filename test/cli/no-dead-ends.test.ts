/**
 * Issue 17, "a command line with no dead ends": one test per case a new user hit. Each spawns
 * bin/emp as a user would and asserts the exit code, the message and what is (not) left on disk.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateBars } from '../../src/sources/simulator/index.ts';
import { sharedData } from '../shared-data.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'emp');
const emp = (args: string[]) => spawnSync(bin, args, { encoding: 'utf8', cwd: root, maxBuffer: 1 << 28 });
const MSFT = sharedData('msft_2000_2001_daily.csv');
const USDCHF = sharedData('usdchf_1996_2001_30min.csv');
const dir = mkdtempSync(join(tmpdir(), 'emp-cli-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a shell command under a pseudo-terminal (util-linux `script`), as a user at a terminal would. */
const inTerminal = (command: string) =>
  spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', cwd: root, env: { ...process.env, COLUMNS: '120' } });
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('file errors name the path and the cause, exit 2', () => {
  it('a directory as input (was: internal error: EISDIR, exit 1)', () => {
    const r = emp(['indicators', 'compute', 'SMA', '--input', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${dir}: cannot read: is a directory, expected a file`);
    expect(r.stderr).not.toMatch(/internal error|EISDIR/);
  });
  it('a missing input file', () => {
    const r = emp(['regimes', '--input', join(dir, 'nope.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'nope.csv')}: cannot read: no such file or directory`);
  });
  it('an --out FILE in a folder that does not exist: exit 2, and nothing written', () => {
    const out = join(dir, 'no-such-folder', 'sma.csv');
    const r = emp(['indicators', 'compute', 'SMA', '--input', MSFT, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${out}: cannot write: no such file or directory`);
  });
  it('a failed command leaves no partial or empty --out file, and keeps an older one', () => {
    const out = join(dir, 'kept.csv');
    writeFileSync(out, 'older result\n');
    const bad = file('bad-row.csv', 'time,close\n2020-01-01,1\n2020-01-02,x\n');
    const r = emp(['indicators', 'compute', 'SMA', '--input', bad, '--out', out]);
    expect(r.status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('older result\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('CSV separators', () => {
  it('a semicolon file with decimal commas just works (was: missing column "time", no hint)', () => {
    const p = file(
      'semi.csv',
      'Date;Open;High;Low;Close;Volume\n2020-01-02;1,5;2;1;1,75;10\n2020-01-03;1,75;2,5;1,5;2;12\n2020-01-06;2;2;1,5;1,5;9\n',
    );
    const r = emp(['indicators', 'compute', 'SMA', '--input', p, '--param', 'timeperiod=2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('time,real\n2020-01-02T00:00:00.000Z,\n2020-01-03T00:00:00.000Z,1.875\n2020-01-06T00:00:00.000Z,1.75\n');
  });
  it('--delimiter forces a separator; one that does not fit says what the file looks like', () => {
    const p = file('semi2.csv', 'time;close\n2020-01-02;1\n2020-01-03;2\n');
    const r = emp(['indicators', 'compute', 'SMA', '--input', p, '--delimiter', ',']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the file looks semicolon-separated: try --delimiter ';'");
    const tab = file('tab.txt', 'time\tclose\n2020-01-02\t1\n2020-01-03\t2\n');
    const t = emp(['indicators', 'compute', 'SMA', '--input', tab, '--delimiter', 'tab', '--param', 'timeperiod=2']);
    expect(t.status).toBe(0);
    expect(t.stdout).toContain('2020-01-03T00:00:00.000Z,1.5');
  });
});

describe('--time-format', () => {
  const us = () => file('us.csv', 'Date,Close\n01/02/2020,1\n01/03/2020,2\n01/13/2020,3\n');
  it('strftime patterns: US dates (no named format could read 01/02/2020)', () => {
    const r = emp(['indicators', 'compute', 'SMA', '--input', us(), '--time-format', '%m/%d/%Y', '--param', 'timeperiod=2']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(1, 4)).toEqual([
      '2020-01-02T00:00:00.000Z,',
      '2020-01-03T00:00:00.000Z,1.5',
      '2020-01-13T00:00:00.000Z,2.5',
    ]);
    const eu = file('eu.csv', 'Datum,Schluss\n31.12.2019 17:30,1\n02.01.2020 09:00,2\n');
    const e = emp([
      'indicators',
      'compute',
      'SMA',
      '-i',
      eu,
      '--time-format',
      '%d.%m.%Y %H:%M',
      '--time-column',
      'Datum',
      '--close-column',
      'Schluss',
      '-p',
      'timeperiod=2',
    ]);
    expect(e.status).toBe(0);
    expect(e.stdout).toContain('2020-01-02T09:00:00.000Z,1.5');
  });
  it('without one, a US date is an error that names the pattern to use', () => {
    const r = emp(['indicators', 'compute', 'SMA', '--input', us()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot read time "01/02/2020" (try --time-format '%m/%d/%Y' or '%d/%m/%Y')`);
  });
  it('an unknown directive is refused before reading', () => {
    const r = emp(['indicators', 'compute', 'SMA', '--input', us(), '--time-format', '%m/%d/%Q']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown directive %Q');
  });
  it('decimal years are rounded to the day (was 1991-07-01T02:18:27.692Z)', () => {
    const r = emp([
      'indicators',
      'compute',
      'SMA',
      '-i',
      sharedData('eustockmarkets_1991_1998_daily_raw.csv'),
      '--time-column',
      't',
      '--close-column',
      'DAX',
      '--time-format',
      'decimal-year',
      '-p',
      'timeperiod=2',
    ]);
    expect(r.status).toBe(0);
    const times = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0] as string);
    expect(times[0]).toBe('1991-07-01T00:00:00.000Z');
    expect(times.every((t) => t.endsWith('T00:00:00.000Z'))).toBe(true);
  });
});

describe('did you mean', () => {
  it('an unknown option (was: "required option --input not specified")', () => {
    const r = emp(['patterns', '--inptu', MSFT]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --inptu; did you mean --input?');
    expect(r.stderr).not.toContain('required option');
  });
  it('an unknown command, at the top and in a group', () => {
    const r = emp(['patern', '--input', MSFT]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command patern; did you mean patterns?');
    const e = emp(['evaluate', 'regime']);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('unknown command evaluate regime; did you mean regimes?');
  });
  it('near misses in option values: --format, --time-format', () => {
    const f = emp(['indicators', 'compute', 'SMA', '--input', MSFT, '--format', 'jsno']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain('unknown --format "jsno"; did you mean json?');
    const t = emp(['indicators', 'compute', 'SMA', '--input', MSFT, '--time-format', 'epoch_ms']);
    expect(t.status).toBe(2);
    expect(t.stderr).toContain('unknown --time-format "epoch_ms"; did you mean epoch-ms?');
  });
  it('an option value that looks like a word is not taken for a command or an option', () => {
    const r = emp(['indicators', 'compute', 'SMA', '--input', MSFT, '--time-format', 'auto', '--param', 'timeperiod=3']);
    expect(r.status).toBe(0);
  });
});

describe('options that do not fit the data', () => {
  it('signals --timeframes 1h,4h on daily bars is an error naming the bar size (was: exit 0, "4h confirmations")', () => {
    const r = emp(['signals', '--input', MSFT, '--timeframes', '1h,4h']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has 1d bars');
    expect(r.stderr).toContain('--timeframes 1d,1w');
    expect(r.stdout).toBe('');
  });
  it('normalize --venue coinbase on Binance frames: exit 2 and a summary (was: every line rejected, exit 0)', () => {
    const r = emp(['normalize', '--venue', 'coinbase', '--input', join(root, 'test', 'venues', 'fixtures', 'binance-frames.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/every frame was rejected by the coinbase protocol \(6 lines: 0 records.*6 rejected/);
    expect(r.stderr).toContain('they read as binance frames: try --venue binance');
    // Order-book frames have no row in the CSV table: said, not a JSON line inside a CSV.
    const books = emp([
      'normalize',
      '--venue',
      'kraken',
      '--format',
      'csv',
      '--input',
      join(root, 'test', 'venues', 'fixtures', 'kraken-book-frames.jsonl'),
    ]);
    expect(books.status).toBe(2);
    expect(books.stderr).toContain('use --format json for books');
  });
  it('trend following on a close-only file is an error citing what ADX needs (was: signals "because ADX(14) > 20")', () => {
    const r = emp(['signals', '--input', USDCHF, '--strategy', 'trend_following']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--strategy trend_following reads ADX(14), which needs high and low');
    expect(r.stdout).toBe('');
  });
  it('a strategy on closes runs, with its ATR strength scale stated as a warning', () => {
    const r = emp(['signals', '--input', USDCHF, '--strategy', 'breakout']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning:');
    expect(r.stderr).toContain('ATR(14) from closes alone');
  });
});

describe('--format and --out on every data command', () => {
  it('patterns --format csv is accepted (was refused); csv is the default of every data command', () => {
    const r = emp(['patterns', '--input', MSFT, '--format', 'csv']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,kind,pattern,direction,value,start,end,breakout,target,confidence,price,touches,strength');
    const kinds = new Set(lines.slice(1).map((l) => l.split(',')[1]));
    expect(kinds.has('candlestick')).toBe(true);
    expect([...kinds].some((k) => k === 'support' || k === 'resistance')).toBe(true);
    const times = lines.slice(1).map((l) => l.split(',')[0] as string);
    expect([...times].sort()).toEqual(times);
    for (const args of [['patterns'], ['signals'], ['regimes'], ['indicators', 'compute', 'RSI']]) {
      const d = emp([...args, '--input', MSFT]);
      expect(d.status, args.join(' ')).toBe(0);
      expect(d.stdout.startsWith('time,'), args.join(' ')).toBe(true);
    }
  });
  it('--out FILE on commands that print (regimes, signals, patterns, indicators), the format from its extension', () => {
    const json = join(dir, 'regimes.json');
    const r = emp(['regimes', '--input', MSFT, '--out', json]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const j = JSON.parse(readFileSync(json, 'utf8')) as { regime: string[]; transitionMatrix: unknown };
    expect(j.regime).toHaveLength(249);
    expect(j.transitionMatrix).toBeDefined();
    const csv = join(dir, 'signals.csv');
    expect(emp(['signals', '--input', MSFT, '--strategy', 'mean_reversion', '--out', csv]).status).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('time,side,strategy,strength,confidence,confirmations,reasons');
  });
  it('regimes says which method auto chose, on stderr', () => {
    const r = emp(['regimes', '--input', MSFT]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('--method auto chose adaptive');
    expect(emp(['regimes', '--input', MSFT, '--method', 'filter']).stderr).not.toContain('chose');
  });
  it.runIf(hasScript)('on a terminal, an unasked-for long output shows its head and tail only (was: megabytes of JSON)', () => {
    const r = inTerminal(`${bin} regimes --input ${MSFT} --method filter`);
    expect(r.status).toBe(0);
    const lines = r.stdout.replace(/\r/g, '').trim().split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(r.stdout).toMatch(/… 2\d\d lines not shown …/);
    expect(r.stdout).toContain('a terminal shows only the first 20 and last 5');
    // Asked for (--format), everything comes.
    const all = inTerminal(`${bin} regimes --input ${MSFT} --method filter --format csv`);
    expect(all.stdout.replace(/\r/g, '').trim().split('\n')).toHaveLength(250);
  });
  it('`emp ... | head` ends quietly, without an EPIPE trace', () => {
    const r = spawnSync('sh', ['-c', `${bin} indicators compute SMA --input ${USDCHF} | head -1`], { encoding: 'utf8', cwd: root });
    expect(r.stdout).toBe('time,real\n');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});

describe('long runs', () => {
  it('simulate --bars streams: the same bars as simulateBars, across chunk boundaries', () => {
    const out = join(dir, 'sim');
    const r = emp(['simulate', '--bars', '1m', '--count', '40000', '--seed', '3', '--out', out, '--no-progress']);
    expect(r.status).toBe(0);
    const lines = readFileSync(join(out, 'bars.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(40_001);
    const sim = simulateBars({ seed: 3, timeframe: '1m', count: 40_000 });
    for (const i of [0, 16_383, 16_384, 32_768, 39_999]) {
      const b = sim.bars;
      expect(lines[i + 1]).toBe(
        `${new Date(b.time[i] as number).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]},${sim.regime[i]}`,
      );
    }
  });
  it.runIf(hasScript)('a progress bar on a terminal for a run over a second; none when stderr is not a terminal', () => {
    const out = join(dir, 'sim-progress');
    const r = inTerminal(`${bin} simulate --bars 1m --count 400000 --out ${out}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/simulate 1m bars \[[=\-█░]+\] \d+% \| [\d]+\/400000 bars/);
    const quiet = emp(['simulate', '--bars', '1m', '--count', '400000', '--out', out]);
    expect(quiet.stderr).toBe(`wrote 400000 1m bars to ${join(out, 'bars.csv')}\n`);
  });
  it.runIf(hasScript)('evaluate regimes shows its progress on a terminal (was: silent for 10 s)', () => {
    const r = inTerminal(`${bin} evaluate regimes --count 2000`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/evaluate regimes \[[=\-█░]+\] 100% \| 10\/10 models/);
  });
  it('a failed Dukascopy import says why the fetch failed and leaves no file (was: 0-byte file, "fetch failed after 5 attempts")', async () => {
    // A port that refuses connections: listen, note the port, close.
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const out = join(dir, 'eurusd.csv');
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = spawn(
        bin,
        [
          'import',
          '--source',
          'dukascopy',
          '--symbol',
          'EURUSD',
          '--from',
          '2024-01-02T13:00:00Z',
          '--to',
          '2024-01-02T14:00:00Z',
          '--out',
          out,
          '--base-url',
          `http://127.0.0.1:${port}/datafeed`,
          '--cache-dir',
          join(dir, 'cache'),
        ],
        { cwd: root },
      );
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (status) => resolve({ status, stderr }));
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/fetch failed: .*ECONNREFUSED/);
    expect(existsSync(out)).toBe(false);
  });
});
