/**
 * From per-bar regime probabilities to a reported label: hysteresis (a new label needs a
 * probability margin over the current one, and the current one a minimum dwell), alerts (regime
 * change, crash onset, volatility spike) fired once per event, and the transition matrix of the
 * reported labels. Shared by every classifier so they differ only in their probabilities.
 */
import { REGIMES, type Regime, type RegimeHoldReason } from '../core/regime.ts';

export interface RegimeAlert {
  kind: 'regime_change' | 'volatility_spike' | 'crash_onset';
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

export interface RegimeOutput {
  regime: Regime;
  /** Probability per regime, REGIMES order (filtered: data up to this bar only). */
  probabilities: Float64Array;
  changed: boolean;
  alerts: RegimeAlert[];
  /** The regime this bar's probabilities favour (their maximum), which `regime` may lag. */
  supported: Regime;
  /** Why `regime` is not `supported` (undefined when they agree); see `HoldReason`. */
  held?: HoldReason;
}

/**
 * Why the reported label differs from the most probable regime (core/regime.ts, where the live
 * event's type finds it too). Shown beside the label so a reader sees hysteresis, not a contradiction.
 */
export type HoldReason = RegimeHoldReason;

/** What every online classifier offers. */
export interface OnlineRegimeClassifier {
  update(bar: { close: number; high?: number; low?: number; volume?: number; time?: number }): RegimeOutput;
  readonly regime: Regime;
  transitionMatrix(): { labels: Regime[]; matrix: number[][] };
  expectedDurations(): Record<Regime, number>;
}

export interface LabelerOptions {
  /** A new label needs this much more probability than the current one… */
  margin?: number;
  /** …and the current one must have lasted this many bars. */
  minDwell?: number;
  /** Short-run / long-run volatility ratio that raises a volatility alert. */
  spikeRatio?: number;
  /**
   * Bars of an exponential average (span) of the probabilities that the label is chosen from
   * (default 1: this bar's probabilities). Longer spans trade a few bars of delay for far fewer
   * label changes on real data, whose volatility moves continuously rather than in steps.
   */
  smoothing?: number;
  /** Regimes that take the label at once, from this bar's probabilities, without dwell or smoothing (e.g. crash). */
  fast?: readonly Regime[];
}

const K = REGIMES.length;

export class RegimeLabeler {
  private label: Regime = 'sideways';
  private dwell = 0;
  private spiking = false;
  private readonly counts = new Float64Array(K * K).fill(1);
  private readonly opts: Required<LabelerOptions>;
  private readonly smooth = new Float64Array(K).fill(1 / K);
  private readonly fastSet: Set<number>;

  constructor(options: LabelerOptions = {}) {
    this.opts = { margin: 0.15, minDwell: 2, spikeRatio: 2.5, smoothing: 1, fast: [], ...options };
    this.fastSet = new Set(this.opts.fast.map((r) => REGIMES.indexOf(r)));
  }

  get regime(): Regime {
    return this.label;
  }

  /** One bar's probabilities (REGIMES order) and volatility ratio; alerts are appended to `alerts`. */
  step(
    raw: ArrayLike<number>,
    volRatio: number,
    alerts: RegimeAlert[],
  ): { regime: Regime; changed: boolean; supported: Regime; held?: HoldReason } {
    const a = 2 / (this.opts.smoothing + 1);
    for (let j = 0; j < K; j++) this.smooth[j] = (this.smooth[j] as number) + a * ((raw[j] as number) - (this.smooth[j] as number));
    const cur = REGIMES.indexOf(this.label);
    let rawBest = 0;
    for (let j = 1; j < K; j++) if ((raw[j] as number) > (raw[rawBest] as number)) rawBest = j;
    const fast = this.fastSet.has(rawBest) && rawBest !== cur && (raw[rawBest] as number) >= (raw[cur] as number) + this.opts.margin;
    const p = fast ? raw : this.smooth;
    let best = fast ? rawBest : 0;
    if (!fast) for (let j = 1; j < K; j++) if ((p[j] as number) > (p[best] as number)) best = j;
    this.dwell++;
    let changed = false;
    const leads = best !== cur && (p[best] as number) >= (p[cur] as number) + this.opts.margin;
    if (leads && (fast || this.dwell >= this.opts.minDwell)) {
      const from = this.label;
      this.label = REGIMES[best] as Regime;
      this.dwell = 0;
      changed = true;
      const prob = (p[best] as number).toFixed(2);
      if (this.label === 'crash')
        alerts.push({ kind: 'crash_onset', severity: 'critical', message: `crash regime (p=${prob}), from ${from}` });
      else
        alerts.push({
          kind: 'regime_change',
          severity: this.label === 'bear' || this.label === 'high_volatility' ? 'warning' : 'info',
          message: `${from} → ${this.label} (p=${prob})`,
        });
    }
    const to = REGIMES.indexOf(this.label);
    this.counts[cur * K + to] = (this.counts[cur * K + to] as number) + 1;
    if (!this.spiking && volRatio >= this.opts.spikeRatio) {
      this.spiking = true;
      alerts.push({
        kind: 'volatility_spike',
        severity: 'warning',
        message: `short-run volatility ${volRatio.toFixed(1)}× its long-run level`,
      });
    } else if (this.spiking && volRatio < this.opts.spikeRatio / 1.5) this.spiking = false;
    const supported = REGIMES[rawBest] as Regime;
    if (supported === this.label) return { regime: this.label, changed, supported };
    const held: HoldReason = best === to ? 'smoothing' : leads ? 'dwell' : 'margin';
    return { regime: this.label, changed, supported, held };
  }

