import { EmpError } from './errors.ts';

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

export type TimeFormat = 'auto' | 'iso' | 'epoch-s' | 'epoch-ms' | 'epoch-us' | 'epoch-ns' | 'yyyymmddhhmm' | 'decimal-year';

export const TIME_FORMATS: readonly TimeFormat[] = [
  'auto',
  'iso',
  'epoch-s',
  'epoch-ms',
  'epoch-us',
  'epoch-ns',
  'yyyymmddhhmm',
  'decimal-year',
];

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
      return start + (v - year) * (Date.UTC(year + 1, 0, 1) - start);
    }
    case 'iso':
      return parseIso(s);
    case 'auto':
      if (NUMERIC.test(s)) {
        const v = Number(s);
        return Math.abs(v) < 1e11 ? v * 1000 : v;
      }
      return parseIso(s);
  }
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
