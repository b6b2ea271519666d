import { EmpError } from './errors.ts';
import { didYouMean } from './suggest.ts';

/** Epoch milliseconds (fractional allowed for sub-millisecond precision). */
export type EpochMs = number;

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
};

const TIMEFRAME_ALIASES: Record<string, Timeframe> = {
  '1m': '1m',
  '1min': '1m',
  '5m': '5m',
  '5min': '5m',
  '15m': '15m',
  '15min': '15m',
  '1h': '1h',
  '60m': '1h',
  '4h': '4h',
  '240m': '4h',
  '1d': '1d',
  '24h': '1d',
  d: '1d',
};

export function isTimeframe(s: string): s is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(s);
}

/** Parses `1m 5m 15m 1h 4h 1d` (case-insensitive; `1min`, `60m`, `24h` accepted). */
export function parseTimeframe(text: string): Timeframe {
  const tf = TIMEFRAME_ALIASES[text.trim().toLowerCase()];
  if (!tf) {
    throw new EmpError('BAD_TIMEFRAME', `unknown timeframe "${text}" (expected one of ${TIMEFRAMES.join(', ')})`);
  }
  return tf;
}

export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MS[tf];
}

/** Start of the bar (UTC-aligned) that contains `ts`. */
export function floorToTimeframe(ts: EpochMs, tf: Timeframe): EpochMs {
  const ms = TIMEFRAME_MS[tf];
  return Math.floor(ts / ms) * ms;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: MINUTE,
  h: 60 * MINUTE,
  d: 1440 * MINUTE,
  w: 7 * 1440 * MINUTE,
};

/** Parses durations such as `500ms`, `5s`, `6h`, `1.5d`, `1h30m`; a bare number is milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== t.length || !Number.isFinite(total)) {
    throw new EmpError('BAD_DURATION', `invalid duration "${text}" (examples: 500ms, 5s, 15m, 6h, 2d)`);
  }
  return total;
}

/** The named time formats; `--time-format` also takes strftime patterns (see `parseStrftime`). */
export type NamedTimeFormat = 'auto' | 'iso' | 'epoch-s' | 'epoch-ms' | 'epoch-us' | 'epoch-ns' | 'yyyymmddhhmm' | 'decimal-year';
/** A strftime pattern such as `%m/%d/%Y` or `%d.%m.%Y %H:%M` (anything with a `%`). */
export type StrftimePattern = `${string}%${string}`;
export type TimeFormat = NamedTimeFormat | StrftimePattern;

export const TIME_FORMATS: readonly NamedTimeFormat[] = [
  'auto',
  'iso',
  'epoch-s',
  'epoch-ms',
  'epoch-us',
  'epoch-ns',
  'yyyymmddhhmm',
  'decimal-year',
];

const DAY_MS = 86_400_000;

const NUMERIC = /^-?\d+(\.\d+)?$/;
/** Dates without a zone are read as UTC, never as the machine's local time. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Parses one time value to epoch ms, or returns NaN when it cannot be read.
 * `auto`: ISO 8601 (a date, or date-time; no zone means UTC), else a number: epoch seconds
 * below 1e11 (before year 5138), epoch milliseconds otherwise.
 */
export function parseTimeValue(text: string, format: TimeFormat = 'auto'): EpochMs {
  const s = text.trim();
  if (s === '') return Number.NaN;
  switch (format) {
    case 'epoch-s':
      return NUMERIC.test(s) ? Number(s) * 1000 : Number.NaN;
    case 'epoch-ms':
      return NUMERIC.test(s) ? Number(s) : Number.NaN;
    case 'epoch-us':
      return NUMERIC.test(s) ? Number(s) / 1000 : Number.NaN;
    case 'epoch-ns':
      return NUMERIC.test(s) ? Number(s) / 1e6 : Number.NaN;
    case 'yyyymmddhhmm': {
      const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
      if (!m) return Number.NaN;
      return checkedUtc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, 0);
    }
    case 'decimal-year': {
      // Fractional year (as R's ts objects write it): year start + fraction of that year's length.
      if (!NUMERIC.test(s)) return Number.NaN;
      const v = Number(s);
      const year = Math.floor(v);
      const start = Date.UTC(year, 0, 1);
      // Rounded to the day: the value carries about a day's precision (1/365), and a time of
      // day such as 02:18:27.692 is an artefact of the arithmetic, not data. (No snapping of
      // twelfths to month starts: in a business-day series such as EuStockMarkets, 260 a year,
      // 1991.5 is simply the day after 1991.49615.)
      return Math.round((start + (v - year) * (Date.UTC(year + 1, 0, 1) - start)) / DAY_MS) * DAY_MS;
    }
    case 'iso':
      return parseIso(s);
    case 'auto':
      if (NUMERIC.test(s)) {
        const v = Number(s);
        return Math.abs(v) < 1e11 ? v * 1000 : v;
      }
      return parseIso(s);
    default:
      return compileStrftime(format)(s);
  }
}

