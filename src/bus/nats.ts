import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EmpEvent, GapEvent } from '../core/events.ts';
import type { MarketRecord } from '../core/market.ts';
import { type EventBus, type EventFilter, type EventHandler, matches, subjectOf } from './bus.ts';

/** Publishes awaiting acknowledgement at once, per connection. */
const MAX_INFLIGHT = 1024;
/** Publishes waiting for the window at most (about 100 MB of JSON at worst). */
const MAX_QUEUED = 500_000;
/**
 * How long a publish waits for its acknowledgement (ms; the client's default is 5 s). A publish
 * reaches the server at once, but its ack is read only when the event loop turns: behind a
 * start-up's history analysis (several seconds of CPU in one stretch) the 5-s timers fired before
 * the acks were read, and a whole window of stored publishes was counted as failed.
 */
const ACK_TIMEOUT_MS = 30_000;
/** Longest run of consumed messages handled before the event loop gets a turn (ms). */
const SLICE_MS = 10;
/** Lets the event loop run its sockets and timers once; resolves with the time it resumed. */
const nextTurn = (): Promise<number> => new Promise((r) => setImmediate(() => r(performance.now())));

export interface NatsBusOptions {
  servers?: string;
  /** Stream name and subject prefix (tests use their own). */
  stream?: string;
  /** Keep at most this long in the stream (ms; default one hour). */
  maxAgeMs?: number;
  /** Keep at most this many bytes in the stream (oldest dropped first; default unlimited). */
  maxBytes?: number;
  /** Called when a consumer fails (it is also counted in stats.consumerErrors). */
  onError?: (err: unknown) => void;
}

/**
 * Scale-out bus on NATS JetStream: events are published to `<prefix>.out.<type>.<symbol>` in one
 * stream, so consumers in other processes can replay recent history and then follow live. The
 * same stream carries the ingest role's venue records on `<prefix>.records.<venue>.<instrument>`
 * (`publishRecord`), read by the analyze role through durable consumers (`consumeRecords`).
 * Publishing is fire-and-forget from the hot path; acks are awaited in the background, and
 * failures are counted.
 */
