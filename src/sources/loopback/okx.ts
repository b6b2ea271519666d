/** OKX's side of `trades` and `bbo-tbt`, and the text `ping`. */
import { canonicalInstrument } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';
import { readJsonObject, writeJson } from '../venues/json-frame.ts';
import type { OkxBbo, OkxError, OkxEvent, OkxPush, OkxRequest, OkxTrade } from '../venues/okx/messages.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

export class OkxServer implements VenueServerCodec {
  readonly venue = 'okx';
  private readonly connId = Math.random().toString(16).slice(2, 10);

  private error(code: string, msg: string): string {
    return writeJson<OkxError>({ event: 'error', code, msg, connId: this.connId });
  }

  onClientFrame(text: string): ClientFrameAnswer {
    if (text === 'ping') return { replies: ['pong'] };
    const m = readJsonObject<OkxRequest>(text);
    if (typeof m === 'string') return { replies: [this.error('60012', `Invalid request: ${text.slice(0, 100)}`)] };
    if ((m.op !== 'subscribe' && m.op !== 'unsubscribe') || !Array.isArray(m.args)) {
      return { replies: [this.error('60012', 'Invalid request')] };
    }
    const op = m.op;
    const subs: Subscription[] = [];
    const replies: string[] = [];
    for (const a of m.args as { channel?: unknown; instId?: unknown }[]) {
      const ch = a.channel === 'trades' ? 'trades' : a.channel === 'bbo-tbt' ? 'quotes' : null;
      if (!ch || typeof a.instId !== 'string') {
        replies.push(this.error('60018', `Wrong URL or channel:${String(a.channel)}`));
        continue;
      }
      subs.push({ symbol: canonicalInstrument(a.instId), channel: ch });
      replies.push(writeJson<OkxEvent>({ event: op, arg: { channel: a.channel as string, instId: a.instId }, connId: this.connId }));
    }
    return op === 'subscribe' ? { replies, subscribe: subs } : { replies, unsubscribe: subs };
  }

  encode(r: MarketRecord, seq: number): string {
    const ts = String(Math.round(r.ts ?? r.recvTs));
    if (r.type === 'trade') {
      return writeJson<OkxPush<OkxTrade>>({
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
    return writeJson<OkxPush<OkxBbo>>({
      arg: { channel: 'bbo-tbt', instId: r.symbol },
      data: [
        { asks: [[String(r.ask), String(r.askSize), '0', '1']], bids: [[String(r.bid), String(r.bidSize), '0', '1']], ts, seqId: seq },
      ],
    });
  }
}
