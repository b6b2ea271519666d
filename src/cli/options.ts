/** Option values the commands share the reading of: a clear error naming the option, else the value. */
import { EmpError } from '../core/errors.ts';
import { type AdaptiveRegimeOptions, fatTailed } from '../regimes/adaptive.ts';

/** A fraction in (0, 1), given as such (0.0025) or as a percentage (0.25%). */
export function fraction(text: string, name: string): number {
  const pct = text.trim().endsWith('%');
  const v = Number(pct ? text.trim().slice(0, -1) : text) / (pct ? 100 : 1);
  if (!(v > 0 && v < 1)) throw new EmpError('BAD_ARGUMENT', `--${name} must be a fraction in (0, 1) or a percentage, got "${text}"`);
  return v;
}

/** `binance=2,kraken=1` → { binance: 2, kraken: 1 }. */
export function parseWeights(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(part);
    const w = m ? Number(m[2]) : Number.NaN;
    if (!m || !(w > 0 && Number.isFinite(w))) {
      throw new EmpError(
        'BAD_ARGUMENT',
        `--weights: expected source=weight with a positive weight (e.g. binance=2,kraken=1), got "${part}"`,
      );
    }
    out[m[1] as string] = w;
  }
  return out;
}

export function posInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EmpError('BAD_ARGUMENT', `--${flag} must be a positive integer, got "${v}"`);
  return n;
}

export function nonNegInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new EmpError('BAD_ARGUMENT', `--${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

export function intInRange(text: string, name: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new EmpError('BAD_ARGUMENT', `--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  return v;
}

/**
 * `--tails <nu>`: the adaptive classifier's profile grid reads each regime as Gaussian or as a
 * Student t with nu degrees of freedom, weighed by evidence (undefined: the default, Gaussian alone).
 * Finite and above 2: Infinity is the Gaussian reading, which the grid always has.
 */
export function adaptiveTails(text: string | undefined): AdaptiveRegimeOptions {
  if (text === undefined) return {};
  try {
    return fatTailed(Number(text));
  } catch {
    // fatTailed's own check, reported against the option as given.
    throw new EmpError('BAD_ARGUMENT', `--tails must be a number of degrees of freedom above 2, not "${text}"`);
  }
}
