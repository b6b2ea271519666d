/**
 * What a start is waiting for. A start that takes long says so, and for what (the store, the bus,
 * the venues, the API, the history...), while it waits: a start that never ends then names the
 * step it is stuck in, which nothing else would (every step of a start is an await).
 */
export class StartProgress {
  private readonly pending = new Map<number, string>();
  private next = 0;

  /** `p`, its step named `what` while it is pending. */
  track<T>(what: string, p: Promise<T>): Promise<T> {
    const id = this.next++;
    this.pending.set(id, what);
    const done = (): void => {
      this.pending.delete(id);
    };
    p.then(done, done);
    return p;
  }

  /** The steps pending now, in the order they began. */
  waitingFor(): string[] {
    return [...this.pending.values()];
  }

  /**
   * Calls `report` every `everyMs` with the steps still pending, until the returned stop is
   * called. The timer does not keep the process alive.
   */
  watch(everyMs: number, report: (waitingFor: string[], elapsedMs: number) => void): () => void {
    const t0 = Date.now();
    const timer = setInterval(() => report(this.waitingFor(), Date.now() - t0), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
