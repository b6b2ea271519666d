/**
 * OKX v5 public channels `trades` and `bbo-tbt` (best bid/offer, tick by tick), subscribed with
 * `{"op":"subscribe","args":[{"channel":...,"instId":...}]}`. The client must send the text
 * `ping` when it has received nothing for a while (the server closes quiet connections after
 * 30 s) and gets `pong`. `side` is the taker's; `bbo-tbt` carries `seqId`.
 */
import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject, writeJson } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, SymbolMap, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { OKX_CHANNEL, OKX_SYMBOL_STYLE, type OkxInbound, type OkxRequest } from './messages.ts';

export class OkxClient implements VenueCodec {
  readonly venue = 'okx';
  readonly url = 'wss://ws.okx.com:8443/ws/v5/public';
  readonly appPing = { text: 'ping', intervalMs: 20_000 };
  private readonly symbols = new SymbolMap(canonicalInstrument);

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, OKX_SYMBOL_STYLE);
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return [writeJson<OkxRequest>({ op: 'subscribe', args: subs.map((s) => ({ channel: OKX_CHANNEL[s.channel], instId: s.symbol })) })];
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return [writeJson<OkxRequest>({ op: 'unsubscribe', args: subs.map((s) => ({ channel: OKX_CHANNEL[s.channel], instId: s.symbol })) })];
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    if (frame === 'pong') return { kind: 'pong' };
    const read = readJsonObject<OkxInbound>(frame);
    if (typeof read === 'string') return { kind: 'error', message: read };
    const m = read as Omit<typeof read, 'arg'> & { arg?: { channel?: unknown; instId?: unknown } };
    if (m.event === 'subscribe' || m.event === 'unsubscribe') return { kind: 'subscribed' };
    if (m.event === 'error') return { kind: 'error', message: `venue error ${String(m.code)}: ${String(m.msg)}` };
    if (!m.arg || !Array.isArray(m.data)) return { kind: 'ignored', reason: `event ${String(m.event)}` };
    if (m.arg.channel === 'trades') {
      for (const t of m.data as Record<string, unknown>[]) {
        const price = num(t.px);
        const size = num(t.sz);
        if (typeof t.instId !== 'string' || !(price > 0) || !(size >= 0)) return { kind: 'error', message: 'trades: bad instId/px/sz' };
        const ts = num(t.ts);
        out.push({
          type: 'trade',
          venue: this.venue,
          symbol: this.symbols.get(t.instId),
          ts: Number.isFinite(ts) ? ts : null,
          recvTs,
          price,
          size,
          side: t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : 'unknown',
          id: typeof t.tradeId === 'string' ? t.tradeId : null,
        });
      }
      return { kind: 'data', count: (m.data as unknown[]).length };
    }
    if (m.arg.channel === 'bbo-tbt') {
      if (typeof m.arg.instId !== 'string') return { kind: 'error', message: 'bbo-tbt: no instId' };
      const symbol = this.symbols.get(m.arg.instId);
      for (const d of m.data as { bids?: unknown[][]; asks?: unknown[][]; ts?: unknown }[]) {
        const b = d.bids?.[0];
        const a = d.asks?.[0];
        if (!b || !a) return { kind: 'error', message: 'bbo-tbt: empty side' };
        const bid = num(b[0]);
        const ask = num(a[0]);
        if (!(bid > 0 && ask > 0)) return { kind: 'error', message: 'bbo-tbt: bad prices' };
        const ts = num(d.ts);
        out.push({
          type: 'quote',
          venue: this.venue,
          symbol,
          ts: Number.isFinite(ts) ? ts : null,
          recvTs,
          bid,
          bidSize: num(b[1]),
          ask,
          askSize: num(a[1]),
        });
      }
      return { kind: 'data', count: (m.data as unknown[]).length };
    }
    return { kind: 'ignored', reason: `channel ${String(m.arg.channel)}` };
  };
}
