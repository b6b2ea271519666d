/**
 * The market's variance rate (bps² per ms): how fast a price observation ages. Measured from
 * increments of the consensus price over HORIZON_MS (long enough that the market's moves, not the
 * consensus's own error, dominate each increment), one snapshot per SNAP_MS with overlapping
 * windows. The squared increments and the consensus's error variance are averaged apart and
 * differenced after: clipping each sample's difference at zero would bias the rate up wherever
 * the error is comparable to the moves. Increments far beyond the current rate (jumps) are
 * clipped, so one jump does not make every observation look old.
 *
 * O(RING) per snapshot, no allocation.
 */
const HORIZON_MS = 20_000;
const SNAP_MS = 1000;
const RING = 32;
/** Memory of the averages (per sample): with overlapping windows, about ten minutes at one a second. */
const ALPHA = 0.004;
/** Samples before the horizon and the clipping apply (a short horizon while warming up). */
const WARMUP = 10;

export class VarianceRate {
  /** bps² per ms; 0 until measured. */
  rate = 0;
  samples = 0;
  private sq = 0;
  private err = 0;
  private dt = 0;
  /** Snapshots: (time, price, variance of that price in bps²) × RING. */
  private readonly ring = new Float64Array(RING * 3).fill(Number.NaN);
  private head = 0;
  private lastSnap = Number.NEGATIVE_INFINITY;

  /** The consensus price at `now` and its variance (bps²). */
  observe(now: number, price: number, varBps2: number): void {
    if (now - this.lastSnap < SNAP_MS || !(price > 0)) return;
    const horizon = this.samples < WARMUP ? SNAP_MS * 2 : HORIZON_MS;
    // The newest snapshot at least the horizon old.
    const ring = this.ring;
    let best = -1;
    for (let k = 0; k < RING; k++) {
      const ts = ring[k * 3] as number;
      if (Number.isFinite(ts) && now - ts >= horizon && (best < 0 || ts > (ring[best * 3] as number))) best = k;
    }
    if (best >= 0) {
      const dt = now - (ring[best * 3] as number);
      const then = ring[best * 3 + 1] as number;
      const d = ((price - then) / then) * 1e4;
      const errVar = varBps2 + (ring[best * 3 + 2] as number);
      let sq = d * d;
      if (this.samples >= WARMUP) sq = Math.min(sq, 9 * (this.rate * dt + errVar));
      this.samples++;
      const a = Math.max(ALPHA, 1 / this.samples);
      this.sq += a * (sq - this.sq);
      this.err += a * (errVar - this.err);
      this.dt += a * (dt - this.dt);
      this.rate = Math.max(this.sq - this.err, 0.1 * this.sq) / this.dt;
    }
    const k = this.head;
    ring[k * 3] = now;
    ring[k * 3 + 1] = price;
    ring[k * 3 + 2] = varBps2;
    this.head = (k + 1) % RING;
    this.lastSnap = now;
  }
}
