/**
 * Whether the process is taking in a burst of new connections. libuv (since 1.45) accepts one
 * connection per event-loop turn, so a loop whose turns are long accepts slowly: at speed 1000 the
 * simulator's 10-ms slices and the venue reads that follow made turns of about 25 ms, and the 450
 * WebSocket clients that reconnect after a restart took 11–13 s to get in, with a health check's
 * new connection queued behind them. Work that can wait (the simulator catching up) gives the loop
 * a turn after each step while connections keep arriving, so the turns are short until the queue
 * is empty. Process-wide by nature, hence one shared signal; `note` from the server's
 * 'connection' event, `active` for whoever should give way.
 */
export class AcceptBurst {
  private last = Number.NEGATIVE_INFINITY;

  /** `windowMs`: how long after the last accepted connection the burst is taken to go on. */
  constructor(private readonly windowMs = 50) {}

  /** A connection was accepted now. */
  readonly note = (): void => {
    this.last = performance.now();
  };

  /** A connection was accepted within the window: connections are probably still queued. */
  readonly active = (): boolean => performance.now() - this.last < this.windowMs;
}