/**
 * Checks a `--time-format` value: a named format or a strftime pattern whose directives are
 * all known (an unknown one is an error now, not a "cannot read time" on line 2).
 */
export function checkTimeFormat(text: string): TimeFormat {
  if ((TIME_FORMATS as readonly string[]).includes(text)) return text as TimeFormat;
  if (text.includes('%')) {
    compileStrftime(text as StrftimePattern);
    return text as StrftimePattern;
  }
  throw new EmpError(
    'BAD_ARGUMENT',
    `unknown --time-format "${text}"${didYouMean(text, TIME_FORMATS)} (expected ${TIME_FORMATS.join(', ')}, or a strftime pattern such as %m/%d/%Y or "%d.%m.%Y %H:%M")`,
  );
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** What one strftime directive matches, and where its value goes. */
interface Directive {
  re: string;
  set?: (f: Fields, v: string) => boolean;
}
interface Fields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  pm: number;
  minute: number;
  second: number;
  frac: number;
  offsetMin: number;
  epoch: number;
}

const num2 = (key: 'month' | 'day' | 'hour' | 'minute' | 'second'): Directive => ({
  re: '(\\d{1,2})',
  set: (f, v) => {
    f[key] = Number(v);
    return true;
  },
});
const DIRECTIVES: Record<string, Directive> = {
  Y: {
    re: '([+-]?\\d{4})',
    set: (f, v) => {
      f.year = Number(v);
      return true;
    },
  },
  // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
  y: {
    re: '(\\d{2})',
    set: (f, v) => {
      const y = Number(v);
      f.year = y < 69 ? 2000 + y : 1900 + y;
      return true;
    },
  },
  m: num2('month'),
  d: num2('day'),
  e: {
    re: '\\s?(\\d{1,2})',
    set: (f, v) => {
      f.day = Number(v);
      return true;
    },
  },
  H: num2('hour'),
  I: num2('hour'),
  M: num2('minute'),
  S: num2('second'),
  j: {
    re: '(\\d{1,3})',
    set: (f, v) => {
      f.yday = Number(v);
      return true;
    },
  },
  f: {
    re: '(\\d{1,9})',
    set: (f, v) => {
      f.frac = Number(`0.${v}`);
      return true;
    },
  },
  p: {
    re: '([AaPp][Mm])',
    set: (f, v) => {
      f.pm = v.toLowerCase() === 'pm' ? 1 : 0;
      return true;
    },
  },
  b: {
    re: '([A-Za-z]{3,})',
    set: (f, v) => {
      const i = MONTHS.indexOf(v.slice(0, 3).toLowerCase());
      f.month = i + 1;
      return i >= 0;
    },
  },
  a: { re: '[A-Za-z]{3,}' },
  z: {
    re: '(Z|[+-]\\d{2}:?\\d{2})',
    set: (f, v) => {
      if (v === 'Z') f.offsetMin = 0;
      else {
        const m = /^([+-])(\d{2}):?(\d{2})$/.exec(v) as RegExpExecArray;
        f.offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
      }
      return true;
    },
  },
  Z: { re: '(?:UTC|GMT|Z)' },
  s: {
    re: '(-?\\d+(?:\\.\\d+)?)',
    set: (f, v) => {
      f.epoch = Number(v) * 1000;
      return true;
    },
  },
  '%': { re: '%' },
};
DIRECTIVES.B = DIRECTIVES.b as Directive;
DIRECTIVES.h = DIRECTIVES.b as Directive;
DIRECTIVES.A = DIRECTIVES.a as Directive;
/** Shorthands, expanded before compiling. */
const SHORTHANDS: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M' };

