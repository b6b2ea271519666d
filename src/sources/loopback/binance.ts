/** Binance's side of the trade and bookTicker streams: method calls answered, records encoded. */
import { canonicalInstrument } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';
import type { BinanceBookTicker, BinanceError, BinanceMethodCall, BinanceMethodResult, BinanceTrade } from '../venues/binance/messages.ts';
import { BINANCE_SYMBOL_STYLE } from '../venues/binance/messages.ts';
import { readJsonObject, writeJson } from '../venues/json-frame.ts';
import { spellSymbol } from '../venues/symbol-style.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

export class BinanceServer implements VenueServerCodec {
  readonly venue = 'binance';

  onClientFrame(text: string): ClientFrameAnswer {
    const m = readJsonObject<BinanceMethodCall>(text);
    if (typeof m === 'string') return { replies: [writeJson<BinanceError>({ code: 2, msg: 'Invalid JSON' })] };
    if ((m.method !== 'SUBSCRIBE' && m.method !== 'UNSUBSCRIBE') || !Array.isArray(m.params)) {
      return { replies: [writeJson<BinanceError>({ code: 1, msg: 'Invalid request', id: m.id ?? null })] };
    }
    const subs: Subscription[] = [];
    for (const p of m.params) {
      const x = /^([a-z0-9]+)@(trade|bookTicker)$/.exec(String(p));
      if (!x) return { replies: [writeJson<BinanceError>({ code: 2, msg: `Invalid stream name ${String(p)}`, id: m.id ?? null })] };
      subs.push({ symbol: canonicalInstrument(x[1] as string), channel: x[2] === 'trade' ? 'trades' : 'quotes' });
    }
    const reply = writeJson<BinanceMethodResult>({ result: null, id: m.id ?? null });
    return m.method === 'SUBSCRIBE' ? { replies: [reply], subscribe: subs } : { replies: [reply], unsubscribe: subs };
  }

  encode(r: MarketRecord, seq: number): string {
    const s = spellSymbol(r.symbol, BINANCE_SYMBOL_STYLE);
    if (r.type === 'trade') {
      const ts = r.ts ?? r.recvTs;
      return writeJson<BinanceTrade>({
        e: 'trade',
        E: Math.round(ts),
        s,
        t: r.id !== null ? Number(r.id) : seq,
        p: String(r.price),
        q: String(r.size),
        T: Math.round(ts),
        m: r.side === 'sell',
        M: true,
      });
    }
    return writeJson<BinanceBookTicker>({ u: seq, s, b: String(r.bid), B: String(r.bidSize), a: String(r.ask), A: String(r.askSize) });
  }
}
