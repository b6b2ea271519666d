/**
 * Socket-level faults for the simulator's loopback venues, on a seeded schedule: a venue goes
 * away (port closed) or silent (socket open, nothing sent) for a few seconds, cuts every client
 * off, or sends a malformed or an oversized frame. The simulator's own faults (frozen prices, bad
 * prints, clock jumps) are about the data; these are about the transport, so that a long run
 * (`npm run soak`) exercises reconnection, idle deadlines and frame limits as a real venue would.
 * Off unless `simulator.chaos` is configured. Wall-clock timers: sockets live in real time.
 */
import { Rng } from '../core/random.ts';

const VENUE_FAULT_KINDS = ['down', 'silent', 'close', 'malformed', 'oversized'] as const;
export type VenueFaultKind = (typeof VENUE_FAULT_KINDS)[number];

/** What a loopback venue server offers for misbehaving (see LocalVenueServer). */
export interface ChaosTarget {
  misbehave(kind: 'close' | 'silent' | 'malformed' | 'oversized'): void;
  resume(): void;
  down(): Promise<void>;
  up(): Promise<void>;
}

export interface VenueChaosOptions {
  seed: number;
  /** Mean wall-clock time between faults (exponential gaps), over all venues together. */
  meanGapMs: number;
  /** How long a venue stays down or silent: uniform in this range (ms). */
  outageMs?: readonly [number, number];
}

export class VenueChaos {
  /** Faults injected so far, by kind. */
  readonly injected: Record<VenueFaultKind, number> = { down: 0, silent: 0, close: 0, malformed: 0, oversized: 0 };
  private readonly rng: Rng;
  private readonly names: string[];
  private timer: NodeJS.Timeout | undefined;
  /** The venue now down or silent (one at a time, so some venue always serves each instrument). */
  private outage: { venue: string; kind: 'down' | 'silent'; timer: NodeJS.Timeout } | undefined;
  private stopped = false;

  constructor(
    private readonly targets: ReadonlyMap<string, ChaosTarget>,
    private readonly opts: VenueChaosOptions,
  ) {
    this.rng = new Rng(opts.seed ^ 0xc4a05);
    this.names = [...targets.keys()].sort();
  }

  start(): void {
    if (this.names.length === 0) return;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inject();
      this.schedule();
    }, this.rng.exponential(this.opts.meanGapMs));
    this.timer.unref();
  }

  private inject(): void {
    const venue = this.names[this.rng.int(this.names.length)] as string;
    const kind = VENUE_FAULT_KINDS[this.rng.int(VENUE_FAULT_KINDS.length)] as VenueFaultKind;
    const target = this.targets.get(venue) as ChaosTarget;
    if (kind === 'down' || kind === 'silent') {
      if (this.outage) return; // one outage at a time
      const [lo, hi] = this.opts.outageMs ?? [3_000, 20_000];
      const timer = setTimeout(() => void this.endOutage(), this.rng.uniform(lo, hi));
      timer.unref();
      this.outage = { venue, kind, timer };
      if (kind === 'down') void target.down();
      else target.misbehave('silent');
    } else {
      target.misbehave(kind);
    }
    this.injected[kind]++;
  }

  private async endOutage(): Promise<void> {
    const o = this.outage;
    if (!o) return;
    this.outage = undefined;
    clearTimeout(o.timer);
    const target = this.targets.get(o.venue) as ChaosTarget;
    if (o.kind === 'down') await target.up();
    else target.resume();
  }

  /** Stops injecting and brings back a venue that is down or silent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.endOutage();
  }
}
