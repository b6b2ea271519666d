import { describe, expect, it } from 'vitest';
import { EmpError } from './errors.ts';
import { canonicalInstrument } from './instrument.ts';
import { checkTimeFormat, floorToTimeframe, parseDuration, parseTimeframe, parseTimeValue } from './time.ts';

describe('parseTimeframe', () => {
  it('accepts the six timeframes and common aliases', () => {
    expect(['1m', '5m', '15m', '1h', '4h', '1d'].map(parseTimeframe)).toEqual(['1m', '5m', '15m', '1h', '4h', '1d']);
    expect(parseTimeframe('60m')).toBe('1h');
    expect(parseTimeframe('1D')).toBe('1d');
  });
  it('rejects anything else with BAD_TIMEFRAME', () => {
    expect(() => parseTimeframe('7m')).toThrow(EmpError);
    try {
      parseTimeframe('2x');
    } catch (e) {
      expect((e as EmpError).code).toBe('BAD_TIMEFRAME');
    }
  });
  it('floors to UTC bar starts', () => {
    const t = Date.UTC(2024, 0, 2, 13, 47, 12, 5);
    expect(floorToTimeframe(t, '15m')).toBe(Date.UTC(2024, 0, 2, 13, 45));
    expect(floorToTimeframe(t, '4h')).toBe(Date.UTC(2024, 0, 2, 12));
    expect(floorToTimeframe(t, '1d')).toBe(Date.UTC(2024, 0, 2));
  });
});

describe('parseTimeValue', () => {
  it('reads ISO dates and date-times as UTC', () => {
    expect(parseTimeValue('2000-09-27')).toBe(Date.UTC(2000, 8, 27));
    expect(parseTimeValue('1996-04-01T00:30:00Z')).toBe(Date.UTC(1996, 3, 1, 0, 30));
    expect(parseTimeValue('1996-04-01 00:30')).toBe(Date.UTC(1996, 3, 1, 0, 30));
    expect(parseTimeValue('2020-01-01T01:00:00+01:00')).toBe(Date.UTC(2020, 0, 1));
  });
  it('tells epoch seconds from epoch milliseconds', () => {
    expect(parseTimeValue('1700000000')).toBe(1_700_000_000_000);
    expect(parseTimeValue('1700000000123')).toBe(1_700_000_000_123);
    expect(parseTimeValue('1700000000.5')).toBe(1_700_000_000_500);
  });
  it('reads explicit formats', () => {
    expect(parseTimeValue('199706011928', 'yyyymmddhhmm')).toBe(Date.UTC(1997, 5, 1, 19, 28));
    expect(parseTimeValue('1700000000123456', 'epoch-us')).toBeCloseTo(1_700_000_000_123.456, 3);
    // Rounded to the day: EuStockMarkets' first two rows (1991.49615384615 was
    // 1991-07-01T02:18:27.692Z, 1991.5 was 2 July 12:00).
    expect(parseTimeValue('1991.49615384615', 'decimal-year')).toBe(Date.UTC(1991, 6, 1));
    expect(parseTimeValue('1991.5', 'decimal-year')).toBe(Date.UTC(1991, 6, 3));
    expect(parseTimeValue('1991.0027', 'decimal-year')).toBe(Date.UTC(1991, 0, 2));
  });
  it('reads strftime patterns: US and European dates, names, 12-hour clocks, zones', () => {
    const t = (s: string, f: string): number => parseTimeValue(s, checkTimeFormat(f));
    expect(t('01/02/2020', '%m/%d/%Y')).toBe(Date.UTC(2020, 0, 2));
    expect(t('1/2/2020', '%m/%d/%Y')).toBe(Date.UTC(2020, 0, 2));
    expect(t('01/02/2020', '%d/%m/%Y')).toBe(Date.UTC(2020, 1, 1));
    expect(t('31.12.2019 23:59', '%d.%m.%Y %H:%M')).toBe(Date.UTC(2019, 11, 31, 23, 59));
    expect(t('02-Jan-99', '%d-%b-%y')).toBe(Date.UTC(1999, 0, 2));
    expect(t('02-Jan-20', '%d-%b-%y')).toBe(Date.UTC(2020, 0, 2));
    expect(t('January 2, 2020 3:04 PM', '%B %d, %Y %I:%M %p')).toBe(Date.UTC(2020, 0, 2, 15, 4));
    expect(t('12:30 AM 2020-01-02', '%I:%M %p %F')).toBe(Date.UTC(2020, 0, 2, 0, 30));
    expect(t('2020-01-02T03:04:05.123+0100', '%Y-%m-%dT%H:%M:%S.%f%z')).toBe(Date.UTC(2020, 0, 2, 2, 4, 5, 123));
    expect(t('2020-01-02 03:04:05', '%F %T')).toBe(Date.UTC(2020, 0, 2, 3, 4, 5));
    expect(t('2020-032', '%Y-%j')).toBe(Date.UTC(2020, 1, 1));
    expect(t('1700000000', '%s')).toBe(1_700_000_000_000);
    // Impossible or non-matching values are unreadable, never a wrapped-around date.
    expect(t('13/02/2020', '%m/%d/%Y')).toBeNaN();
    expect(t('02/30/2020', '%m/%d/%Y')).toBeNaN();
    expect(t('2020-01-02', '%m/%d/%Y')).toBeNaN();
  });
  it('refuses unknown formats and directives, and patterns without a year', () => {
    expect(() => checkTimeFormat('usdate')).toThrow(/strftime pattern such as %m\/%d\/%Y/);
    expect(() => checkTimeFormat('%Y-%Q')).toThrow(/unknown directive %Q/);
    expect(() => checkTimeFormat('%m/%d')).toThrow(/no year/);
    expect(checkTimeFormat('epoch-ms')).toBe('epoch-ms');
  });
  it('returns NaN for unreadable or impossible times', () => {
    for (const bad of ['', 'yesterday', '2001-02-30', '12/03/2001', '199713011928']) {
      expect(parseTimeValue(bad, bad.length === 12 ? 'yyyymmddhhmm' : 'auto')).toBeNaN();
    }
  });
});

describe('parseDuration', () => {
  it('reads unit suffixes and sums compound durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('6h')).toBe(6 * 3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
  });
  it('rejects garbage', () => {
    expect(() => parseDuration('6 hours')).toThrow(/invalid duration/);
    expect(() => parseDuration('h')).toThrow(EmpError);
  });
});

describe('canonicalInstrument', () => {
  it('maps every venue convention to BASE-QUOTE', () => {
    expect(canonicalInstrument('BTCUSDT')).toBe('BTC-USDT');
    expect(canonicalInstrument('BTC-USD')).toBe('BTC-USD');
    expect(canonicalInstrument('BTC/USD')).toBe('BTC-USD');
    expect(canonicalInstrument('btcusd')).toBe('BTC-USD');
    expect(canonicalInstrument('EUR_USD')).toBe('EUR-USD');
    expect(canonicalInstrument('XBT/USD')).toBe('BTC-USD');
    expect(canonicalInstrument('ethbtc')).toBe('ETH-BTC');
  });
  it('rejects what it cannot split', () => {
    expect(() => canonicalInstrument('BTCXYZ')).toThrow(/cannot map/);
    expect(() => canonicalInstrument('A-B-C')).toThrow(EmpError);
  });
});
