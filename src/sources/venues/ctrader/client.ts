/**
 * cTrader Open API over WebSocket with JSON messages (`{"clientMsgId", "payloadType", "payload"}`,
 * port 5036). The session is a sequence: application auth (2100 → 2101), account auth
 * (2102 → 2103), symbol list (2114 → 2115: the broker's numeric symbol ids), then spot
 * subscription (2127 → 2128); spot events (2131) carry `bid`/`ask` as integers in 1/100000 of
 * the price and only the side that changed, so the last of each is kept per symbol. Errors come
 * as 2142 (and 50). The client must send a heartbeat (51) every 10 s whatever else it receives.
 * Credentials from the environment: CTRADER_CLIENT_ID, CTRADER_CLIENT_SECRET, CTRADER_ACCOUNT_ID,
 * CTRADER_ACCESS_TOKEN (CTRADER_ENV=live for the live host).
 */
import type { GapEvent } from '../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../core/instrument.ts';
import type { MarketRecord } from '../../core/market.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, type VenueProtocol } from './protocol.ts';

export const CTRADER = {
  APPLICATION_AUTH_REQ: 2100,
  APPLICATION_AUTH_RES: 2101,
  ACCOUNT_AUTH_REQ: 2102,
  ACCOUNT_AUTH_RES: 2103,
  SYMBOLS_LIST_REQ: 2114,
  SYMBOLS_LIST_RES: 2115,
  SUBSCRIBE_SPOTS_REQ: 2127,
  SUBSCRIBE_SPOTS_RES: 2128,
  UNSUBSCRIBE_SPOTS_REQ: 2129,
  UNSUBSCRIBE_SPOTS_RES: 2130,
  SPOT_EVENT: 2131,
  OA_ERROR_RES: 2142,
  ERROR_RES: 50,
  HEARTBEAT_EVENT: 51,
} as const;

/** Spot prices are integers in this many parts of the unit, whatever the symbol's digits. */
const PRICE_SCALE = 100_000;

export interface CTraderCredentials {
  clientId: string;
  clientSecret: string;
  accountId: number;
  accessToken: string;
}

function credentialsFromEnv(env = process.env): CTraderCredentials {
  // Without credentials the codec still speaks the protocol (the local servers accept any).
  return {
    clientId: env.CTRADER_CLIENT_ID ?? 'local',
    clientSecret: env.CTRADER_CLIENT_SECRET ?? 'local',
    accountId: Number(env.CTRADER_ACCOUNT_ID ?? 1),
    accessToken: env.CTRADER_ACCESS_TOKEN ?? 'local',
  };
}

/** The symbol list the local server offers (a broker assigns its own ids; clients learn them from 2115). */
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

const msg = (payloadType: number, payload: Record<string, unknown>, clientMsgId?: string): string =>
  JSON.stringify(clientMsgId === undefined ? { payloadType, payload } : { clientMsgId, payloadType, payload });

export class CTraderProtocol implements VenueProtocol {
  readonly venue = 'ctrader';
  readonly channels = ['quotes'] as const;
  readonly url: string;
  readonly appPing = { text: msg(CTRADER.HEARTBEAT_EVENT, {}), intervalMs: 10_000, always: true };
  private readonly creds: CTraderCredentials;
  private wanted: InstrumentId[] = [];
  private readonly idBySymbol = new Map<InstrumentId, number>();
  private readonly symbolById = new Map<number, InstrumentId>();
  private readonly lastBid = new Map<number, number>();
  private readonly lastAsk = new Map<number, number>();
  private msgId = 1;
  // Server side: where this client is in the handshake.
  private serverStage = 0;

  constructor(creds?: CTraderCredentials, env = process.env) {
    this.creds = creds ?? credentialsFromEnv(env);
    this.url = env.CTRADER_ENV === 'live' ? 'wss://live.ctraderapi.com:5036' : 'wss://demo.ctraderapi.com:5036';
  }