export class NatsJetStreamBus implements EventBus {
  /** `publishDropped`: publishes given up because more than MAX_QUEUED were waiting for the window. */
  readonly stats = {
    published: 0,
    acked: 0,
    publishErrors: 0,
    publishDropped: 0,
    received: 0,
    decodeErrors: 0,
    consumerErrors: 0,
    consumersCreated: 0,
  };
  private readonly consumers: (() => Promise<void>)[] = [];
  /**
   * Publishes awaiting their acknowledgement, at most MAX_INFLIGHT; the rest wait in order. With
   * no window a burst (the start-up history: tens of thousands of events) put every publish in
   * flight at once, all of them timed out, and consumers on the same connection stalled.
   */
  private inflightCount = 0;
  private readonly waiting: ({ subject: string; data: string; msgID?: string } | undefined)[] = [];
  private waitHead = 0;
  private idleWaiters: (() => void)[] = [];
  /**
   * False from the connection's `disconnect` until its `reconnect`. A request sent on a connection
   * that drops is never answered (the client discards what it had not written, and a reply to the
   * old connection is lost), so it used to hold its window slot until its 30-s ack timeout: at a
   * NATS restart the whole window (1,024) was lost requests, and every publish of those 30 s
   * queued behind it (≈25 MB of JSON at the soak's ~1,000 events/s) and was then sent in one
   * burst. While disconnected nothing is sent; publishes wait (bounded by MAX_QUEUED) for the reconnect.
   */
  private connected = true;
  /** Bumped at each disconnect: a settlement from an earlier generation no longer owns a window slot. */
  private generation = 0;
  /**
   * One per live ordered consumer: closes it, so its subscription makes a new one after the last
   * message handled. Called at each reconnect: the client's own re-creation of an ordered consumer
   * after a server restart (@nats-io/jetstream 3.4) keeps the old pull's pending count and waits for
   * two missed 15-s heartbeats before it asks again, so subscribers heard nothing for ~45 s.
   */
  private readonly followers = new Set<() => void>();
  /** Subscriptions whose start point is not fixed yet. */
  private readonly starting = new Set<Promise<void>>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    readonly prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.disconnected();
        else if (s.type === 'reconnect') {
          this.connected = true;
          this.pump();
          for (const restart of this.followers) restart();
        }
      }
      // Reported, never an unhandled rejection that would end the process.
    })().catch((err: unknown) => this.onError(err));
  }

  /**
   * The requests in flight are given up: counted as failed now (their acks cannot come) and their
   * slots freed, so the publishes that wait go out as soon as the connection is back.
   */
  private disconnected(): void {
    this.connected = false;
    this.generation++;
    this.stats.publishErrors += this.inflightCount;
    this.inflightCount = 0;
    // A drain under way (closing) does not wait for a reconnect that may not come.
    if (this.idleWaiters.length > 0) this.giveUpWaiting();
    this.settleIdle();
  }

  /** Publishes waiting for the window or the connection are given up, counted as failed. */
  private giveUpWaiting(): void {
    for (let i = this.waitHead; i < this.waiting.length; i++) if (this.waiting[i]) this.stats.publishErrors++;
    this.waiting.length = 0;
    this.waitHead = 0;
  }

  static async connect(opts: NatsBusOptions = {}): Promise<NatsJetStreamBus> {
    const name = opts.stream ?? 'EMP';
    const prefix = name.toLowerCase();
    const servers = opts.servers ?? '127.0.0.1:4222';
    // Reconnect for as long as it takes (the client's default gives up after ten attempts, about
    // 20 s): a role must come back with NATS, not run on deaf.
    // No async traces: with them every publish (a request awaiting its ack) built two Error
    // objects with stack traces up front, a sixth of the service's CPU under load.
    const nc = await connect({ servers, name: 'emp', maxReconnectAttempts: -1, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(nc);
      const config = {
        name,
        subjects: [`${prefix}.>`],
        retention: RetentionPolicy.Limits,
        max_age: (opts.maxAgeMs ?? 3_600_000) * 1e6,
        max_bytes: opts.maxBytes ?? -1,
      };
      try {
        await jsm.streams.info(name);
        await jsm.streams.update(name, config);
      } catch {
        await jsm.streams.add(config);
      }
      return new NatsJetStreamBus(nc, jetstream(nc), jsm, name, prefix, opts.onError ?? (() => {}));
    } catch (err) {
      // A connection that reconnects for ever would keep the caller's process alive.
      await nc.close().catch(() => {});
      throw err;
    }
  }

  publish(event: EmpEvent): void {
    this.stats.published++;
    this.send(subjectOf(`${this.prefix}.out`, event), JSON.stringify(event));
  }

  /**
   * Publishes a venue record (or a gap it revealed) on `<prefix>.records.<venue>.<instrument>`,
   * the instrument being the fused one it contributes to. `msgId` is the record's identity:
   * JetStream drops a second copy within its duplicate window (a reconnect's re-sent trades,
   * or two ingest processes on the same venue).
   */
  publishRecord(instrument: string, record: MarketRecord | GapEvent, msgId: string): void {
    this.stats.published++;
    const subject = `${this.prefix}.records.${subjectToken(record.venue)}.${subjectToken(instrument)}`;
    this.send(subject, JSON.stringify(record), msgId);
  }

  private send(subject: string, data: string, msgID?: string): void {
    if (!this.connected || this.inflightCount >= MAX_INFLIGHT) {
      if (this.waiting.length - this.waitHead >= MAX_QUEUED) {
        // Bounded: the oldest waiting publish goes, counted.
        this.waiting[this.waitHead++] = undefined;
        this.stats.publishDropped++;
      }
      this.waiting.push({ subject, data, msgID });
      return;
    }
    this.inflightCount++;
    const generation = this.generation;
    this.js.publish(subject, data, msgID === undefined ? { timeout: ACK_TIMEOUT_MS } : { msgID, timeout: ACK_TIMEOUT_MS }).then(
      () => {
        this.stats.acked++;
        // Given up at a disconnect (counted failed then) and acknowledged after all.
        if (generation !== this.generation) this.stats.publishErrors--;
        else this.release();
      },
      () => {
        if (generation !== this.generation) return;
        this.stats.publishErrors++;
        this.release();
      },
    );
  }

  private release(): void {
    this.inflightCount--;
    this.pump();
  }

  /** Sends waiting publishes while the window has room and the connection is up. */
  private pump(): void {
    while (this.connected && this.inflightCount < MAX_INFLIGHT && this.waitHead < this.waiting.length) {
      const w = this.waiting[this.waitHead];
      this.waiting[this.waitHead++] = undefined;
      if (w) this.send(w.subject, w.data, w.msgID);
    }
    if (this.waitHead > 4096 && this.waitHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitHead);
      this.waitHead = 0;
    }
    this.settleIdle();
  }

  /** Nothing in flight and nothing waiting. */
  private get idle(): boolean {
    return this.inflightCount === 0 && this.waitHead >= this.waiting.length;
  }

  private settleIdle(): void {
    if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Waits until every publish so far is acknowledged (or failed). While the connection is down,
   * the publishes waiting for it are given up (counted as failed) rather than waited for.
   */
  async drain(): Promise<void> {
    if (!this.connected) this.giveUpWaiting();
    if (this.idle) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
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
    const subject = filter.types?.length === 1 ? `${this.prefix}.out.${filter.types[0]}.>` : `${this.prefix}.out.>`;
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
          if (stopped) {
            // Unsubscribed while the consumer was being made. The client settles a close through
            // the messages' iterator, so an iterator never read never closes: a start that failed
            // right after subscribing (a port in use) hung for ever in the bus's close.
            const closing = stop();
            for await (const _ of messages) {
              // discarded: unsubscribed
            }
            return closing;
          }
          const restart = (): void => void stop().catch(() => {});
          this.followers.add(restart);
          let sliceStart = performance.now();
          try {
            for await (const m of messages) {
              lastSeq = m.seq;
              let event: EmpEvent | undefined;
              try {
                event = m.json<EmpEvent>();
              } catch {
                this.stats.decodeErrors++;
              }
              if (event !== undefined) {
                this.stats.received++;
                if (matches(filter, event)) handler(event);
              }
              // Buffered messages are iterated in microtasks, which never let the event loop turn: a
              // backlog (the start-up history) starved every socket and timer of the process for tens
              // of seconds. Give it a turn every SLICE_MS.
              if (performance.now() - sliceStart > SLICE_MS) sliceStart = await nextTurn();
            }
          } finally {
            this.followers.delete(restart);
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

  /**
   * Reads one instrument's records through the durable consumer `durable` (created on first use,
   * delivering from the start of the stream). Acknowledgement is cumulative (AckPolicy.All) and
   * left to the caller (`RecordFeed.ack`): a process killed before acknowledging gets the
   * unacknowledged records again when it comes back. Records redelivered while the process runs
   * (ack_wait elapsed) are recognized by their stream sequence and skipped.
   */
  async consumeRecords(
    instrument: string,
    durable: string,
    handler: (record: MarketRecord | GapEvent, seq: number) => void,
  ): Promise<RecordFeed> {
    const subject = `${this.prefix}.records.*.${subjectToken(instrument)}`;
    // Records a killed process had received but not acknowledged would come back only after
    // ack_wait, behind newer ones; a process taking the consumer over wants them first. NATS 2.9
    // cannot rewind a consumer, so it is made again from its acknowledged floor (if the process
    // dies in between, the next one starts from the stream's beginning and skips what is stored).
    let ackFloor = 0;
    try {
      ackFloor = (await this.jsm.consumers.info(this.stream, durable)).ack_floor.stream_seq;
      await this.jsm.consumers.delete(this.stream, durable);
    } catch {
      // none yet
    }
    await this.jsm.consumers.add(this.stream, {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.All,
      ...(ackFloor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: ackFloor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      // A record stays unacknowledged until the one-minute bar it went into is stored (about
      // a minute and a flush); redelivery before that would only be skipped.
      ack_wait: 5 * 60_000 * 1e6,
      max_ack_pending: 1_000_000,
    });
    const consumer = await this.js.consumers.get(this.stream, durable);
    const messages = await consumer.consume({ max_messages: 1000 });
    const feed = new RecordFeed(() => messages.close());
    let last = 0;
    const done = (async () => {
      let sliceStart = performance.now();
      for await (const m of messages) {
        // As in subscribe(): a backlog iterated in microtasks starves the process; a turn every SLICE_MS.
        if (performance.now() - sliceStart > SLICE_MS) sliceStart = await nextTurn();
        if (m.seq <= last) continue;
        last = m.seq;
        let record: MarketRecord | GapEvent;
        try {
          record = m.json<MarketRecord | GapEvent>();
        } catch {
          this.stats.decodeErrors++;
          continue;
        }
        this.stats.received++;
        feed.delivered(m, 'recvTs' in record ? record.recvTs : record.ts);
        handler(record, m.seq);
      }
    })().catch((err: unknown) => {
      this.stats.consumerErrors++;
      this.onError(err);
    });
    this.consumers.push(async () => {
      await feed.close();
      await done;
    });
    return feed;
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

/** Venue and instrument names as subject tokens (`.`, `*`, `>` and spaces are reserved). */
function subjectToken(s: string): string {
  return s.replace(/[.*> ]/g, '_');
}

/** One durable consumer's delivered, not yet acknowledged records. */
export class RecordFeed {
  private readonly unacked: { m: JsMsg; ts: number }[] = [];
  private closed = false;

  constructor(private readonly closer: () => Promise<unknown>) {}

  /** `ts`: the record's receipt time at ingest, the clock its bars are built on. */
  delivered(m: JsMsg, ts: number): void {
    this.unacked.push({ m, ts });
  }

  /** Records delivered and not acknowledged yet. */
  get pending(): number {
    return this.unacked.length;
  }

  /**
   * Acknowledges the records delivered so far received before `before`, up to the first that
   * was not (cumulative: one ack of the last covers them all). Returns how many.
   */
  ack(before: number): number {
    let n = 0;
    while (n < this.unacked.length && (this.unacked[n] as { ts: number }).ts < before) n++;
    if (n === 0 || this.closed) return 0;
    (this.unacked[n - 1] as { m: JsMsg }).m.ack();
    this.unacked.splice(0, n);
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closer();
  }
}
