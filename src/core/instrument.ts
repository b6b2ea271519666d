import { EmpError } from './errors.ts';

/** Canonical instrument id `BASE-QUOTE`, upper case: `BTC-USD`, `BTC-USDT`, `EUR-USD`. */
export type InstrumentId = string;

/** Quote currencies recognised when a venue glues base and quote together (`BTCUSDT`, `btcusd`). Longest first. */
export const KNOWN_QUOTES = [
  'USDT',
  'USDC',
  'FDUSD',
  'TUSD',
  'BUSD',
  'DAI',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CHF',
  'AUD',
  'CAD',
  'NZD',
  'THB',
  'TRY',
  'BRL',
  'BTC',
  'ETH',
] as const;

const CANONICAL = /^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$/;

export function isInstrumentId(s: string): boolean {
  return CANONICAL.test(s);
}

export function instrumentId(base: string, quote: string): InstrumentId {
  const id = `${base.toUpperCase()}-${quote.toUpperCase()}`;
  if (!CANONICAL.test(id)) throw new EmpError('BAD_SYMBOL', `invalid instrument "${base}"/"${quote}"`);
  return id;
}

export function splitInstrument(id: InstrumentId): { base: string; quote: string } {
  const i = id.indexOf('-');
  if (i <= 0 || !CANONICAL.test(id)) throw new EmpError('BAD_SYMBOL', `not a canonical instrument id: "${id}"`);
  return { base: id.slice(0, i), quote: id.slice(i + 1) };
}

/**
 * Finds which of `known` instruments a user's spelling names: `BTC-USD`, `btc-usd`, `BTCUSD`,
 * `BTC/USD`, `btc_usd`, `XBT/USD`. Undefined when it names none of them.
 */
export function resolveInstrument(raw: string, known: readonly InstrumentId[]): InstrumentId | undefined {
  const s = raw.trim().toUpperCase();
  const exact = known.find((k) => k === s);
  if (exact) return exact;
  try {
    const c = canonicalInstrument(s);
    const hit = known.find((k) => k === c);
    if (hit) return hit;
  } catch {
    // Not splittable into base and quote: try the glued form below.
  }
  const glued = s.replace(/[^A-Z0-9]/g, '').replace(/^XBT/, 'BTC');
  return known.find((k) => k.replace(/[^A-Z0-9]/g, '') === glued);
}

/**
 * Maps a venue's spelling to the canonical id: `BTCUSDT`, `BTC-USD`, `BTC/USD`, `btcusd`,
 * `EUR_USD`, `XBT/USD` (Kraken's name for bitcoin). Glued symbols are split on the longest
 * known quote currency suffix. Throws BAD_SYMBOL when it cannot tell base from quote.
 */
export function canonicalInstrument(raw: string): InstrumentId {
  const s = raw.trim().toUpperCase();
  const parts = s.split(/[-/_:]/);
  let base: string | undefined;
  let quote: string | undefined;
  if (parts.length === 2) {
    [base, quote] = parts;
  } else if (parts.length === 1) {
    for (const q of KNOWN_QUOTES) {
      if (s.length > q.length && s.endsWith(q)) {
        base = s.slice(0, s.length - q.length);
        quote = q;
        break;
      }
    }
  }
  if (!base || !quote) throw new EmpError('BAD_SYMBOL', `cannot map symbol "${raw}" to BASE-QUOTE`);
  return instrumentId(base === 'XBT' ? 'BTC' : base, quote === 'XBT' ? 'BTC' : quote);
}