  /** Transition probabilities between reported labels, bar to bar (counts with a +1 prior). */
  transitionMatrix(): { labels: Regime[]; matrix: number[][] } {
    const matrix: number[][] = [];
    for (let i = 0; i < K; i++) {
      let row = 0;
      for (let j = 0; j < K; j++) row += this.counts[i * K + j] as number;
      matrix.push(Array.from({ length: K }, (_, j) => (this.counts[i * K + j] as number) / row));
    }
    return { labels: [...REGIMES], matrix };
  }

  /** Expected stay per regime in bars, from the matrix: 1 / (1 − p_ii). */
  expectedDurations(): Record<Regime, number> {
    const m = this.transitionMatrix().matrix;
    return Object.fromEntries(REGIMES.map((r, i) => [r, 1 / (1 - ((m[i] as number[])[i] as number))])) as Record<Regime, number>;
  }
}

/**
 * The labels a label rule gives a whole series of per-bar probabilities (`probs[i * 6 + j]`,
 * REGIMES order): what the rule costs any classifier's probabilities, an oracle's among them.
 */
export function labelSeries(probs: ArrayLike<number>, options: LabelerOptions = {}): Regime[] {
  const labeler = new RegimeLabeler(options);
  const n = Math.floor(probs.length / K);
  const out: Regime[] = new Array(n);
  const alerts: RegimeAlert[] = [];
  const bar = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < K; j++) bar[j] = probs[i * K + j] as number;
    out[i] = labeler.step(bar, 0, alerts).regime;
    alerts.length = 0;
  }
  return out;
}

/**
 * A classifier is its per-bar probabilities; everything after them is the labeler's. Subclasses
 * compute `probabilities` and call `label`, or `hold` on a bar that gives none.
 */
export abstract class LabelledClassifier implements OnlineRegimeClassifier {
  protected readonly labeler: RegimeLabeler;
  readonly probabilities = new Float64Array(K).fill(1 / K);
  /** The last labelled bar's supported regime and hold reason (repeated by `hold`). */
  private last: { supported: Regime; held?: HoldReason } | null = null;

  constructor(options: LabelerOptions = {}) {
    this.labeler = new RegimeLabeler(options);
  }

  abstract update(bar: { close: number; high?: number; low?: number; volume?: number; time?: number }): RegimeOutput;

  /** This bar's probabilities are in `probabilities`: label them. */
  protected label(volRatio: number): RegimeOutput {
    const alerts: RegimeAlert[] = [];
    const { regime, changed, supported, held } = this.labeler.step(this.probabilities, volRatio, alerts);
    this.last = held ? { supported, held } : { supported };
    return { regime, probabilities: this.probabilities, changed, alerts, supported, ...(held ? { held } : {}) };
  }

  /** No new probabilities (warm-up, a bad price): the label stands. */
  protected hold(): RegimeOutput {
    return {
      regime: this.labeler.regime,
      probabilities: this.probabilities,
      changed: false,
      alerts: [],
      supported: this.labeler.regime,
      ...this.last,
    };
  }

  get regime(): Regime {
    return this.labeler.regime;
  }

  transitionMatrix(): { labels: Regime[]; matrix: number[][] } {
    return this.labeler.transitionMatrix();
  }

  expectedDurations(): Record<Regime, number> {
    return this.labeler.expectedDurations();
  }
}
