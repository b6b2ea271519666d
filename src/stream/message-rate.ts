/**
 * Messages per second over the last full window of about a second: counted as messages arrive,
 * the window closed on the first message a second after it opened, or, when asked, after two
 * seconds (a feed gone quiet reads 0 rather than its last busy second).
 */
export class MessageRate {
  private windowCount = 0;
  private rate = 0;

  /** `windowStart`: when the first window opens (0: the first message closes it at once). */
  constructor(private windowStart = 0) {}

  /** One message at `now` (ms). */
  count(now: number): void {
    this.windowCount++;
    if (now - this.windowStart >= 1000) this.roll(now);
  }

  /** Messages per second as of `now`. */
  perSecond(now: number): number {
    if (now - this.windowStart >= 2000) this.roll(now);
    return this.rate;
  }

  private roll(now: number): void {
    this.rate = (this.windowCount * 1000) / Math.max(1, now - this.windowStart);
    this.windowStart = now;
    this.windowCount = 0;
  }
}
