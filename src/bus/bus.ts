/**
 * The event bus between the ingest side (sources → fusion → bars) and the consumers
 * (analysis, API, store). In one process it is a plain synchronous dispatcher; scaled out,
 * NATS JetStream carries the same events between processes.
 */
import type { EmpEvent, EmpEventType } from '../core/events.ts';

export type EventHandler = (event: EmpEvent) => void;

export interface EventFilter {
  /** Event types to receive; all when omitted. */
  types?: readonly EmpEventType[];
  /** Instruments to receive; all when omitted. Events without a symbol always pass. */
  symbols?: readonly string[];
}

export interface EventBus {
  publish(event: EmpEvent): void;
  /** Returns an unsubscribe function. */
  subscribe(filter: EventFilter, handler: EventHandler): () => void;
  /**
   * Resolves once every subscription made so far is certain to receive each event published
   * from then on (a remote consumer may still be being created; its start point is fixed).
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The subject an event travels on: `emp.<type>.<symbol>` (`_` when it has none). */
export function subjectOf(prefix: string, event: EmpEvent): string {
  const symbol = 'symbol' in event && event.symbol ? event.symbol : '_';
  return `${prefix}.${event.type}.${symbol}`;
}

export function matches(filter: EventFilter, event: EmpEvent): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.symbols && 'symbol' in event && event.symbol && !filter.symbols.includes(event.symbol)) return false;
  return true;
}

/**
 * In-process bus: handlers are called synchronously, in subscription order, indexed by
 * event type so a publish touches only interested handlers. A throwing handler is reported
 * and does not stop delivery to the others.
 */
export class InProcessBus implements EventBus {
  private readonly byType = new Map<EmpEventType | '*', { filter: EventFilter; handler: EventHandler }[]>();
  readonly stats = { published: 0, handlerErrors: 0 };

  constructor(private readonly onHandlerError: (err: unknown, event: EmpEvent) => void = () => {}) {}

  publish(event: EmpEvent): void {
    this.stats.published++;
    this.deliver(this.byType.get(event.type), event);
    this.deliver(this.byType.get('*'), event);
  }

  subscribe(filter: EventFilter, handler: EventHandler): () => void {
    const entry = { filter, handler };
    const keys: (EmpEventType | '*')[] = filter.types ? [...filter.types] : ['*'];
    for (const k of keys) {
      const list = this.byType.get(k) ?? [];
      list.push(entry);
      this.byType.set(k, list);
    }
    return () => {
      for (const k of keys) {
        const list = this.byType.get(k);
        if (list)
          this.byType.set(
            k,
            list.filter((e) => e !== entry),
          );
      }
    };
  }

  /** Synchronous delivery: a subscription is live as soon as it is made. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.byType.clear();
  }

  private deliver(list: { filter: EventFilter; handler: EventHandler }[] | undefined, event: EmpEvent): void {
    if (!list) return;
    for (const { filter, handler } of list) {
      if (filter.symbols && !matches(filter, event)) continue;
      try {
        handler(event);
      } catch (err) {
        this.stats.handlerErrors++;
        this.onHandlerError(err, event);
      }
    }
  }
}

/**
 * Publishes to a local bus and a remote one, and subscribes locally only: the analyze role's
 * store writer sees its own process's events at once (so it knows when they are committed), while
 * the remote bus carries them to the gateways. Handlers never receive other processes' events.
 */
export class LocalFirstBus implements EventBus {
  constructor(
    private readonly local: EventBus,
    readonly remote: EventBus,
  ) {}

  publish(event: EmpEvent): void {
    this.local.publish(event);
    this.remote.publish(event);
  }

  subscribe(filter: EventFilter, handler: EventHandler): () => void {
    return this.local.subscribe(filter, handler);
  }

  async ready(): Promise<void> {
    await this.local.ready();
    await this.remote.ready();
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.remote.close();
  }
}
