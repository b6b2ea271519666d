/**
 * Naming fitted states: a state whose mean return (in long-run sd) and volatility (exp of its mean
 * `logVol`) sit closest to a regime's template gets that regime's label. With six states the
 * assignment is one-to-one (the cheapest of the 720 permutations); otherwise each state takes its
 * nearest template.
 */
import { REGIMES, type Regime } from '../core/regime.ts';
import { DEFAULT_TEMPLATES } from './classifier.ts';

/** `means` row-major (states × features), features as in REGIME_FEATURES (z first, logVol second). */
export function labelStates(means: ArrayLike<number>, states: number, features: number): Regime[] {
  return assignStates(states, (s, r) => {
    const t = DEFAULT_TEMPLATES[r];
    const mu = means[s * features] as number;
    const logVol = means[s * features + 1] as number;
    return ((mu - t.mu) / 0.15) ** 2 + ((logVol - Math.log(t.sigma)) / 0.3) ** 2;
  });
}

/**
 * Names states by a labelled series: the one-to-one naming that maximises the summed share of
 * each regime's bars falling in its state (shares, not counts, so that rare regimes such as
 * crashes can win a state).
 */
export function labelStatesByTruth(states: ArrayLike<number>, truth: readonly Regime[], k: number): Regime[] {
  const share = Array.from({ length: k }, () => new Float64Array(REGIMES.length));
  const total = new Float64Array(REGIMES.length);
  for (let t = 0; t < states.length; t++) {
    const r = REGIMES.indexOf(truth[t] as Regime);
    const row = share[states[t] as number] as Float64Array;
    row[r] = (row[r] as number) + 1;
    total[r] = (total[r] as number) + 1;
  }
  return assignStates(k, (s, r) => {
    const i = REGIMES.indexOf(r);
    return (total[i] as number) > 0 ? -(((share[s] as Float64Array)[i] as number) / (total[i] as number)) : 0;
  });
}

/** The cheapest one-to-one naming when there are six states, else each state's cheapest name. */
function assignStates(states: number, cost: (s: number, r: Regime) => number): Regime[] {
  if (states !== REGIMES.length) {
    return Array.from({ length: states }, (_, s) => REGIMES.reduce((best, r) => (cost(s, r) < cost(s, best) ? r : best)));
  }
  let best: Regime[] = [...REGIMES];
  let bestCost = Number.POSITIVE_INFINITY;
  const perm: Regime[] = [];
  const used = new Set<Regime>();
  const search = (s: number, acc: number): void => {
    if (s === states) {
      if (acc < bestCost) {
        bestCost = acc;
        best = [...perm];
      }
      return;
    }
    for (const r of REGIMES) {
      if (used.has(r)) continue;
      used.add(r);
      perm.push(r);
      search(s + 1, acc + cost(s, r));
      perm.pop();
      used.delete(r);
    }
  };
  search(0, 0);
  return best;
}

/** Sums state probabilities into regime probabilities (REGIMES order). */
export function regimeProbabilities(stateProbs: ArrayLike<number>, labels: readonly Regime[], out: Float64Array): Float64Array {
  out.fill(0);
  for (let s = 0; s < labels.length; s++) {
    const r = REGIMES.indexOf(labels[s] as Regime);
    out[r] = (out[r] as number) + (stateProbs[s] as number);
  }
  return out;
}
