/** Markov chains: the long-run distribution of a transition matrix, shared by the regime models and the simulator. */

/**
 * Long-run distribution of a row-stochastic k × k matrix (row-major), into `out`: π P = π, Σ π = 1,
 * solved exactly by state reduction (Grassmann–Taksar–Heyman: no subtractions, so sticky chains,
 * whose stays last thousands of bars, lose no digits; running the chain from uniform needs ever more
 * steps as stays lengthen). Where the reduction meets a state that cannot get back to the ones
 * before it (one it cannot leave; two closed classes, with no unique answer), it falls back to the
 * chain run `fallbackSteps` times from uniform.
 */
export function longRunDistribution(
  trans: ArrayLike<number>,
  k: number,
  out: Float64Array = new Float64Array(k),
  fallbackSteps = 10_000,
): Float64Array {
  const a = Float64Array.from({ length: k * k }, (_, i) => trans[i] as number);
  // Fold the last state into the others, one at a time: a[i][n] becomes the expected visits to n
  // per visit to i before the chain returns below n, and a[i][j] the paths through n.
  for (let n = k - 1; n > 0; n--) {
    let leave = 0;
    for (let j = 0; j < n; j++) leave += a[n * k + j] as number;
    if (!(leave > 0)) return powerIterated(trans, k, fallbackSteps, out);
    for (let i = 0; i < n; i++) a[i * k + n] = (a[i * k + n] as number) / leave;
    for (let i = 0; i < n; i++) {
      const via = a[i * k + n] as number;
      if (via === 0) continue;
      for (let j = 0; j < n; j++) a[i * k + j] = (a[i * k + j] as number) + via * (a[n * k + j] as number);
    }
  }
  out[0] = 1;
  let total = 1;
  for (let n = 1; n < k; n++) {
    let v = 0;
    for (let i = 0; i < n; i++) v += (out[i] as number) * (a[i * k + n] as number);
    out[n] = v;
    total += v;
  }
  if (!(total > 0 && Number.isFinite(total))) return powerIterated(trans, k, fallbackSteps, out);
  for (let j = 0; j < k; j++) out[j] = (out[j] as number) / total;
  return out;
}

function powerIterated(trans: ArrayLike<number>, k: number, steps: number, out: Float64Array): Float64Array {
  out.fill(1 / k);
  const next = new Float64Array(k);
  for (let it = 0; it < steps; it++) {
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let i = 0; i < k; i++) v += (out[i] as number) * (trans[i * k + j] as number);
      next[j] = v;
    }
    out.set(next);
  }
  return out;
}