  venueSymbol(symbol: InstrumentId): string {
    return symbol.replace('-', '');
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    // Quotes only: cTrader's spot stream has no trades. Ids are learnt afresh on every connection.
    this.wanted = [...new Set(subs.filter((s) => s.channel === 'quotes').map((s) => s.symbol))];
    this.lastBid.clear();
    this.lastAsk.clear();
    const account = this.creds.accountId;
    return [
      msg(CTRADER.APPLICATION_AUTH_REQ, { clientId: this.creds.clientId, clientSecret: this.creds.clientSecret }, `m${this.msgId++}`),
      msg(CTRADER.ACCOUNT_AUTH_REQ, { ctidTraderAccountId: account, accessToken: this.creds.accessToken }, `m${this.msgId++}`),
      msg(CTRADER.SYMBOLS_LIST_REQ, { ctidTraderAccountId: account, includeArchivedSymbols: false }, `m${this.msgId++}`),
    ];
  }

  /** The broker's ids of these instruments, those it lists. */
  private idsOf(symbols: readonly InstrumentId[]): number[] {
    return symbols.flatMap((s) => {
      const id = this.idBySymbol.get(s);
      return id === undefined ? [] : [id];
    });
  }

  unsubscribeFrames(subs: readonly Subscription[]): string[] {
    const ids = this.idsOf(subs.map((s) => s.symbol));
    return ids.length
      ? [msg(CTRADER.UNSUBSCRIBE_SPOTS_REQ, { ctidTraderAccountId: this.creds.accountId, symbolId: ids }, `m${this.msgId++}`)]
      : [];
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    let m: { payloadType?: unknown; payload?: Record<string, unknown> };
    try {
      m = JSON.parse(frame) as typeof m;
    } catch {
      return { kind: 'error', message: 'not JSON' };
    }
    if (m === null || typeof m !== 'object' || typeof m.payloadType !== 'number') return { kind: 'error', message: 'no payloadType' };
    const p = (m.payload ?? {}) as Record<string, unknown>;
    switch (m.payloadType) {
      case CTRADER.SPOT_EVENT: {
        const id = num(p.symbolId);
        const symbol = this.symbolById.get(id);
        if (symbol === undefined) return { kind: 'error', message: `spot event for unknown symbolId ${String(p.symbolId)}` };
        if (p.bid !== undefined) this.lastBid.set(id, num(p.bid));
        if (p.ask !== undefined) this.lastAsk.set(id, num(p.ask));
        const bid = this.lastBid.get(id);
        const ask = this.lastAsk.get(id);
        if (bid === undefined || ask === undefined) return { kind: 'ignored', reason: 'one side not known yet' };
        if (!(bid > 0 && ask > 0)) return { kind: 'error', message: 'spot event: bad bid/ask' };
        const ts = num(p.timestamp);
        out.push({
          type: 'quote',
          venue: this.venue,
          symbol,
          ts: ts > 0 ? ts : null,
          recvTs,
          bid: bid / PRICE_SCALE,
          bidSize: Number.NaN,
          ask: ask / PRICE_SCALE,
          askSize: Number.NaN,
        });
        return { kind: 'data', count: 1 };
      }
      case CTRADER.HEARTBEAT_EVENT:
        return { kind: 'heartbeat' };
      case CTRADER.APPLICATION_AUTH_RES:
      case CTRADER.ACCOUNT_AUTH_RES:
        return { kind: 'ignored', reason: 'authorised' };
      case CTRADER.SYMBOLS_LIST_RES: {
        if (!Array.isArray(p.symbol)) return { kind: 'error', message: 'symbol list without symbols' };
        for (const s of p.symbol as { symbolId?: unknown; symbolName?: unknown }[]) {
          if (typeof s.symbolName !== 'string' || typeof s.symbolId !== 'number') continue;
          let id: InstrumentId;
          try {
            id = canonicalInstrument(s.symbolName);
          } catch {
            continue; // indices, CFDs: not instruments this platform tracks
          }
          this.idBySymbol.set(id, s.symbolId);
          this.symbolById.set(s.symbolId, id);
        }
        const ids = this.idsOf(this.wanted);
        if (ids.length === 0) return { kind: 'error', message: `none of ${this.wanted.join(', ')} is in the broker's symbol list` };
        return {
          kind: 'send',
          frames: [msg(CTRADER.SUBSCRIBE_SPOTS_REQ, { ctidTraderAccountId: this.creds.accountId, symbolId: ids }, `m${this.msgId++}`)],
        };
      }
      case CTRADER.SUBSCRIBE_SPOTS_RES:
        return { kind: 'subscribed' };
      case CTRADER.UNSUBSCRIBE_SPOTS_RES:
        return { kind: 'ignored', reason: 'unsubscribed' };
      case CTRADER.OA_ERROR_RES:
      case CTRADER.ERROR_RES:
        return { kind: 'error', message: `${String(p.errorCode)}: ${String(p.description ?? '')}` };
      default:
        return { kind: 'ignored', reason: `payloadType ${m.payloadType}` };
    }
  };

