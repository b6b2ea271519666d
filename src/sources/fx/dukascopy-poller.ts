/**
 * Near-real-time ticks from a Dukascopy-layout datafeed: every `pollMs` the current hour's file
 * of each instrument (and, just after the hour turns, the previous one) is fetched, decoded,
 * and the ticks newer than those already seen are emitted as quotes. Failures are counted and
 * retried on the next poll; the state goes `reconnecting` while polls fail.
 */
import type { InstrumentId } from '../../core/instrument.ts';
import { FeedBase, type FeedConnection } from '../../stream/connection.ts';
import { DUKASCOPY_URL, decodeBi5, dukascopyPath, tickQuote } from './dukascopy.ts';

const HOUR = 3_600_000;

export class DukascopyPoller extends FeedBase implements FeedConnection {
  readonly codec = { venue: 'dukascopy' };
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Map<InstrumentId, number>();
  private busy = false;

  constructor(
    private readonly instruments: readonly InstrumentId[],
    private readonly o: { baseUrl?: string; pollMs?: number; clock?: () => number } = {},
  ) {
    super();
  }

  protected now(): number {
    return (this.o.clock ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    const clock = this.o.clock ?? Date.now;
    // Start from now: history is `emp import`'s job.
    for (const id of this.instruments) this.seen.set(id, clock());
    this.setState('connecting');
    this.timer = setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.setState('closed', 'stopped');
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const now = this.now();
    const hour = Math.floor(now / HOUR) * HOUR;
    try {
      for (const id of this.instruments) {
        const since = this.seen.get(id) ?? now;
        for (const h of since < hour ? [hour - HOUR, hour] : [hour]) {
          const url = `${this.o.baseUrl ?? DUKASCOPY_URL}/${dukascopyPath(id, h)}`;
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
          if (res.status === 404) continue;
          if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
          let t: ReturnType<typeof decodeBi5>;
          try {
            t = decodeBi5(new Uint8Array(await res.arrayBuffer()), id, h, url);
          } catch (err) {
            this.badMessage((err as Error).message);
            continue;
          }
          let last = this.seen.get(id) ?? since;
          for (let i = 0; i < t.time.length; i++) {
            const ts = t.time[i] as number;
            if (ts <= last) continue;
            last = ts;
            this.arrived();
            this.recordCb(tickQuote(t, i, id, this.now()));
          }
          this.seen.set(id, last);
        }
      }
      this.setState('open');
    } catch (err) {
      this.counts.errors++;
      if (this.state === 'open') this.counts.reconnects++;
      this.setState('reconnecting', (err as Error).message);
      this.errorCb(`dukascopy: ${(err as Error).message}`, 'socket');
    } finally {
      this.busy = false;
    }
  }
}
