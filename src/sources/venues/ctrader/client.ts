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
import type { GapEvent } from '../../../core/events.ts';
import { canonicalInstrument, type InstrumentId } from '../../../core/instrument.ts';
import type { MarketRecord } from '../../../core/market.ts';
import { readJsonObject } from '../json-frame.ts';
import { type FrameOutcome, guardedParse, num, type Subscription, type VenueCodec } from '../protocol.ts';
import { spellSymbol } from '../symbol-style.ts';
import { CTRADER, CTRADER_PRICE_SCALE, CTRADER_SYMBOL_STYLE, type CTraderMessage, ctraderFrame } from './messages.ts';

export interface CTraderCredentials {
  clientId: string;
  clientSecret: string;
  accountId: number;
  accessToken: string;
}

function ctraderCredentialsFromEnv(env = process.env): CTraderCredentials {
  // Without credentials the codec still speaks the protocol (the local servers accept any).
  return {
    clientId: env.CTRADER_CLIENT_ID ?? 'local',
    clientSecret: env.CTRADER_CLIENT_SECRET ?? 'local',
    accountId: Number(env.CTRADER_ACCOUNT_ID ?? 1),
    accessToken: env.CTRADER_ACCESS_TOKEN ?? 'local',
  };
}

export class CTraderClient implements VenueCodec {
  readonly venue = 'ctrader';
  readonly channels = ['quotes'] as const;
  readonly url: string;
  readonly appPing = { text: ctraderFrame(CTRADER.HEARTBEAT_EVENT, {}), intervalMs: 10_000, always: true };
  private readonly creds: CTraderCredentials;
  private wanted: InstrumentId[] = [];
  private readonly idBySymbol = new Map<InstrumentId, number>();
  private readonly symbolById = new Map<number, InstrumentId>();
  private readonly lastBid = new Map<number, number>();
  private readonly lastAsk = new Map<number, number>();
  private msgId = 1;

  constructor(creds?: CTraderCredentials, env = process.env) {
    this.creds = creds ?? ctraderCredentialsFromEnv(env);
    this.url = env.CTRADER_ENV === 'live' ? 'wss://live.ctraderapi.com:5036' : 'wss://demo.ctraderapi.com:5036';
  }

  venueSymbol(symbol: InstrumentId): string {
    return spellSymbol(symbol, CTRADER_SYMBOL_STYLE);
  }

  subscribeFrames(subs: readonly Subscription[]): string[] {
    // Quotes only: cTrader's spot stream has no trades. Ids are learnt afresh on every connection.
    this.wanted = [...new Set(subs.filter((s) => s.channel === 'quotes').map((s) => s.symbol))];
    this.lastBid.clear();
    this.lastAsk.clear();
    const account = this.creds.accountId;
    return [
      ctraderFrame(
        CTRADER.APPLICATION_AUTH_REQ,
        { clientId: this.creds.clientId, clientSecret: this.creds.clientSecret },
        `m${this.msgId++}`,
      ),
      ctraderFrame(CTRADER.ACCOUNT_AUTH_REQ, { ctidTraderAccountId: account, accessToken: this.creds.accessToken }, `m${this.msgId++}`),
      ctraderFrame(CTRADER.SYMBOLS_LIST_REQ, { ctidTraderAccountId: account, includeArchivedSymbols: false }, `m${this.msgId++}`),
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
      ? [ctraderFrame(CTRADER.UNSUBSCRIBE_SPOTS_REQ, { ctidTraderAccountId: this.creds.accountId, symbolId: ids }, `m${this.msgId++}`)]
      : [];
  }

  parse(frame: string, recvTs: number, out: MarketRecord[], gaps: GapEvent[]): FrameOutcome {
    return guardedParse(this.parseFrame, frame, recvTs, out, gaps);
  }

  private readonly parseFrame = (frame: string, recvTs: number, out: MarketRecord[], _gaps: GapEvent[]): FrameOutcome => {
    const m = readJsonObject<CTraderMessage>(frame);
    if (m === 'not JSON') return { kind: 'error', message: m };
    if (typeof m === 'string' || typeof m.payloadType !== 'number') return { kind: 'error', message: 'no payloadType' };
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
          bid: bid / CTRADER_PRICE_SCALE,
          bidSize: Number.NaN,
          ask: ask / CTRADER_PRICE_SCALE,
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
          frames: [
            ctraderFrame(CTRADER.SUBSCRIBE_SPOTS_REQ, { ctidTraderAccountId: this.creds.accountId, symbolId: ids }, `m${this.msgId++}`),
          ],
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
}
