import { Rng } from '../../core/random.ts';
import type { Fault, FaultKind, InstrumentSpec, VenueSpec } from './types.ts';
import { venueLists } from './venues.ts';

const KINDS: readonly FaultKind[] = ['freeze', 'bad_print', 'outage', 'burst', 'clock_jump'];

/**
 * A seeded fault schedule: on average one fault per venue and instrument every `meanGapMs`,
 * kinds drawn uniformly, never overlapping on the same venue and instrument, and never in
 * the first minute (so every source is seen healthy first).
 */
export function scheduleFaults(
  seed: number,
  start: number,
  durationMs: number,
  venues: readonly VenueSpec[],
  instruments: readonly InstrumentSpec[],
  meanGapMs = 45 * 60_000,
): Fault[] {
  const rng = new Rng(seed ^ 0x5eed_fa17);
  const out: Fault[] = [];
  const end = start + durationMs;
  for (const v of venues) {
    for (const ins of instruments) {
      if (!venueLists(v, ins)) continue;
      let t = start + 60_000 + rng.exponential(meanGapMs);
      while (t < end - 60_000) {
        const kind = KINDS[rng.int(KINDS.length)] as FaultKind;
        const f = makeFault(rng, kind, v.name, ins.symbol, Math.floor(t));
        if (f.end >= end) break;
        out.push(f);
        t = f.end + 30_000 + rng.exponential(meanGapMs);
      }
    }
  }
  return out.sort((a, b) => a.start - b.start || a.venue.localeCompare(b.venue));
}

function makeFault(rng: Rng, kind: FaultKind, venue: string, symbol: string, start: number): Fault {
  switch (kind) {
    case 'freeze':
      return { kind, venue, symbol, start, end: start + Math.round(rng.uniform(30_000, 120_000)), magnitude: 0 };
    case 'outage':
      return { kind, venue, symbol, start, end: start + Math.round(rng.uniform(30_000, 120_000)), magnitude: 0 };
    case 'burst':
      return {
        kind,
        venue,
        symbol,
        start,
        end: start + Math.round(rng.uniform(10_000, 60_000)),
        magnitude: Math.round(rng.uniform(5, 10)),
      };
    case 'clock_jump':
      return {
        kind,
        venue,
        symbol,
        start,
        end: start + Math.round(rng.uniform(60_000, 180_000)),
        magnitude: Math.round(rng.uniform(500, 3000)) * (rng.next() < 0.5 ? -1 : 1),
      };
    case 'bad_print': {
      const size = rng.uniform(0.01, 0.1);
      return { kind, venue, symbol, start, end: start, magnitude: rng.next() < 0.5 ? -size : size };
    }
  }
}
