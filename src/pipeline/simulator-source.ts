import type { SourceStatusEvent } from '../core/events.ts';
import type { MarketSimulator } from '../sources/simulator/index.ts';
import { MessageRate } from '../stream/message-rate.ts';
import type { HistoryBars, RecordSource, SourceSink, VenueHealthSnapshot } from './stages.ts';

/** Counts a venue's traffic for its health: messages/s over the last full second, last message age. */
export class VenueTraffic {
  messages = 0;
  errors = 0;
  reconnects = 0;
  lastMessage = Number.NaN;
  state: SourceStatusEvent['state'] = 'connecting';
  private readonly rate = new MessageRate(Date.now());

  constructor(readonly venue: string) {}

  message(now: number): void {
    this.messages++;
    this.lastMessage = now;
    this.rate.count(now);
  }

  snapshot(now = Date.now()): VenueHealthSnapshot {
    return {
      venue: this.venue,
      state: this.state,
      reconnects: this.reconnects,
      lastMessageAgeMs: Number.isNaN(this.lastMessage) ? null : Math.max(0, now - this.lastMessage),
      messagesPerSec: this.rate.perSecond(now),
      errors: this.errors,
    };
  }
}

/**
 * The simulator's venues delivered in-process, paced in real time (no sockets). The default
 * service path goes through local venue sockets instead; this one serves tests and `--transport
 * memory`.
 */
export class SimulatorSource implements RecordSource {
  private readonly ac = new AbortController();
  private running: Promise<void> | undefined;
  private readonly traffic = new Map<string, VenueTraffic>();

  constructor(
    private readonly sim: MarketSimulator,
    private readonly speed: number,
  ) {
    for (const v of sim.config.venues) this.traffic.set(v.name, new VenueTraffic(v.name));
  }

  start(sink: SourceSink): void {
    for (const t of this.traffic.values()) {
      t.state = 'open';
      sink.status({ type: 'source_status', venue: t.venue, ts: Date.now(), state: 'open' });
    }
    this.running = (async () => {
      for await (const r of this.sim.stream({ speed: this.speed, signal: this.ac.signal, clock: 'simulated' })) {
        this.traffic.get(r.venue)?.message(Date.now());
        sink.record(r);
      }
    })();
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.running;
    for (const t of this.traffic.values()) t.state = 'closed';
  }

  health(): VenueHealthSnapshot[] {
    const now = Date.now();
    return [...this.traffic.values()].map((t) => t.snapshot(now));
  }

  history(from: number): HistoryBars[] {
    return this.sim.history(from);
  }

  /** Receipts are the simulation's own times: on the wall clock only at speed 1. */
  wallTime(ts: number): number {
    return this.speed === 1 ? ts : Number.NaN;
  }
}
