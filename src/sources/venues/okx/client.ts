/**
 * OKX v5 public channels `trades` and `bbo-tbt` (best bid/offer, tick by tick), subscribed with
 * `{"op":"subscribe","args":[{"channel":...,"instId":...}]}`. The client must send the text
 * `ping` when it has received nothing for a while (the server closes quiet connections after
 * 30 s) and gets `pong`. `side` is the taker's; `bbo-tbt` carries `seqId`.
 */
import type { GapEvent } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, SymbolMap, type VenueProtocol } from './protocol.ts';

const CHANNEL = { trades: 'trades', quotes: 'bbo-tbt' } as const;

export class OkxProtocol implements VenueProtocol {
  readonly venue = 'okx';
  readonly url = 'wss://ws.okx.com:8443/ws/v5/public';
  readonly appPing = { text: 'ping', intervalMs: 20_000 };
  private readonly symbols = new SymbolMap(canonicalInstrument);

  venueSymbol(symbol: InstrumentId): string {
    return symbol;
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    return [JSON.stringify({ op: 'subscribe', args: subs.map((s) => ({ channel: CHANNEL[s.channel], instId: s.symbol })) })];
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    return [JSON.stringify({ op: 'unsubscribe', args: subs.map((s) => ({ channel: CHANNEL[s.channel], instId: s.symbol })) })];
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    if (frame === 'pong') return { kind: 'pong' };
    let m: { event?: unknown; arg?: { channel?: unknown; instId?: unknown }; data?: unknown; msg?: unknown; code?: unknown };
    try {
      m = JSON.parse(frame) as typeof m;
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    if (m === null || typeof m !== 'object') return { kind: 'error', message: 'not an object' };
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

  // Server side.
  private connId = Math.random().toString(16).slice(2, 10);

  onClientFrame(text: string): { replies: string[]; subscribe?: Subscription[]; unsubscribe?: Subscription[] } {
    if (text === 'ping') return { replies: ['pong'] };
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return {
        replies: [JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text.slice(0, 100)}`, connId: this.connId })],
      };
    }
    if ((m.op !== 'subscribe' && m.op !== 'unsubscribe') || !Array.isArray(m.args)) {
      return { replies: [JSON.stringify({ event: 'error', code: '60012', msg: 'Invalid request', connId: this.connId })] };
    }
    const subs: Subscription[] = [];
    const replies: string[] = [];
    for (const a of m.args as { channel?: unknown; instId?: unknown }[]) {
      const ch = a.channel === 'trades' ? 'trades' : a.channel === 'bbo-tbt' ? 'quotes' : null;
      if (!ch || typeof a.instId !== 'string') {
        replies.push(
          JSON.stringify({ event: 'error', code: '60018', msg: `Wrong URL or channel:${String(a.channel)}`, connId: this.connId }),
        );
        continue;
      }
      subs.push({ symbol: canonicalInstrument(a.instId), channel: ch });
      replies.push(JSON.stringify({ event: m.op, arg: { channel: a.channel, instId: a.instId }, connId: this.connId }));
    }
    return m.op === 'subscribe' ? { replies, subscribe: subs } : { replies, unsubscribe: subs };
  }

  encode(r: MarketRecord, seq: number): string {
    const ts = String(Math.round(r.ts ?? r.recvTs));
    if (r.type === 'trade') {
      return JSON.stringify({
        arg: { channel: 'trades', instId: r.symbol },
        data: [
          {
            instId: r.symbol,
            tradeId: r.id ?? String(seq),
            px: String(r.price),
            sz: String(r.size),
            side: r.side === 'sell' ? 'sell' : 'buy',
            ts,
            count: '1',
          },
        ],
      });
    }
    return JSON.stringify({
      arg: { channel: 'bbo-tbt', instId: r.symbol },
      data: [
        { asks: [[String(r.ask), String(r.askSize), '0', '1']], bids: [[String(r.bid), String(r.bidSize), '0', '1']], ts, seqId: seq },
      ],
    });
  }
}
