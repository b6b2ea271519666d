/**
 * Does a series' volume follow its volatility? The t statistic of the slope of log volume on a
 * local log volatility (the root mean square of the returns over the 21 bars around each one),
 * with the regression's errors taken as AR(1) and estimated with it (Cochrane–Orcutt).
 *
 * Why not a plain correlation: volume is persistent whether or not it carries information, and so
 * is volatility across regimes. Two persistent series that have nothing to do with each other
 * correlate by chance far more than 1/√n says (a regime-free AR(1) volume, φ = 0.97, against the
 * planted family's returns: correlation × √n from −5.7 to +5.5), so a correlation gate had to be
 * set high and opened late. Under the null here (volume independent of the returns, its own
 * deviations AR(1)), the statistic is about standard normal whatever the returns do: the local
 * volatility is a function of the returns alone, and the quasi-differencing takes out the volume's
 * own persistence. Where volume does follow volatility, the smoothed regressor tracks the regimes
 * closely and the statistic grows with every regime change the window holds.
 *
 * Scale-free: returns × c move every local log volatility by log c and volumes × c every log
 * volume by log c; neither changes the slope's t. Cost O(n) per call (a calibration's window).
 */

/** Bars on each side of a bar in its local volatility (the window is 2 × 10 + 1 bars). */
const HALF_WINDOW = 10;
/** Cochrane–Orcutt rounds: regression, AR(1) of its residuals, regression on the quasi-differences. */
const ROUNDS = 3;
/** The errors' autocorrelation is held below 1 (a unit root would leave nothing to regress). */
const MAX_PHI = 0.995;

/**
 * The slope's t statistic of `lv` (log volumes) on the local log volatility of `r` (returns),
 * first `n` of each; `scale` (the returns' typical size) sets the floor that keeps a run of zero
 * returns finite. 0 when either side does not vary.
 */
export function volumeEvidence(r: ArrayLike<number>, lv: ArrayLike<number>, n: number, scale: number): number {
  if (n < 3) return 0;
  const x = new Float64Array(n);
  const floor = (1e-3 * scale) ** 2;
  let sum = 0;
  let a = 0;
  let b = 0;
  // Running sum of squares over [a, b): the window around t, cut at the ends.
  for (let t = 0; t < n; t++) {
    const hi = Math.min(n, t + HALF_WINDOW + 1);
    const lo = Math.max(0, t - HALF_WINDOW);
    while (b < hi) sum += (r[b++] as number) ** 2;
    while (a < lo) sum -= (r[a++] as number) ** 2;
    x[t] = 0.5 * Math.log(Math.max(sum, 0) / (b - a) + floor);
  }
  let phi = 0;
  let t = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Least squares of y_t − φ y_{t−1} on 1 and x_t − φ x_{t−1}.
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    const m = n - 1;
    for (let i = 1; i < n; i++) {
      const xs = (x[i] as number) - phi * (x[i - 1] as number);
      const ys = (lv[i] as number) - phi * (lv[i - 1] as number);
      sx += xs;
      sy += ys;
      sxx += xs * xs;
      sxy += xs * ys;
      syy += ys * ys;
    }
    const vx = sxx - (sx * sx) / m;
    const vy = syy - (sy * sy) / m;
    // A side that does not vary (beyond rounding of its sums) says nothing.
    if (!(vx > 1e-12 * sxx && vy > 1e-12 * syy)) return 0;
    const cxy = sxy - (sx * sy) / m;
    const beta = cxy / vx;
    const rss = Math.max(vy - beta * cxy, 1e-12 * vy);
    t = beta / Math.sqrt(rss / (m - 2) / vx);
    // The residuals' AR(1) coefficient, on the levels: lv − α − β x with α = the intercept / (1 − φ).
    const alpha = (sy - beta * sx) / m / (1 - phi);
    let num = 0;
    let den = 0;
    let prev = (lv[0] as number) - alpha - beta * (x[0] as number);
    for (let i = 1; i < n; i++) {
      const e = (lv[i] as number) - alpha - beta * (x[i] as number);
      num += e * prev;
      den += prev * prev;
      prev = e;
    }
    phi = den > 0 ? Math.min(MAX_PHI, Math.max(0, num / den)) : 0;
  }
  return t;
}
