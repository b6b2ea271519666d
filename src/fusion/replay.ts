/**
 * Offline fusion (`emp fuse`): rows of several sources, in time order, replayed through the
 * fusion engine (or one of EMP v1's conflict strategies), with a fused row per instrument on a
 * time grid or at each input time. Pure: the caller reads the rows and prints the result.
 */
import { canonicalInstrument, splitInstrument } from '../core/instrument.ts';
import { FusionEngine } from './engine.ts';
import { Harmonizer, USD_STABLECOINS } from './harmonizer.ts';
import { V1Fuser, type V1Method } from './strategies.ts';

/** One observation of one source. */
export interface ReplayRow {
  /** When the observation became known: its receipt time if there is one, else its own time. */
  time: number;
  /** Its own (event) time. */
  eventTime: number;
  source: string;
  /** The instrument as written ('' when the input names none). */
  symbol: string;
  bid: number;
  ask: number;
}

/**
 * The instrument a row is fused into. Stablecoin-quoted pairs join their USD pair (BTC-USDT with
 * BTC-USD): the engine converts them at the live USDT/USD rate its harmonizer estimates from
 * venues quoting both; the v1 methods (which had no such rate) take them at par.
 */
export interface FusedInstrument {
  fused: string;
  /** Canonical id as quoted (BTC-USDT), or null when the symbol is not BASE-QUOTE. */
  canonical: string | null;
  /** The stablecoin quote (USDT) of a pair fused into its USD pair, else null. */
  coin: string | null;
}

export function fusedInstrument(raw: string): FusedInstrument {
  let canonical: string | null = null;
  try {
    canonical = canonicalInstrument(raw);
  } catch {
    // Not a BASE-QUOTE pair (an index, a contract code): fused under its own name, unconverted.
    return { fused: raw, canonical: null, coin: null };
  }
  const { base, quote } = splitInstrument(canonical);
  return USD_STABLECOINS.has(quote) ? { fused: `${base}-USD`, canonical, coin: quote } : { fused: canonical, canonical, coin: null };
}

/** The instrument of rows that name none, when the caller does not name it either. */
export const UNNAMED_SERIES = 'INPUT-SERIES';

/** One fused row. */
export interface FusedRow {
  ts: number;
  symbol: string;
  price: number;
  confidence: number;
  sources: string[];
  /** `source:reason`. */
  excluded: string[];
  status: 'ok' | 'degraded' | 'unknown';
  /** Source → normalized weight in this row (engine), or an equal share per source used (v1). */
  weights: [string, number][];
}

export interface ReplayOptions {
  /** `engine`, or one of the v1 conflict strategies. */
  method: 'engine' | V1Method;
  maxAgeMs: number;
  /** Fewer used sources than this: status degraded. */
  minSources: number;
  /** Engine: agreement tolerance (fraction) for conflicts and consistency. */
  tolerance: number;
  /** Engine: align each source's clock (rows carry a receipt time). */
  alignClocks: boolean;
  /** v1: fixed weight per source (others 1), agreement threshold in price units, time floor. */
  weights?: Record<string, number>;
  conflictThreshold?: number;
  floorMs?: number;
  /** The instrument of rows that name none (default UNNAMED_SERIES). */
  symbol?: string;
}

/** A replay of rows through one engine (all instruments) or one v1 fuser per instrument. */
export class FusionReplay {
  /** The engine, or null for a v1 method. */
  readonly engine: FusionEngine | null;
  /** The instruments met so far, sorted (rows of one time come in this order). */
  readonly instruments: string[] = [];
  /** v1: rows whose fresh sources disagreed beyond the threshold. */
  conflictRows = 0;
  private readonly bySymbol = new Map<string, FusedInstrument>();
  private readonly unnamed: FusedInstrument;
  private readonly v1Fusers = new Map<string, V1Fuser>();

  constructor(private readonly opts: ReplayOptions) {
    this.engine =
      opts.method === 'engine'
        ? new FusionEngine(
            { maxAgeMs: opts.maxAgeMs, minSources: opts.minSources, tolerance: opts.tolerance },
            new Harmonizer({ alignClocks: opts.alignClocks }),
          )
        : null;
    this.unnamed = opts.symbol !== undefined ? fusedInstrument(opts.symbol) : { fused: UNNAMED_SERIES, canonical: null, coin: null };
  }

