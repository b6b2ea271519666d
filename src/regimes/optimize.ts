/**
 * Unconstrained minimisation by BFGS with a backtracking (Armijo) line search and central-difference
 * gradients: enough for the handful of smooth parameters of a likelihood. Pure.
 */
export interface MinimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

function numericGradient(f: (x: Float64Array) => number, x: Float64Array, out: Float64Array): Float64Array {
  const y = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(x[i] as number));
    y[i] = (x[i] as number) + h;
    const up = f(y);
    y[i] = (x[i] as number) - h;
    const down = f(y);
    y[i] = x[i] as number;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

export function minimizeBfgs(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  opts: { maxIterations?: number; gradientTolerance?: number } = {},
): MinimizeResult {
  const n = x0.length;
  const maxIter = opts.maxIterations ?? 500;
  const gtol = opts.gradientTolerance ?? 1e-7;
  let x = Float64Array.from(x0);
  let fx = f(x);
  let g = numericGradient(f, x, new Float64Array(n));
  // Inverse Hessian approximation, starting from the identity.
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const dir = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const yv = new Float64Array(n);
  const Hy = new Float64Array(n);
  let it = 0;
  for (; it < maxIter; it++) {
    if (Math.max(...g.map(Math.abs)) < gtol) return { x, value: fx, iterations: it, converged: true };
    let slope = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d -= (H[i * n + j] as number) * (g[j] as number);
      dir[i] = d;
      slope += d * (g[i] as number);
    }
    if (slope >= 0) {
      // Not a descent direction (the approximation went bad): reset to steepest descent.
      H.fill(0);
      for (let i = 0; i < n; i++) {
        H[i * n + i] = 1;
        dir[i] = -(g[i] as number);
      }
      slope = -g.reduce((a, v) => a + v * v, 0);
    }
    let step = 1;
    let xNew = x;
    let fNew = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 60; k++) {
      xNew = x.map((v, i) => v + step * (dir[i] as number));
      fNew = f(xNew);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) return { x, value: fx, iterations: it, converged: Math.max(...g.map(Math.abs)) < 1e-4 };
    numericGradient(f, xNew, gNew);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xNew[i] as number) - (x[i] as number);
      yv[i] = (gNew[i] as number) - (g[i] as number);
      sy += (s[i] as number) * (yv[i] as number);
    }
    if (sy > 1e-12) {
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      let yHy = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (H[i * n + j] as number) * (yv[j] as number);
        Hy[i] = v;
        yHy += (yv[i] as number) * v;
      }
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          H[i * n + j] =
            (H[i * n + j] as number) -
            rho * ((Hy[i] as number) * (s[j] as number) + (s[i] as number) * (Hy[j] as number)) +
            (rho * rho * yHy + rho) * (s[i] as number) * (s[j] as number);
    }
    x = xNew;
    fx = fNew;
    g = Float64Array.from(gNew);
  }
  return { x, value: fx, iterations: it, converged: false };
}
