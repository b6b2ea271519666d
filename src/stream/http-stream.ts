/**
 * One long-lived HTTP response read as a stream of lines (OANDA's pricing stream: chunked JSON
 * lines with a heartbeat every few seconds), kept alive like a WebSocket venue: reconnection with
 * capped exponential backoff and full jitter, an idle deadline (no line for `idleDeadlineMs` ⇒
 * the stream is presumed dead and reopened), the subscription in every new request. Lines are
 * parsed by the source's pure codec; bad lines, refused requests and oversized lines are counted
 * and reported, never thrown.
 */
import type { LineStreamCodec } from './codec.ts';
import { type FeedConnection, ReconnectingFeed, type ReconnectOptions } from './connection.ts';

export interface HttpStreamOptions extends ReconnectOptions {
  /** Longer lines are dropped and counted (default 1 MiB). */
  maxLineBytes?: number;
}

export class HttpStreamConnection extends ReconnectingFeed implements FeedConnection {
  private abort: AbortController | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly maxLineBytes: number;

  constructor(
    readonly codec: LineStreamCodec,
    options: HttpStreamOptions = {},
  ) {
    super(options);
    this.maxLineBytes = options.maxLineBytes ?? 1 << 20;
  }

  async stop(): Promise<void> {
    this.halt();
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.abort?.abort();
    await this.running?.catch(() => {});
    this.setState('closed', 'stopped');
  }

  protected connect(): void {
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
    this.reconnectLater(reason);
  }

  /** Reads one response to its end; resolves with why it ended. */
  private async read(abort: AbortController): Promise<string> {
    const { url, headers } = this.codec.request();
    const connectTimer = setTimeout(() => abort.abort('connect timeout'), this.timing.connectTimeoutMs);
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
    this.arrived();
    this.setState('open');
    const idle = this.timing.idleDeadlineMs;
    this.idleTimer = setInterval(
      () => {
        if (Date.now() - this.lastMessage > idle) {
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
      if (buf.length > this.maxLineBytes) {
        this.badMessage(`line longer than ${this.maxLineBytes} bytes dropped`);
        buf = '';
      }
    }
    return 'stream ended';
  }

  private onLine(line: string): void {
    const outcome = this.deliver(line, 'line', (t, recvTs, out, gaps) => this.codec.parse(t, recvTs, out, gaps));
    // A heartbeat is a live stream too: the backoff starts over.
    if (outcome.kind === 'heartbeat') this.attempt = 0;
  }
}
