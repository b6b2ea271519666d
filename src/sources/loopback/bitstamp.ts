/** Bitstamp's side of `live_trades_<pair>` and `order_book_<pair>`, its heartbeat and its reconnect request. */
import { canonicalInstrument } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import type { Subscription } from '../../stream/codec.ts';
import type { BitstampBook, BitstampControl, BitstampRequest, BitstampTrades } from '../venues/bitstamp/messages.ts';
import { BITSTAMP_SYMBOL_STYLE } from '../venues/bitstamp/messages.ts';
import { readJsonObject, writeJson } from '../venues/json-frame.ts';
import { spellSymbol } from '../venues/symbol-style.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

const error = (channel: string, message: string): string =>
  writeJson<BitstampControl>({ event: 'bts:error', channel, data: { code: null, message } });

export class BitstampServer implements VenueServerCodec {
  readonly venue = 'bitstamp';

  onClientFrame(text: string): ClientFrameAnswer {
    const m = readJsonObject<BitstampRequest>(text);
    if (typeof m === 'string') return { replies: [error('', 'Bad subscription string.')] };
    if (m.event === 'bts:heartbeat')
      return { replies: [writeJson<BitstampControl>({ event: 'bts:heartbeat', channel: '', data: { status: 'success' } })] };
    const data = m.data as { channel?: unknown } | undefined;
    const ch = typeof data?.channel === 'string' ? data.channel : '';
    const x = /^(live_trades|order_book)_([a-z0-9]+)$/.exec(ch);
    if ((m.event !== 'bts:subscribe' && m.event !== 'bts:unsubscribe') || !x)
      return { replies: [error(ch, 'Incorrect channel supplied.')] };
    const sub: Subscription = { symbol: canonicalInstrument(x[2] as string), channel: x[1] === 'live_trades' ? 'trades' : 'quotes' };
    const ok = m.event === 'bts:subscribe' ? 'bts:subscription_succeeded' : 'bts:unsubscription_succeeded';
    const reply = writeJson<BitstampControl>({ event: ok, channel: ch, data: {} });
    return m.event === 'bts:subscribe' ? { replies: [reply], subscribe: [sub] } : { replies: [reply], unsubscribe: [sub] };
  }

  encode(r: MarketRecord, seq: number): string {
    const pair = spellSymbol(r.symbol, BITSTAMP_SYMBOL_STYLE);
    const us = Math.round((r.ts ?? r.recvTs) * 1000);
    if (r.type === 'trade') {
      return writeJson<BitstampTrades>({
        data: {
          id: Number(r.id ?? seq),
          timestamp: String(Math.floor(us / 1e6)),
          amount: r.size,
          amount_str: String(r.size),
          price: r.price,
          price_str: String(r.price),
          type: r.side === 'sell' ? 1 : 0,
          microtimestamp: String(us),
        },
        channel: `live_trades_${pair}`,
        event: 'trade',
      });
    }
    return writeJson<BitstampBook>({
      data: {
        timestamp: String(Math.floor(us / 1e6)),
        microtimestamp: String(us),
        bids: [[String(r.bid), String(r.bidSize)]],
        asks: [[String(r.ask), String(r.askSize)]],
      },
      channel: `order_book_${pair}`,
      event: 'data',
    });
  }

  reconnectRequest(): string {
    return writeJson<BitstampControl>({ event: 'bts:request_reconnect', channel: '', data: '' });
  }
}
