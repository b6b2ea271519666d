/**
 * One long-lived HTTP response read as a stream of lines (OANDA's pricing stream: chunked JSON
 * lines with a heartbeat every few seconds), kept alive like a WebSocket venue: reconnection with
 * capped exponential backoff and full jitter, an idle deadline (no line for `idleDeadlineMs` ⇒
 * the stream is presumed dead and reopened), the subscription in every new request. Lines are
 * parsed by the source's pure codec; bad lines, refused requests and oversized lines are counted
 * and reported, never thrown.
 */
import type { GapEvent } from '../core/events.ts';
import type { MarketRecord } from '../core/market.ts';
import type { LineStreamCodec } from './codec.ts';
import { type BackoffOptions, backoffDelay, type ConnectionHealth, FeedBase, type FeedConnection } from './connection.ts';

export interface HttpStreamOptions {
  idleDeadlineMs?: number;
  connectTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Longer lines are dropped and counted (default 1 MiB). */
  maxLineBytes?: number;
  clock?: () => number;
  random?: () => number;
}

export class HttpStreamConnection extends FeedBase implements FeedConnection {
  private stopped = true;
  private attempt = 0;
  private readonly counts = { reconnects: 0, errors: 0, badFrames: 0, idleTimeouts: 0, gaps: 0, lines: 0 };
  private lastLine = Number.NaN;
  private abort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly out: MarketRecord[] = [];
  private readonly gaps: GapEvent[] = [];
  private readonly o: Required<HttpStreamOptions>;

  constructor(
    readonly codec: LineStreamCodec,
    options: HttpStreamOptions = {},
  ) {
    super();
    this.o = {
      idleDeadlineMs: 10_000,
      connectTimeoutMs: 5_000,
      backoff: { baseMs: 250, maxMs: 30_000 },
      maxLineBytes: 1 << 20,
      clock: Date.now,
      random: Math.random,
      ...options,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.abort?.abort();
    await this.running?.catch(() => {});
    this.setState('closed', 'stopped');
  }

  health(): ConnectionHealth {
    return {
      venue: this.codec.venue,
      state: this.state,
      reconnects: this.counts.reconnects,
      lastMessageAgeMs: Number.isNaN(this.lastLine) ? null : Math.max(0, Date.now() - this.lastLine),
      messagesPerSec: 0,
      errors: this.counts.errors,
      badFrames: this.counts.badFrames,
      idleTimeouts: this.counts.idleTimeouts,
      gaps: this.counts.gaps,
    };
  }

  protected now(): number {
    return this.o.clock();
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const abort = new AbortController();
    this.abort = abort;
    this.running = this.read(abort).then(
      (reason) => this.closed(abort, reason),
      (err: Error) => this.closed(abort, abort.signal.aborted ? String(abort.signal.reason ?? 'aborted') : err.message),
    );
  }

  private closed(abort: AbortController, reason: string): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.stopped || abort !== this.abort) return;
    this.setState('reconnecting', reason);
    const delay = backoffDelay(this.attempt++, this.o.backoff, this.o.random);
    this.counts.reconnects++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Reads one response to its end; resolves with why it ended. */
  private async read(abort: AbortController): Promise<string> {
    const { url, headers } = this.codec.request();
    const connectTimer = setTimeout(() => abort.abort('connect timeout'), this.o.connectTimeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: abort.signal });
    } finally {
      clearTimeout(connectTimer);
    }
    if (!res.ok || !res.body) {
      const body = (await res.text().catch(() => '')).slice(0, 200);
      this.counts.errors++;
      this.errorCb(`${this.codec.venue}: HTTP ${res.status}: ${body}`, 'socket');
      return `HTTP ${res.status}`;
    }
    this.lastLine = Date.now();
    this.setState('open');
    const idle = this.o.idleDeadlineMs;
    this.idleTimer = setInterval(
      () => {
        if (Date.now() - this.lastLine > idle) {
          this.counts.idleTimeouts++;
          this.counts.errors++;
          this.errorCb(`${this.codec.venue}: recycling stream: no line for ${idle} ms`, 'recycle');
          abort.abort(`no line for ${idle} ms`);
        }
      },
      Math.max(10, idle / 4),
    );
    this.idleTimer.unref();
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.onLine(line);
        nl = buf.indexOf('\n');
      }
      if (buf.length > this.o.maxLineBytes) {
        this.counts.badFrames++;
        this.counts.errors++;
        this.errorCb(`${this.codec.venue}: line longer than ${this.o.maxLineBytes} bytes dropped`, 'frame');
        buf = '';
      }
    }
    return 'stream ended';
  }

  private onLine(line: string): void {
    this.lastLine = Date.now();
    this.counts.lines++;
    this.out.length = 0;
    this.gaps.length = 0;
    const outcome = this.codec.parse(line, this.o.clock(), this.out, this.gaps);
    if (outcome.kind === 'data') {
      this.attempt = 0;
      for (const r of this.out) this.recordCb(r);
    } else if (outcome.kind === 'heartbeat') {
      this.attempt = 0;
    } else if (outcome.kind === 'error') {
      this.counts.badFrames++;
      this.counts.errors++;
      this.errorCb(`${this.codec.venue}: bad line: ${outcome.message}: ${line.slice(0, 200)}`, 'frame');
    }
    this.counts.gaps += this.gaps.length;
    for (const g of this.gaps) this.gapCb(g);
  }
}
