/** Scoring regime labels against planted truth: confusion, balanced accuracy, detection delay. */
import { REGIMES, type Regime } from '../core/regime.ts';

export interface RegimeScore {
  balancedAccuracy: number;
  /** Recall per true regime (NaN when absent from the truth). */
  recall: Record<Regime, number>;
  /** confusion[true][predicted] counts, REGIMES order. */
  confusion: number[][];
  /** Bars from each true change to the first bar the predicted label equals the new regime (within the segment). */
  delays: number[];
  /** True changes never matched before the next change. */
  missed: number;
}

export function scoreRegimes(truth: readonly Regime[], predicted: readonly Regime[]): RegimeScore {
  const K = REGIMES.length;
  const confusion = REGIMES.map(() => new Array<number>(K).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = REGIMES.indexOf(truth[i] as Regime);
    const p = REGIMES.indexOf(predicted[i] as Regime);
    (confusion[t] as number[])[p] = ((confusion[t] as number[])[p] as number) + 1;
  }
  const recall = {} as Record<Regime, number>;
  const present: number[] = [];
  REGIMES.forEach((r, i) => {
    const row = confusion[i] as number[];
    const n = row.reduce((a, b) => a + b, 0);
    recall[r] = n ? (row[i] as number) / n : Number.NaN;
    if (n) present.push(recall[r]);
  });
  const delays: number[] = [];
  let missed = 0;
  for (let i = 1; i < truth.length; i++) {
    if (truth[i] === truth[i - 1]) continue;
    let j = i;
    while (j < truth.length && truth[j] === truth[i] && predicted[j] !== truth[i]) j++;
    if (j < truth.length && truth[j] === truth[i]) delays.push(j - i);
    else missed++;
  }
  return { balancedAccuracy: present.reduce((a, b) => a + b, 0) / present.length, recall, confusion, delays, missed };
}
