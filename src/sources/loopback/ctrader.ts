/**
 * cTrader's side of the spot-price session: the handshake in order (application auth, account
 * auth, symbol list, spot subscription), then spot events. It accepts any credentials.
 */
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import {
  CTRADER,
  CTRADER_PRICE_SCALE,
  type CTraderMessage,
  type CTraderSpotEvent,
  type CTraderSymbolList,
  ctraderFrame,
} from '../venues/ctrader/messages.ts';
import { readJsonObject } from '../venues/json-frame.ts';
import type { ClientFrameAnswer, VenueServerCodec } from './server-codec.ts';

/** The symbol list this server offers (a broker assigns its own ids; clients learn them from 2115). */
const LOCAL_SYMBOLS: readonly { symbolId: number; symbolName: string; symbol: InstrumentId }[] = [
  'EURUSD',
  'GBPUSD',
  'EURJPY',
  'USDJPY',
  'AUDUSD',
  'USDCHF',
  'GBPJPY',
  'USDCAD',
  'EURGBP',
  'EURCHF',
  'NZDUSD',
  'XAUUSD',
  'BTCUSD',
  'ETHUSD',
].map((symbolName, i) => ({ symbolId: i + 1, symbolName, symbol: canonicalInstrument(symbolName) }));
const LOCAL_BY_ID = new Map(LOCAL_SYMBOLS.map((s) => [s.symbolId, s]));
const LOCAL_BY_SYMBOL = new Map(LOCAL_SYMBOLS.map((s) => [s.symbol, s]));

/** Where a client is in the handshake. */
type Stage = 'connected' | 'application' | 'account';

export class CTraderServer implements VenueServerCodec {
  readonly venue = 'ctrader';
  private stage: Stage = 'connected';
  /** The account spot events name (the client's own, from the same environment). */
  private readonly accountId: number;

  constructor(env = process.env) {
    this.accountId = Number(env.CTRADER_ACCOUNT_ID ?? 1);
  }

  onClientFrame(text: string): ClientFrameAnswer {
    const read = readJsonObject<CTraderMessage>(text);
    if (typeof read === 'string')
      return { replies: [ctraderFrame(CTRADER.ERROR_RES, { errorCode: 'INVALID_REQUEST', description: 'not JSON' })] };
    // Echoed as sent, whatever it is.
    const clientMsgId = read.clientMsgId as string | undefined;
    const p = (read.payload ?? {}) as Record<string, unknown>;
    const account = p.ctidTraderAccountId;
    const err = (description: string): ClientFrameAnswer => ({
      replies: [
        ctraderFrame(CTRADER.OA_ERROR_RES, { errorCode: 'CH_ACCESS_DENIED', description, ctidTraderAccountId: account }, clientMsgId),
      ],
    });
    const authorised = this.stage === 'account';
    switch (read.payloadType) {
      case CTRADER.HEARTBEAT_EVENT:
        return { replies: [] };
      case CTRADER.APPLICATION_AUTH_REQ:
        if (!p.clientId || !p.clientSecret) return err('clientId and clientSecret are required');
        this.stage = 'application';
        return { replies: [ctraderFrame(CTRADER.APPLICATION_AUTH_RES, {}, clientMsgId)] };
      case CTRADER.ACCOUNT_AUTH_REQ:
        if (this.stage === 'connected') return err('application is not authorised');
        if (!p.accessToken) return err('accessToken is required');
        this.stage = 'account';
        return { replies: [ctraderFrame(CTRADER.ACCOUNT_AUTH_RES, { ctidTraderAccountId: account }, clientMsgId)] };
      case CTRADER.SYMBOLS_LIST_REQ: {
        if (!authorised) return err('account is not authorised');
        const list: CTraderSymbolList = {
          ctidTraderAccountId: account,
          symbol: LOCAL_SYMBOLS.map(({ symbolId, symbolName }) => ({ symbolId, symbolName, enabled: true })),
        };
        return { replies: [ctraderFrame(CTRADER.SYMBOLS_LIST_RES, list, clientMsgId)] };
      }
      case CTRADER.SUBSCRIBE_SPOTS_REQ:
      case CTRADER.UNSUBSCRIBE_SPOTS_REQ: {
        if (!authorised) return err('account is not authorised');
        const ids = Array.isArray(p.symbolId) ? (p.symbolId as unknown[]) : [];
        const subs = ids.flatMap((id) => {
          const s = LOCAL_BY_ID.get(id as number);
          return s ? [{ symbol: s.symbol, channel: 'quotes' as const }] : [];
        });
        const sub = read.payloadType === CTRADER.SUBSCRIBE_SPOTS_REQ;
        return {
          replies: [
            ctraderFrame(sub ? CTRADER.SUBSCRIBE_SPOTS_RES : CTRADER.UNSUBSCRIBE_SPOTS_RES, { ctidTraderAccountId: account }, clientMsgId),
          ],
          ...(sub ? { subscribe: subs } : { unsubscribe: subs }),
        };
      }
      default:
        return err(`unsupported payloadType ${String(read.payloadType)}`);
    }
  }

  encode(r: MarketRecord, _seq: number): string {
    const s = LOCAL_BY_SYMBOL.get(r.symbol);
    const q = r.type === 'quote' ? r : { bid: r.price, ask: r.price, ts: r.ts };
    const spot: CTraderSpotEvent = {
      ctidTraderAccountId: this.accountId,
      symbolId: s?.symbolId ?? 0,
      bid: Math.round(q.bid * CTRADER_PRICE_SCALE),
      ask: Math.round(q.ask * CTRADER_PRICE_SCALE),
      trendbar: [],
      ...(q.ts !== null ? { timestamp: Math.round(q.ts) } : {}),
    };
    return ctraderFrame(CTRADER.SPOT_EVENT, spot);
  }

  heartbeat(): string {
    return ctraderFrame(CTRADER.HEARTBEAT_EVENT, {});
  }
}
