/**
 * Reference aggregators the engine is measured against: plain mean, plain median, and a
 * Pyth-style aggregate (each publisher votes p − c, p, p + c with c its confidence, here the
 * half-spread; the aggregate is the median of the votes; stale publishers are left out).
 */
import { median } from '../core/stats.ts';

export interface Observation {
  price: number;
  /** Confidence (half-spread), price units. */
  conf: number;
  lastRecv: number;
}

export function meanAggregate(obs: readonly Observation[], now: number, maxAgeMs: number): number {
  const xs = obs.filter((o) => now - o.lastRecv <= maxAgeMs).map((o) => o.price);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

export function medianAggregate(obs: readonly Observation[], now: number, maxAgeMs: number): number {
  return median(obs.filter((o) => now - o.lastRecv <= maxAgeMs).map((o) => o.price));
}

export function pythAggregate(obs: readonly Observation[], now: number, maxAgeMs: number): { price: number; confidence: number } {
  const votes: number[] = [];
  for (const o of obs) if (now - o.lastRecv <= maxAgeMs) votes.push(o.price - o.conf, o.price, o.price + o.conf);
  if (votes.length === 0) return { price: Number.NaN, confidence: Number.NaN };
  votes.sort((a, b) => a - b);
  const q = (p: number): number => votes[Math.min(votes.length - 1, Math.floor(p * votes.length))] as number;
  const price = median(votes);
  return { price, confidence: Math.max(price - q(0.25), q(0.75) - price) };
}