  // Server side (local venue servers): the handshake in order, then spot events.

  onClientFrame(text: string): { replies: string[]; subscribe?: Subscription[]; unsubscribe?: Subscription[] } {
    let m: { clientMsgId?: string; payloadType?: number; payload?: Record<string, unknown> };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [msg(CTRADER.ERROR_RES, { errorCode: 'INVALID_REQUEST', description: 'not JSON' })] };
    }
    const p = m.payload ?? {};
    const account = p.ctidTraderAccountId;
    const err = (description: string): { replies: string[] } => ({
      replies: [msg(CTRADER.OA_ERROR_RES, { errorCode: 'CH_ACCESS_DENIED', description, ctidTraderAccountId: account }, m.clientMsgId)],
    });
    switch (m.payloadType) {
      case CTRADER.HEARTBEAT_EVENT:
        return { replies: [] };
      case CTRADER.APPLICATION_AUTH_REQ:
        if (!p.clientId || !p.clientSecret) return err('clientId and clientSecret are required');
        this.serverStage = 1;
        return { replies: [msg(CTRADER.APPLICATION_AUTH_RES, {}, m.clientMsgId)] };
      case CTRADER.ACCOUNT_AUTH_REQ:
        if (this.serverStage < 1) return err('application is not authorised');
        if (!p.accessToken) return err('accessToken is required');
        this.serverStage = 2;
        return { replies: [msg(CTRADER.ACCOUNT_AUTH_RES, { ctidTraderAccountId: account }, m.clientMsgId)] };
      case CTRADER.SYMBOLS_LIST_REQ:
        if (this.serverStage < 2) return err('account is not authorised');
        return {
          replies: [
            msg(
              CTRADER.SYMBOLS_LIST_RES,
              {
                ctidTraderAccountId: account,
                symbol: LOCAL_SYMBOLS.map(({ symbolId, symbolName }) => ({ symbolId, symbolName, enabled: true })),
              },
              m.clientMsgId,
            ),
          ],
        };
      case CTRADER.SUBSCRIBE_SPOTS_REQ:
      case CTRADER.UNSUBSCRIBE_SPOTS_REQ: {
        if (this.serverStage < 2) return err('account is not authorised');
        const ids = Array.isArray(p.symbolId) ? (p.symbolId as unknown[]) : [];
        const subs = ids.flatMap((id) => {
          const s = LOCAL_BY_ID.get(id as number);
          return s ? [{ symbol: s.symbol, channel: 'quotes' as const }] : [];
        });
        const sub = m.payloadType === CTRADER.SUBSCRIBE_SPOTS_REQ;
        return {
          replies: [
            msg(sub ? CTRADER.SUBSCRIBE_SPOTS_RES : CTRADER.UNSUBSCRIBE_SPOTS_RES, { ctidTraderAccountId: account }, m.clientMsgId),
          ],
          ...(sub ? { subscribe: subs } : { unsubscribe: subs }),
        };
      }
      default:
        return err(`unsupported payloadType ${String(m.payloadType)}`);
    }
  }

  encode(r: MarketRecord, _seq: number): string {
    const s = LOCAL_BY_SYMBOL.get(r.symbol);
    const q = r.type === 'quote' ? r : { bid: r.price, ask: r.price, ts: r.ts };
    return msg(CTRADER.SPOT_EVENT, {
      ctidTraderAccountId: this.creds.accountId,
      symbolId: s?.symbolId ?? 0,
      bid: Math.round(q.bid * PRICE_SCALE),
      ask: Math.round(q.ask * PRICE_SCALE),
      trendbar: [],
      ...(q.ts !== null ? { timestamp: Math.round(q.ts) } : {}),
    });
  }

  heartbeat(): string {
    return msg(CTRADER.HEARTBEAT_EVENT, {});
  }
}