const compiled = new Map<string, (s: string) => number>();

/**
 * A strftime pattern as a parser (epoch ms, NaN when the text does not match or is no real
 * date). Fields may drop their leading zero (1/2/2020 reads with %m/%d/%Y); a space matches
 * any run of whitespace; no zone (%z) means UTC. Compiled once per pattern.
 */
export function compileStrftime(pattern: StrftimePattern): (s: string) => number {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  let expanded = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (c === '%' && next !== undefined && SHORTHANDS[next]) {
      expanded += SHORTHANDS[next];
      i++;
    } else if (c === '%' && next !== undefined) {
      expanded += c + next;
      i++;
    } else expanded += c;
  }
  let re = '';
  const setters: ((f: Fields, v: string) => boolean)[] = [];
  const used = new Set<string>();
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i] as string;
    if (c !== '%') {
      re += /\s/.test(c) ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    const k = expanded[++i];
    const d = k === undefined ? undefined : DIRECTIVES[k];
    if (!d || k === undefined) {
      throw new EmpError(
        'BAD_ARGUMENT',
        `--time-format "${pattern}": unknown directive %${k ?? ''} (known: %Y %y %m %d %e %H %I %M %S %f %p %b %B %a %A %j %z %Z %s %T %F %D %R %%)`,
      );
    }
    used.add(k);
    re += d.re;
    if (d.set) setters.push(d.set);
  }
  if (!used.has('Y') && !used.has('y') && !used.has('s')) {
    throw new EmpError('BAD_ARGUMENT', `--time-format "${pattern}": no year in the pattern (%Y, %y) and no epoch (%s)`);
  }
  const rx = new RegExp(`^${re}$`);
  const twelveHour = used.has('I');
  const parse = (s: string): number => {
    const m = rx.exec(s);
    if (!m) return Number.NaN;
    const f: Fields = {
      year: 1970,
      month: 1,
      day: 1,
      yday: 0,
      hour: 0,
      pm: -1,
      minute: 0,
      second: 0,
      frac: 0,
      offsetMin: 0,
      epoch: Number.NaN,
    };
    for (let g = 0; g < setters.length; g++)
      if (!(setters[g] as (f: Fields, v: string) => boolean)(f, m[g + 1] as string)) return Number.NaN;
    if (!Number.isNaN(f.epoch)) return f.epoch;
    if (twelveHour) {
      if (f.hour < 1 || f.hour > 12) return Number.NaN;
      f.hour = (f.hour % 12) + (f.pm === 1 ? 12 : 0);
    }
    if (f.second > 59) return Number.NaN;
    let t: number;
    if (f.yday > 0) {
      t = Date.UTC(f.year, 0, f.yday, f.hour, f.minute, f.second);
      if (new Date(t).getUTCFullYear() !== f.year || f.hour > 23 || f.minute > 59) return Number.NaN;
    } else t = checkedUtc(f.year, f.month, f.day, f.hour, f.minute, f.second);
    return t + f.frac * 1000 - f.offsetMin * 60_000;
  };
  compiled.set(pattern, parse);
  return parse;
}

function checkedUtc(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(t);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return Number.NaN;
  return t;
}

function parseIso(s: string): number {
  if (DATE_ONLY.test(s)) {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return checkedUtc(y, m, d, 0, 0, 0);
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]/.test(s)) return Number.NaN;
  const normal = s.replace(' ', 'T');
  const t = Date.parse(ISO_NO_ZONE.test(s) ? `${normal}Z` : normal);
  return Number.isNaN(t) ? Number.NaN : t;
}

export function formatIso(ts: EpochMs): string {
  return new Date(ts).toISOString();
}
