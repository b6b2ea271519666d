/** The WebSocket API's messages: client requests are validated by these schemas. */
import { z } from 'zod';
import type { EmpEvent, EmpEventType } from '../core/events.ts';
import { TIMEFRAMES } from '../core/time.ts';

const TF = `(${TIMEFRAMES.join('|')})`;
const CHANNEL = new RegExp(`^(fused|signals|regimes|alerts|sources|conflicts|book|bars:${TF}|indicators:${TF})$`);

const channelSchema = z.string().regex(CHANNEL, {
  message: `unknown channel (expected fused, bars:<tf>, indicators:<tf>, signals, regimes, alerts, sources, conflicts, book; tf one of ${TIMEFRAMES.join(', ')})`,
});

export const clientMessageSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('subscribe'),
    channel: channelSchema,
    symbols: z.array(z.string().min(1).max(40)).max(200).optional(),
  }),
  z.strictObject({
    op: z.literal('unsubscribe'),
    channel: channelSchema,
    symbols: z.array(z.string().min(1).max(40)).max(200).optional(),
  }),
  z.strictObject({ op: z.literal('auth'), token: z.string().max(500) }),
  z.strictObject({ op: z.literal('ping'), id: z.union([z.string().max(100), z.number()]).optional() }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** The channel an event is published on, or undefined for events the API does not stream. */
export function channelOf(e: EmpEvent): string | undefined {
  const map: Partial<Record<EmpEventType, string>> = {
    fused: 'fused',
    signal: 'signals',
    regime: 'regimes',
    alert: 'alerts',
    source_health: 'sources',
    conflict: 'conflicts',
    consolidated_book: 'book',
  };
  if (e.type === 'bar') return `bars:${e.timeframe}`;
  if (e.type === 'indicators') return `indicators:${e.timeframe}`;
  return map[e.type];
}

/** Key under which the latest record of a channel is kept for snapshots. */
export function snapshotKey(e: EmpEvent): string {
  if (e.type === 'source_health') return e.venue;
  if ('symbol' in e && e.symbol) return e.symbol;
  return '_';
}