  /** A row's instrument, resolved once per distinct symbol text. */
  instrumentOf(r: Pick<ReplayRow, 'symbol'>): FusedInstrument {
    if (r.symbol === '') return this.unnamed;
    let x = this.bySymbol.get(r.symbol);
    if (!x) {
      x = fusedInstrument(r.symbol);
      this.bySymbol.set(r.symbol, x);
    }
    return x;
  }

  /** Stablecoin-quoted symbols met, each with the USD pair it was fused into. */
  stablecoinPairs(): [string, FusedInstrument][] {
    return [...this.bySymbol.entries()].filter(([raw, x]) => x.coin && raw !== x.fused);
  }

  /**
   * Replays rows (in time order) and yields the fused rows: with `intervalMs`, every instrument
   * met so far at each grid time (multiples of the interval, from the first row's time to the
   * first grid time at or after the last row); without, each instrument updated at an input
   * time, once all rows of that time are in.
   */
  *replay(rows: readonly ReplayRow[], intervalMs = 0): Generator<FusedRow> {
    if (rows.length === 0) return;
    let next = intervalMs ? Math.ceil((rows[0] as ReplayRow).time / intervalMs) * intervalMs : 0;
    const touched = new Set<string>();
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as ReplayRow;
      while (intervalMs && next < r.time) {
        yield* this.emitAll(next);
        next += intervalMs;
      }
      const x = this.instrumentOf(r);
      if (!this.instruments.includes(x.fused)) {
        this.instruments.push(x.fused);
        this.instruments.sort();
      }
      this.feed(r, x);
      if (!intervalMs) {
        touched.add(x.fused);
        if ((rows[i + 1]?.time ?? Number.NaN) !== r.time) {
          for (const s of this.instruments) {
            if (!touched.has(s)) continue;
            const f = this.emit(r.time, s);
            if (f) yield f;
          }
          touched.clear();
        }
      }
    }
    if (intervalMs) yield* this.emitAll(next);
  }

  private *emitAll(t: number): Generator<FusedRow> {
    for (const s of this.instruments) {
      const f = this.emit(t, s);
      if (f) yield f;
    }
  }

  private feed(r: ReplayRow, x: FusedInstrument): void {
    const engine = this.engine;
    if (engine) {
      if (x.canonical) {
        const q = engine.harmonizer.quote({
          type: 'quote',
          venue: r.source,
          symbol: x.canonical,
          ts: r.eventTime,
          recvTs: r.time,
          bid: r.bid,
          ask: r.ask,
          bidSize: 0,
          askSize: 0,
        });
        engine.onQuote(q, r.time, x.coin);
      } else {
        engine.onQuote(
          { venue: r.source, symbol: x.fused, ts: r.eventTime, recvTs: r.time, bid: r.bid, ask: r.ask, bidSize: 0, askSize: 0 },
          r.time,
        );
      }
      return;
    }
    let f = this.v1Fusers.get(x.fused);
    if (!f) {
      f = new V1Fuser(this.opts.method as V1Method, {
        weights: this.opts.weights ?? {},
        conflictThreshold: this.opts.conflictThreshold ?? 0.0001,
        floorMs: this.opts.floorMs ?? 60_000,
      });
      this.v1Fusers.set(x.fused, f);
    }
    f.update(r.source, (r.bid + r.ask) / 2, r.eventTime);
  }

  private emit(t: number, symbol: string): FusedRow | undefined {
    const engine = this.engine;
    if (engine) {
      if (!engine.evaluate(symbol, t)) return undefined;
      const f = engine.fused(symbol);
      if (!f) return undefined;
      return {
        ts: f.ts,
        symbol,
        price: f.price,
        confidence: f.confidence,
        sources: f.sources.map((s) => s.venue),
        excluded: f.excluded.map((e) => `${e.venue}:${e.reason}`),
        status: f.status,
        weights: f.sources.map((s) => [s.venue, s.weight]),
      };
    }
    const f = this.v1Fusers.get(symbol);
    if (!f) return undefined;
    const price = f.value(t, this.opts.maxAgeMs);
    if (f.conflict) this.conflictRows++;
    const used = f.slots.filter((s) => s.used);
    return {
      ts: t,
      symbol,
      price,
      confidence: Number.NaN,
      sources: used.map((s) => s.source),
      // Fresh but outvoted by the strategy, or too old.
      excluded: f.slots.filter((s) => !s.used).map((s) => `${s.source}:${s.fresh ? 'not_selected' : 'stale'}`),
      status: f.fresh === 0 ? 'unknown' : f.fresh < this.opts.minSources ? 'degraded' : 'ok',
      weights: used.map((s) => [s.source, 1 / used.length]),
    };
  }
}
