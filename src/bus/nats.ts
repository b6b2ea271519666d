import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EmpEvent } from '../core/events.ts';
import { type EventBus, type EventFilter, type EventHandler, matches, subjectOf } from './bus.ts';

export interface NatsBusOptions {
  servers?: string;
  /** Stream name and subject prefix (tests use their own). */
  stream?: string;
  /** Keep at most this long in the stream (ms). */
  maxAgeMs?: number;
  /** Called when a consumer fails (it is also counted in stats.consumerErrors). */
  onError?: (err: unknown) => void;
}

/**
 * Scale-out bus on NATS JetStream: events are published to `<prefix>.<type>.<symbol>` in one
 * stream, so consumers in other processes can replay recent history and then follow live.
 * Publishing is fire-and-forget from the hot path; acks are awaited in the background, and
 * failures are counted.
 */
export class NatsJetStreamBus implements EventBus {
  readonly stats = { published: 0, acked: 0, publishErrors: 0, received: 0, decodeErrors: 0, consumerErrors: 0, consumersCreated: 0 };
  private readonly consumers: (() => Promise<void>)[] = [];
  private inflight = new Set<Promise<unknown>>();
  /** Subscriptions whose start point is not fixed yet. */
  private readonly starting = new Set<Promise<void>>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  static async connect(opts: NatsBusOptions = {}): Promise<NatsJetStreamBus> {
    const name = opts.stream ?? 'EMP';
    const prefix = name.toLowerCase();
    const nc = await connect({ servers: opts.servers ?? '127.0.0.1:4222', name: 'emp' });
    const jsm = await jetstreamManager(nc);
    const config = {
      name,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      max_age: (opts.maxAgeMs ?? 3_600_000) * 1e6,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch {
      await jsm.streams.add(config);
    }
    return new NatsJetStreamBus(nc, jetstream(nc), jsm, name, prefix, opts.onError ?? (() => {}));
  }

  publish(event: EmpEvent): void {
    this.stats.published++;
    const p = this.js.publish(subjectOf(this.prefix, event), JSON.stringify(event)).then(
      () => {
        this.stats.acked++;
      },
      () => {
        this.stats.publishErrors++;
      },
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Waits until every publish so far is acknowledged (or failed). */
  async drain(): Promise<void> {
    await Promise.all([...this.inflight]);
  }

  /**
   * Follows new events matching the filter (an ordered, ephemeral consumer);
   * `replayFromMs` starts from that time instead, to warm a consumer from history. Every event
   * published after `ready()` resolves is delivered: the consumer starts at the stream's next
   * sequence as read at subscription, not at "new" as of whenever the server gets round to
   * creating it, and `ready()` waits until it exists.
   */
  subscribe(filter: EventFilter, handler: EventHandler, opts: { replayFromMs?: number } = {}): () => void {
    // One filter subject only: the NATS 2.9 servers of Debian 12 lack `filter_subjects` (2.10+);
    // several types are narrowed on this side by `matches`.
    const subject = filter.types?.length === 1 ? `${this.prefix}.${filter.types[0]}.>` : `${this.prefix}.>`;
    let stopped = false;
    let stop: () => Promise<void> = async () => {};
    let startFixed: () => void = () => {};
    const starting = new Promise<void>((resolve) => {
      startFixed = resolve;
    });
    this.starting.add(starting);
    void starting.then(() => this.starting.delete(starting));
    // The consumer is (re)created until unsubscribed: a creation that times out (the server busy
    // with a burst of publishes) or a consumer lost later must not leave this subscription dead.
    // Each attempt starts after the last message handled, so nothing is lost or repeated.
    const run = async (): Promise<void> => {
      let start: { deliver_policy: DeliverPolicy; opt_start_time?: string; opt_start_seq?: number } | undefined;
      let lastSeq = 0;
      for (let attempt = 0; !stopped; attempt++) {
        try {
          if (!start) {
            if (opts.replayFromMs !== undefined)
              start = { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(opts.replayFromMs).toISOString() };
            else {
              const info = await this.jsm.streams.info(this.stream);
              start = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: info.state.last_seq + 1 };
            }
          }
          const from = lastSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 } : start;
          const consumer = await this.js.consumers.get(this.stream, { filter_subjects: subject, ...from });
          const messages = await consumer.consume();
          this.stats.consumersCreated++;
          stop = async () => {
            await messages.close();
          };
          // Ready once the consumer exists: a burst published right after cannot starve its creation.
          startFixed();
          if (stopped) return stop();
          for await (const m of messages) {
            lastSeq = m.seq;
            let event: EmpEvent;
            try {
              event = m.json<EmpEvent>();
            } catch {
              this.stats.decodeErrors++;
              continue;
            }
            this.stats.received++;
            if (matches(filter, event)) handler(event);
          }
        } catch (err) {
          // Start is not held up by a consumer that cannot be created yet (counted, retried).
          startFixed();
          this.stats.consumerErrors++;
          this.onError(err);
          // A handful of quick retries, then one every few seconds.
          if (!stopped) await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(attempt, 6))));
        }
      }
    };
    const done = run();
    const unsubscribe = async (): Promise<void> => {
      stopped = true;
      await stop();
      await done;
    };
    this.consumers.push(unsubscribe);
    return () => void unsubscribe();
  }

  async ready(): Promise<void> {
    await Promise.all([...this.starting]);
  }

  /** Deletes the stream (tests). */
  async destroy(): Promise<void> {
    await this.jsm.streams.delete(this.stream);
  }

  async close(): Promise<void> {
    await this.drain();
    await Promise.all(this.consumers.map((c) => c()));
    await this.nc.drain();
  }
}
