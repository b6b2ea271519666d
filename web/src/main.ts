/**
 * The dashboard: fused candles per instrument with a timeframe switch, indicators computed in the
 * browser by the project's own indicator engine (overlays on price, one pane per scale), a legend
 * with live values and an OHLCV readout under the crosshair, signal markers, filtered
 * candlestick-pattern and chart-pattern annotations, support/resistance levels, a regime band,
 * venue health and fusion weights, the market depth (the consolidated book, or one venue's own, as
 * cumulative depth), and the alert feed. History over HTTP, then live over the
 * WebSocket API. What is shown (instrument, timeframe, indicators) lives in the URL.
 */
import {
  type CandlestickData,
  CandlestickSeries,
  CrosshairMode,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  LineSeries,
  type MouseEventParams,
  type PriceFormat,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type {
  Alert,
  Bar,
  BookLevel,
  ConsolidatedBookEvent,
  FusedPrice,
  InstrumentSummary,
  RegimeState,
  Signal,
  SourceHealth,
} from '../../src/core/index.ts';
import { REGIMES, TIMEFRAMES, type Timeframe } from '../../src/core/index.ts';
import { resolveInstrument } from '../../src/core/instrument.ts';
import { barSeries } from '../../src/core/market.ts';
import { type IndicatorInfo, indicatorLookback } from '../../src/indicators/index.ts';
import { MIN_CALIBRATION_BARS } from '../../src/regimes/adaptive.ts';
import type { CalibrationBin } from '../../src/signals/evaluate.ts';
import type { SeriesReport } from '../../src/signals/report.ts';
import {
  type Annotations,
  annotate,
  type CalibrationProtocol,
  type Catalogue,
  calibrationDue,
  calibrationProtocol,
  computeOverlay,
  diagramNote,
  formatViewState,
  markLabel,
  type PatternMark,
  paneKey,
  parseViewState,
  pricePrecision,
  protocolText,
  reliabilityPoints,
  scorecardCells,
  selectPatternMarks,
  seriesFingerprint,
  signed,
} from './analytics.ts';
import type { CalibrationRequest, CalibrationResponse } from './calibration.worker.ts';

const REGIME_COLOR: Record<string, string> = {
  bull: '#26a69a',
  bear: '#ef5350',
  sideways: '#7d8696',
  high_volatility: '#e0a030',
  crash: '#b71c1c',
  recovery: '#42a5f5',
};
const LINE_COLORS = ['#f5c542', '#42a5f5', '#ab47bc', '#66bb6a', '#ff7043', '#26c6da', '#ec407a', '#8d6e63'];
/** Two days of 1-minute bars and then some: what the service keeps warm at start. */
const HISTORY_LIMIT = 3500;
/** Past this many bars in memory the oldest thousand go (and the chart is redrawn once). */
const MAX_BARS = 6000;
/** Candlestick and chart patterns are looked for in the most recent bars only (what a reader looks at). */
const PATTERN_WINDOW = 600;
const DEFAULT_INDICATORS = ['SMA', 'BBANDS', 'RSI', 'MACD'];
const VIEW_KEY = 'emp.view';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

interface IndicatorView {
  name: string;
  info: IndicatorInfo;
  /** Pane key (see paneKey): indicators with the same key share a pane and its scale. */
  pane: string;
  colors: string[];
  series: ISeriesApi<'Line' | 'Histogram'>[];
  /** The last computed outputs, aligned to state.bars (read by the legend under the crosshair). */
  values: Float64Array[];
  /** Bars needed before the first value. */
  needs: number;
}

interface State {
  symbol: string;
  tf: Timeframe;
  bars: Bar[];
  indicators: IndicatorView[];
  signals: Signal[];
  regimes: RegimeState[];
  sources: Map<string, SourceHealth>;
  catalogue: Catalogue;
  instruments: string[];
  decimals: number;
  hasVolume: boolean;
  patternMode: 'significant' | 'all';
}

const state: State = {
  symbol: '',
  tf: '1m',
  bars: [],
  indicators: [],
  signals: [],
  regimes: [],
  sources: new Map(),
  catalogue: [],
  instruments: [],
  decimals: 2,
  hasVolume: false,
  patternMode: 'significant',
};

const chartEl = $('chart');
const chart: IChartApi = createChart(chartEl, {
  autoSize: true,
  layout: {
    background: { color: '#0f1115' },
    textColor: '#aab2c0',
    fontSize: 11,
    panes: { separatorColor: '#2a303c', enableResize: true },
  },
  grid: { vertLines: { color: '#181c24' }, horzLines: { color: '#181c24' } },
  crosshair: { mode: CrosshairMode.Normal },
  rightPriceScale: { borderColor: '#2a303c', minimumWidth: 72 },
  timeScale: { borderColor: '#2a303c', timeVisible: true, secondsVisible: false, rightOffset: 4 },
});
const candles = chart.addSeries(CandlestickSeries, {
  upColor: '#26a69a',
  downColor: '#ef5350',
  wickUpColor: '#26a69a',
  wickDownColor: '#ef5350',
  borderVisible: false,
});
const markers = createSeriesMarkers(candles, []);
let regimeBand: ISeriesApi<'Histogram'> | undefined;
let volumeSeries: ISeriesApi<'Histogram'> | undefined;
/** Pane keys by pane index: `price`, `regime`, then `volume` and the indicator panes. */
let paneKeys: string[] = ['price'];
let levelLines: IPriceLine[] = [];

// --- API token ------------------------------------------------------------------------------
// Asked for only when the server answers 401 (or closes the socket with 4001); kept in this tab's
// sessionStorage, so it is gone with the tab, and sent as a Bearer header and as the socket's
// first message.
const TOKEN_KEY = 'emp.token';
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
let asking: Promise<void> | undefined;

function askToken(why: string): Promise<void> {
  asking ??= new Promise<void>((resolve) => {
    const form = $<HTMLFormElement>('auth');
    const input = $<HTMLInputElement>('auth-token');
    $('auth-why').textContent = why;
    form.hidden = false;
    input.focus();
    form.onsubmit = (e) => {
      e.preventDefault();
      token = input.value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      input.value = '';
      form.hidden = true;
      asking = undefined;
      resolve();
    };
  });
  return asking;
}

async function getJson<T>(path: string): Promise<T> {
  for (;;) {
    const r = await fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    if (r.status === 401) {
      await askToken(token ? 'The server refused this token; enter it again.' : 'This server requires an API token.');
      continue;
    }
    if (!r.ok) {
      // The server's own words (e.g. which instruments it serves) beat a bare status code.
      const body = (await r.json().catch(() => ({}))) as { error?: string };
      throw new Error(body.error ?? `${path}: HTTP ${r.status}`);
    }
    return (await r.json()) as T;
  }
}

function showError(msg: string): void {
  const el = $('error');
  el.textContent = msg;
  el.hidden = msg === '';
}

// --- formatting -----------------------------------------------------------------------------
const fmtPrice = (p: number, decimals = state.decimals): string => p.toFixed(decimals);

function fmtCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}K`;
  if (v === 0) return '0';
  return a >= 100 ? v.toFixed(0) : v.toFixed(a >= 1 ? 2 : 4);
}

/** How a value in a pane reads: price units at the instrument's precision, oscillators to 2 decimals. */
function fmtPaneValue(pane: string, v: number): string {
  if (pane === 'price' || pane === 'atr') return fmtPrice(v);
  if (pane === 'macd') return v.toFixed(state.decimals + 1);
  if (pane === 'osc') return v.toFixed(2);
  if (pane === 'volume') return fmtCompact(v);
  const a = Math.abs(v);
  return a >= 1000 ? fmtCompact(v) : a >= 1 ? v.toFixed(2) : v.toPrecision(4);
}

function paneFormat(pane: string): PriceFormat {
  if (pane === 'price') return { type: 'price', precision: state.decimals, minMove: 10 ** -state.decimals };
  if (pane === 'volume') return { type: 'volume', precision: 0, minMove: 1 };
  return { type: 'custom', formatter: (v: number) => fmtPaneValue(pane, v), minMove: 1e-12 };
}

function indicatorLabel(info: IndicatorInfo): string {
  // Periods and multipliers say which SMA this is; MA types and columns are noise in a legend.
  const ps = info.params.filter((p) => p.type === 'int' || p.type === 'float').map((p) => p.default);
  return ps.length ? `${info.name}(${ps.join(',')})` : info.name;
}

// --- bars -----------------------------------------------------------------------------------
function toCandle(b: Bar): CandlestickData<Time> {
  return { time: sec(b.ts), open: b.open, high: b.high, low: b.low, close: b.close };
}
function toVolume(b: Bar): { time: Time; value: number; color: string } {
  return { time: sec(b.ts), value: b.volume, color: b.close >= b.open ? '#26a69a66' : '#ef535066' };
}

function tfMs(tf: Timeframe): number {
  return { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '4h': 14400e3, '1d': 86400e3 }[tf];
}

function upsertBar(b: Bar): void {
  const last = state.bars[state.bars.length - 1];
  if (last && last.ts === b.ts) state.bars[state.bars.length - 1] = b;
  else if (!last || b.ts > last.ts) {
    // The previous bar never got its close, or bars are missing in between: the stream lost
    // something (or the market was shut); the store has what closed.
    if (last && (!last.final || b.ts - last.ts > tfMs(state.tf))) healBars(last.ts);
    state.bars.push(b);
  } else return;
  if (state.bars.length > MAX_BARS) {
    // Dropping from the front shifts every bar's index: redraw everything once, not per bar.
    state.bars.splice(0, 1000);
    setAllData();
    return;
  }
  candles.update(toCandle(b));
  volumeSeries?.update(toVolume(b));
  updateRegimeBandTail();
  markBars();
}

/** What the chart holds, as attributes (for people inspecting the page and for the browser test). */
function markBars(): void {
  const last = state.bars[state.bars.length - 1];
  const first = state.bars[0];
  chartEl.dataset.bars = String(state.bars.length);
  chartEl.dataset.lastClose = String(last?.close ?? '');
  chartEl.dataset.spanMs = String(first && last ? last.ts - first.ts : 0);
  chartEl.dataset.priceDecimals = String(state.decimals);
  // The price axis' own formatter on the last close: what its labels and the crosshair read.
  chartEl.dataset.axisLabel = last ? candles.priceFormatter().format(last.close) : '';
  if (crosshairIndex === undefined) renderLegend();
}

// --- panes ----------------------------------------------------------------------------------
/**
 * Rebuilds every pane below the price: the regime band, volume (when the instrument trades
 * volume; FX sources send quotes only), then one pane per indicator scale, in the order the
 * indicators were added. Called when the set of indicators or the volume pane changes.
 */
function layoutPanes(): void {
  if (regimeBand) chart.removeSeries(regimeBand);
  if (volumeSeries) chart.removeSeries(volumeSeries);
  volumeSeries = undefined;
  for (const ind of state.indicators) {
    for (const s of ind.series) chart.removeSeries(s);
    ind.series = [];
  }
  paneKeys = ['price', 'regime'];
  if (state.hasVolume) paneKeys.push('volume');
  for (const ind of state.indicators) if (!paneKeys.includes(ind.pane)) paneKeys.push(ind.pane);

  regimeBand = chart.addSeries(
    HistogramSeries,
    // A colour strip: its 0..1 scale says nothing, so no labels (hiding the scale itself breaks
    // lightweight-charts' layout of a pane).
    { priceFormat: { type: 'custom', formatter: () => '' }, lastValueVisible: false, priceLineVisible: false, base: 0 },
    1,
  );
  regimeBand.priceScale().applyOptions({ scaleMargins: { top: 0, bottom: 0 }, ticksVisible: false });
  if (state.hasVolume) {
    volumeSeries = chart.addSeries(
      HistogramSeries,
      { priceFormat: paneFormat('volume'), lastValueVisible: false, priceLineVisible: false },
      paneKeys.indexOf('volume'),
    );
    volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.15, bottom: 0 } });
  }
  let colorIx = 0;
  for (const ind of state.indicators) {
    const pane = paneKeys.indexOf(ind.pane);
    ind.colors = ind.info.outputs.map(() => LINE_COLORS[colorIx++ % LINE_COLORS.length] as string);
    ind.series = ind.info.outputs.map((out, k) => {
      const common = { priceLineVisible: false, lastValueVisible: false, priceFormat: paneFormat(ind.pane) };
      // Histogram outputs (MACD's) as columns around zero; the rest as lines.
      if (/hist$/.test(out)) return chart.addSeries(HistogramSeries, { ...common, color: '#7d869666' }, pane);
      return chart.addSeries(LineSeries, { ...common, color: ind.colors[k], lineWidth: 1, crosshairMarkerRadius: 2 }, pane);
    });
  }
  sizePanes();
  setAllData();
  renderLegendFrames();
}

/** Pane heights in pixels: a thin regime strip, sub-panes of ~16 % each, the price pane the rest. */
function sizePanes(): void {
  const h = chartEl.clientHeight;
  if (h <= 0) return;
  const subs = paneKeys.slice(2);
  // Narrow screens give the candles more of the height (sub-panes still read at ~50 px).
  const share = chartEl.clientWidth < 600 ? 0.12 : 0.16;
  let sub = Math.max(48, Math.min(140, Math.round(h * share)));
  // The price pane keeps at least half the height however many panes there are.
  if (subs.length * sub > h * 0.5 - 14) sub = Math.max(40, Math.floor((h * 0.5 - 14) / Math.max(1, subs.length)));
  const heights = paneKeys.map((k) => (k === 'price' ? 0 : k === 'regime' ? 14 : sub));
  heights[0] = Math.max(100, h - heights.reduce((a, b) => a + b, 0));
  for (const [i, p] of chart.panes().entries()) p.setStretchFactor(heights[i] ?? 1);
  requestAnimationFrame(placeLegends);
}

// --- data -----------------------------------------------------------------------------------
function setAllData(): void {
  candles.setData(state.bars.map(toCandle));
  volumeSeries?.setData(state.bars.map(toVolume));
  candles.applyOptions({ priceFormat: paneFormat('price') });
  renderRegimeBand();
  refreshAnalytics();
  markBars();
}

/** The last `bars` of the current timeframe in view (a few hours of 1-minute candles), the newest at the right. */
function initialZoom(): void {
  const n = state.bars.length;
  if (n === 0) return;
  const want = Math.max(60, Math.min(300, Math.round(chartEl.clientWidth / 5)));
  chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - want), to: n + 3 });
}

/** Recomputes indicators, markers and levels from the bars in memory (a few thousand: cheap). */
function refreshAnalytics(): void {
  const t0 = performance.now();
  const n = state.bars.length;
  const series = barSeries(state.bars);
  for (const ind of state.indicators) {
    const res = n > 0 ? computeOverlay(ind.name, series) : undefined;
    ind.values = res ? res.outputs.map((o) => o.values) : [];
    ind.series.forEach((s, k) => {
      const vals = ind.values[k];
      const data = [];
      const hist = ind.info.outputs[k]?.endsWith('hist') ?? false;
      if (vals)
        for (let i = 0; i < n; i++) {
          const v = vals[i] as number;
          if (!Number.isFinite(v)) continue;
          data.push(
            hist
              ? { time: sec(series.time[i] as number), value: v, color: v >= 0 ? '#26a69a88' : '#ef535088' }
              : { time: sec(series.time[i] as number), value: v },
          );
        }
      s.setData(data);
    });
  }
  // Patterns and levels on the recent window only: older ones are off screen and only add clutter.
  const off = Math.max(0, n - PATTERN_WINDOW);
  const recent = barSeries(state.bars.slice(off));
  const notes: Annotations = n > 0 ? annotate(recent) : { marks: [], levels: [], chart: [] };
  drawChartPatterns(notes.chart, recent.time);
  const shown = selectPatternMarks(notes.marks, state.patternMode);
  // Labels only on the significant, spaced-out hits in either mode: "all" adds the rest as dots.
  const keyed = new Set(state.patternMode === 'all' ? selectPatternMarks(notes.marks, 'significant') : shown);
  chartEl.dataset.patternMarks = String(shown.length);
  chartEl.dataset.patternHits = String(notes.marks.length);
  // Signals come from the pipeline's timeframe; on a coarser chart they sit on the bar holding
  // them, one marker per bar and side (the most confident, with how many more), not a stack.
  const perBar = new Map<string, { s: Signal; more: number }>();
  for (const sg of state.signals) {
    if (sg.symbol !== state.symbol) continue;
    const t = Math.floor(sg.ts / tfMs(state.tf)) * tfMs(state.tf);
    const k = `${t}:${sg.side}`;
    const cur = perBar.get(k);
    if (!cur) perBar.set(k, { s: { ...sg, ts: t }, more: 0 });
    else perBar.set(k, { s: sg.confidence > cur.s.confidence ? { ...sg, ts: t } : cur.s, more: cur.more + 1 });
  }
  const sigMarkers: SeriesMarker<Time>[] = [...perBar.values()].map(({ s, more }) => ({
    time: sec(s.ts),
    position: s.side === 'buy' ? 'belowBar' : 'aboveBar',
    color: s.side === 'buy' ? '#4caf50' : '#ff5252',
    shape: s.side === 'buy' ? 'arrowUp' : 'arrowDown',
    text: `${s.side} ${(s.confidence * 100).toFixed(0)}%${more ? ` +${more}` : ''}`,
  }));
  const patMarkers: SeriesMarker<Time>[] = shown.map((p: PatternMark) => {
    const labelled = keyed.has(p);
    return {
      time: sec(p.ts),
      position: p.direction > 0 ? 'belowBar' : 'aboveBar',
      color: labelled ? '#ce93d8' : '#ab47bc99',
      shape: 'circle',
      size: labelled ? 1 : 0.5,
      // In "all" mode the weak hits are dots without a label, so labels never pile up.
      text: labelled ? markLabel(p) : '',
    };
  });
  const chartMarkers: SeriesMarker<Time>[] = notes.chart.map(({ hit }) => ({
    time: sec(recent.time[hit.breakoutIndex as number] as number),
    position: hit.direction === 'bullish' ? 'belowBar' : 'aboveBar',
    color: '#ff9800',
    shape: hit.direction === 'bullish' ? 'arrowUp' : 'arrowDown',
    text: hit.pattern.replace(/_/g, ' '),
  }));
  markers.setMarkers([...sigMarkers, ...patMarkers, ...chartMarkers].sort((a, b) => (a.time as number) - (b.time as number)));
  for (const l of levelLines) candles.removePriceLine(l);
  const lastClose = state.bars[n - 1]?.close ?? 0;
  // The four levels nearest the price: the ones a reader acts on.
  levelLines = [...notes.levels]
    .sort((a, b) => Math.abs(a.price - lastClose) - Math.abs(b.price - lastClose))
    .slice(0, 4)
    .map((l) =>
      candles.createPriceLine({
        price: l.price,
        color: l.kind === 'support' ? '#26a69a77' : '#ef535077',
        lineStyle: 2,
        lineWidth: 1,
        axisLabelVisible: false,
        title: `${l.kind} ×${l.touches}`,
      }),
    );
  if (crosshairIndex === undefined) renderLegend();
  chartEl.dataset.analyticsMs = (performance.now() - t0).toFixed(0);
}

/** Chart-pattern trendlines and necklines: a small pool of line series, reused on every refresh. */
const patternLines: ISeriesApi<'Line'>[] = [];
function drawChartPatterns(hits: Annotations['chart'], time: Float64Array): void {
  const segs = hits.flatMap((h) => h.segments);
  while (patternLines.length < segs.length)
    patternLines.push(
      chart.addSeries(LineSeries, {
        color: '#ff9800',
        lineWidth: 1,
        lineStyle: 2,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
      }),
    );
  patternLines.forEach((line, k) => {
    const sgm = segs[k];
    line.setData(
      sgm
        ? [
            { time: sec(time[sgm.from] as number), value: sgm.a + sgm.b * sgm.from },
            { time: sec(time[sgm.to] as number), value: sgm.a + sgm.b * sgm.to },
          ]
        : [],
    );
  });
  chartEl.dataset.chartPatterns = hits.map((h) => h.hit.pattern).join(',');
}

// --- regimes --------------------------------------------------------------------------------
const isUniform = (r: RegimeState): boolean => Math.max(...REGIMES.map((k) => r.probabilities[k] ?? 0)) < 0.2;

/** The regime in force at the close of each bar (regimes come per 1-minute bar; coarser bars take their last). */
function regimesPerBar(): (RegimeState | undefined)[] {
  const mine = state.regimes.filter((r) => r.symbol === state.symbol);
  const own = mine.filter((r) => r.timeframe === state.tf);
  const src = (own.length ? own : mine).sort((a, b) => a.ts - b.ts);
  const span = own.length ? 0 : tfMs(state.tf) - 1;
  const out: (RegimeState | undefined)[] = [];
  let j = -1;
  for (const b of state.bars) {
    while (j + 1 < src.length && (src[j + 1] as RegimeState).ts <= b.ts + span) j++;
    out.push(j >= 0 ? src[j] : undefined);
  }
  return out;
}

function renderRegimeBand(): void {
  if (!regimeBand) return;
  const per = regimesPerBar();
  regimeBand.setData(
    state.bars.map((b, i) => {
      const r = per[i];
      // Before the model has seen enough bars its probabilities are uniform: no colour claimed.
      return r && !isUniform(r)
        ? { time: sec(b.ts), value: 1, color: REGIME_COLOR[r.regime] }
        : { time: sec(b.ts), value: 1, color: '#1c2029' };
    }),
  );
  const distinct = new Set(per.filter((r): r is RegimeState => !!r && !isUniform(r)).map((r) => r.regime));
  $('regime-band').dataset.distinct = String(distinct.size);
}

/** The live bar's regime colour: one point, not the whole band, per tick. */
function updateRegimeBandTail(): void {
  const b = state.bars[state.bars.length - 1];
  if (!b || !regimeBand) return;
  let r: RegimeState | undefined;
  for (let k = state.regimes.length - 1; k >= 0 && !r; k--) if (state.regimes[k]?.symbol === state.symbol) r = state.regimes[k];
  regimeBand.update({ time: sec(b.ts), value: 1, color: r && !isUniform(r) ? REGIME_COLOR[r.regime] : '#1c2029' });
}

/**
 * Beside the label: why it differs from the regime the probabilities support (hysteresis), or
 * that the classifier is still calibrating. States stored before these fields existed show nothing.
 */
function regimeNote(r: RegimeState): string {
  if (r.calibrated === false) return `calibrating (until ${MIN_CALIBRATION_BARS} bars: profile grid, returns only)`;
  return r.held && r.supported ? `— held: ${r.held} (${r.supported.replace('_', ' ')} leads)` : '';
}

/** The two other axes: trend (−1..1) and the volatility regime. */
function regimeAxes(r: RegimeState): string {
  const axes: string[] = [];
  if (typeof r.trend === 'number') axes.push(`trend ${r.trend >= 0 ? '+' : ''}${r.trend.toFixed(2)}`);
  if (r.volatilityRegime) axes.push(`volatility ${r.volatilityRegime}`);
  return axes.join(' · ');
}

function renderRegime(): void {
  const mine = state.regimes.filter((r) => r.symbol === state.symbol);
  const last = mine[mine.length - 1];
  $('regime-label').textContent = last ? last.regime.replace('_', ' ') : '–';
  $('regime-label').style.color = last ? (REGIME_COLOR[last.regime] ?? '') : '';
  const why = $('regime-why');
  why.textContent = last ? regimeNote(last) : '';
  $('regime-axes').textContent = last ? regimeAxes(last) : '';
  why.title = last?.fallback ?? '';
  why.dataset.held = last?.held ?? '';
  why.dataset.supported = last?.supported ?? '';
  why.dataset.calibrated = last?.calibrated === undefined ? '' : String(last.calibrated);
  const probs = last ? REGIMES.map((r) => last.probabilities[r] ?? 0) : [];
  $('regime-probs').innerHTML = last
    ? REGIMES.map((r, i) => {
        const p = probs[i] as number;
        return `<div class="prob${r === last.regime ? ' top' : ''}" data-regime="${r}" data-p="${p.toFixed(4)}"><span>${r.replace('_', ' ')}</span><span class="track"><span class="bar" style="width:${(p * 100).toFixed(1)}%;background:${REGIME_COLOR[r]}"></span></span><span class="pct">${(p * 100).toFixed(0)}%</span></div>`;
      }).join('')
    : '';
  const band = $('regime-band');
  band.innerHTML = `<span class="muted">regime band:</span>${REGIMES.map(
    (r) =>
      `<span class="key${r === last?.regime ? ' now' : ''}"><i style="background:${REGIME_COLOR[r]}"></i>${r.replace('_', ' ')}</span>`,
  ).join('')}`;
  band.dataset.regime = last?.regime ?? '';
  band.dataset.maxProb = probs.length ? Math.max(...probs).toFixed(4) : '';
  updateRegimeBandTail();
}

// --- legend ---------------------------------------------------------------------------------
let crosshairIndex: number | undefined;

/** One legend box per pane, placed at the pane's top-left (positions change with pane sizes). */
function renderLegendFrames(): void {
  $('legends').innerHTML = paneKeys.map((k) => (k === 'regime' ? '' : `<div class="legend" data-pane="${esc(k)}"></div>`)).join('');
  placeLegends();
  renderLegend();
}

function placeLegends(): void {
  const top0 = chartEl.getBoundingClientRect().top;
  const panes = chart.panes();
  for (const el of Array.from($('legends').querySelectorAll<HTMLElement>('.legend'))) {
    const i = paneKeys.indexOf(el.dataset.pane ?? '');
    const pe = panes[i]?.getHTMLElement();
    if (!pe) continue;
    el.style.top = `${Math.round(pe.getBoundingClientRect().top - top0 + 4)}px`;
  }
}

function renderLegend(): void {
  const n = state.bars.length;
  const i = crosshairIndex !== undefined && crosshairIndex >= 0 && crosshairIndex < n ? crosshairIndex : n - 1;
  const b = state.bars[i];
  const prev = state.bars[i - 1];
  const boxes = new Map<string, string[]>();
  const add = (pane: string, html: string) => boxes.set(pane, [...(boxes.get(pane) ?? []), html]);
  if (b) {
    const chg = prev ? (b.close / prev.close - 1) * 100 : 0;
    const cls = b.close >= b.open ? 'up' : 'down';
    add(
      'price',
      `<div class="ohlc" data-ts="${b.ts}"><b>${esc(state.symbol)}</b> <span class="muted">${state.tf} · ${new Date(b.ts).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}${b.final ? '' : ' · open'}</span><br>` +
        `O <span class="${cls}" data-f="open">${fmtPrice(b.open)}</span> H <span class="${cls}" data-f="high">${fmtPrice(b.high)}</span> ` +
        `L <span class="${cls}" data-f="low">${fmtPrice(b.low)}</span> C <span class="${cls}" data-f="close">${fmtPrice(b.close)}</span> ` +
        `<span class="${chg >= 0 ? 'up' : 'down'}">${chg >= 0 ? '+' : ''}${chg.toFixed(2)}%</span>` +
        (state.hasVolume ? ` V <span data-f="volume">${fmtCompact(b.volume)}</span>` : '') +
        '</div>',
    );
    if (state.hasVolume) add('volume', `<span class="muted">Volume</span> ${fmtCompact(b.volume)}`);
  } else if (state.symbol) add('price', `<b>${esc(state.symbol)}</b> <span class="muted">${state.tf} · no bars yet</span>`);
  // No instrument (an unknown one was asked for): nothing is warming up.
  for (const ind of state.symbol ? state.indicators : []) {
    const label = `<span class="name">${esc(indicatorLabel(ind.info))}</span>`;
    // A bar that arrived since the last computation reads the latest computed values.
    const at = Math.min(i, (ind.values[0]?.length ?? 0) - 1);
    const vals = ind.info.outputs.map((_, k) => (at >= 0 ? ind.values[k]?.[at] : undefined));
    if (b && (vals.some((v) => v !== undefined && Number.isFinite(v)) || (at >= ind.needs - 1 && i + 1 >= ind.needs))) {
      const parts = vals.map(
        (v, k) =>
          `<span style="color:${ind.colors[k]}" title="${esc(ind.info.outputs[k] ?? '')}">${v !== undefined && Number.isFinite(v) ? fmtPaneValue(ind.pane, v) : '–'}</span>`,
      );
      const v0 = vals.find((v) => v !== undefined && Number.isFinite(v)) as number;
      add(ind.pane, `<span class="ind" data-indicator="${esc(ind.name)}" data-value="${v0}">${label} ${parts.join(' ')}</span>`);
    } else {
      // No value yet at this bar: say how far the indicator is from its first value.
      const have = b ? i + 1 : 0;
      add(
        ind.pane,
        `<span class="ind warming" data-indicator="${esc(ind.name)}" data-warming="${have}/${ind.needs}">${label} warming up (${have} of ${ind.needs} bars)</span>`,
      );
    }
  }
  for (const el of Array.from($('legends').querySelectorAll<HTMLElement>('.legend')))
    el.innerHTML = (boxes.get(el.dataset.pane ?? '') ?? []).join(' ');
}

chart.subscribeCrosshairMove((p: MouseEventParams<Time>) => {
  // The candles hold one point per bar from the first, so the logical index is the bar's index.
  crosshairIndex = p.point && p.logical !== undefined ? Math.round(p.logical) : undefined;
  renderLegend();
});
new ResizeObserver(() => sizePanes()).observe(chartEl);
// Dragging a pane separator resizes panes without resizing the chart: move the legends after it.
chartEl.addEventListener('pointerup', () => requestAnimationFrame(placeLegends));
chart.timeScale().subscribeVisibleLogicalRangeChange((r) => {
  // How many bars are in view (the browser test checks the opening zoom).
  chartEl.dataset.visibleBars = r ? String(Math.round(Math.min(r.to, state.bars.length - 1) - Math.max(r.from, 0) + 1)) : '0';
});

// --- fused price and venues -----------------------------------------------------------------
/** The latest fused price per instrument: the venue table shows why a venue is left out. */
const latestFused = new Map<string, FusedPrice>();

function renderFused(f: FusedPrice): void {
  latestFused.set(f.symbol, f);
  if (f.symbol !== state.symbol) return;
  const d = pricePrecision(f.symbol, f.price);
  $('fused-price').textContent = fmtPrice(f.price, d);
  $('fused-meta').textContent =
    `± ${f.confidence.toFixed(d)} · ${f.status} · ${f.sources.length} used, ${f.excluded.length} excluded${f.excluded.length ? ` (${f.excluded.map((e) => `${e.venue}: ${e.reason}`).join(', ')})` : ''}`;
}

function renderSources(): void {
  // The venues that quote the selected instrument (crypto exchanges for BTC-USD, FX sources for EUR-USD).
  const rows = [...state.sources.values()]
    .filter((s) => s.prices[state.symbol] !== undefined)
    .sort((a, b) => a.venue.localeCompare(b.venue));
  $('venues').innerHTML = rows
    .map((s) => {
      const price = s.prices[state.symbol];
      const w = s.weights[state.symbol];
      // An excluded venue shows why and since when instead of a bare 0.00.
      const f = latestFused.get(state.symbol);
      const ex = f?.excluded.find((e) => e.venue === s.venue);
      const weight = ex
        ? `<span class="excluded" title="excluded since ${new Date(ex.since).toLocaleTimeString()}">${ex.reason} ${Math.max(0, (f!.ts - ex.since) / 1000).toFixed(0)}s</span>`
        : w === undefined
          ? '–'
          : w.toFixed(2);
      return `<tr data-venue="${s.venue}"><td>${s.venue}</td><td class="state-${s.state}">${s.state}</td><td>${s.lastMessageAgeMs === null ? '–' : `${(s.lastMessageAgeMs / 1000).toFixed(1)}s`}</td><td>${s.reconnects}</td><td>${fmtPrice(price as number)}</td><td>${weight}</td></tr>`;
    })
    .join('');
}

// --- market depth ---------------------------------------------------------------------------
/** The latest consolidated book of the selected instrument. */
let latestBook: ConsolidatedBookEvent | undefined;
/** The book drawn: '' for the consolidated one, else a venue's own. */
let bookView = '';
const DEPTH_W = 300;
const DEPTH_H = 140;

/**
 * Cumulative depth of one side, best first, as an SVG area: a step up at each level from the
 * touch outwards, until `limit` (the edge of the window, the same distance from the mid on both
 * sides so the two curves compare).
 */
function depthPath(
  levels: readonly BookLevel[],
  isBid: boolean,
  x: (p: number) => number,
  y: (s: number) => number,
  limit: number,
): string {
  const first = levels[0];
  if (!first) return '';
  let cum = 0;
  let d = `M${x(first[0]).toFixed(2)},${DEPTH_H}`;
  for (const [price, size] of levels) {
    if (isBid ? price < limit : price > limit) break;
    d += ` L${x(price).toFixed(2)},${y(cum).toFixed(2)}`;
    cum += size;
    d += ` L${x(price).toFixed(2)},${y(cum).toFixed(2)}`;
  }
  return `${d} L${x(limit).toFixed(2)},${y(cum).toFixed(2)} L${x(limit).toFixed(2)},${DEPTH_H} Z`;
}

function renderBookViews(b: ConsolidatedBookEvent): void {
  const sel = $<HTMLSelectElement>('book-view');
  const venues = b.venues.map((v) => v.venue).sort();
  if (bookView && !venues.includes(bookView)) venues.push(bookView); // out of sync for now: keep the choice
  const want = ['', ...venues].join('|');
  if (sel.dataset.options === want) return;
  sel.dataset.options = want;
  sel.innerHTML = [
    `<option value="" ${bookView === '' ? 'selected' : ''}>consolidated</option>`,
    ...venues.map((v) => `<option value="${esc(v)}" ${v === bookView ? 'selected' : ''}>${esc(v)}</option>`),
  ].join('');
}

function renderBook(): void {
  const b = latestBook;
  const svg = document.getElementById('depth') as unknown as SVGSVGElement;
  const meta = $('book-meta');
  if (!b || b.symbol !== state.symbol) {
    meta.textContent = 'no book yet';
    return;
  }
  renderBookViews(b);
  let bids: BookLevel[];
  let asks: BookLevel[];
  let about: string;
  if (bookView === '') {
    bids = b.bids.map((l) => [l.price, l.size]);
    asks = b.asks.map((l) => [l.price, l.size]);
    about = `${b.venues.length} venue${b.venues.length === 1 ? '' : 's'} in sequence: ${b.venues.map((v) => v.venue).join(', ') || 'none'}`;
  } else {
    const v = b.venues.find((x) => x.venue === bookView);
    bids = v?.bids ?? [];
    asks = v?.asks ?? [];
    about = v
      ? `${v.venue} ${v.pair}${v.usdPerQuote !== 1 ? ` at ${v.usdPerQuote.toFixed(5)} USD` : ''} · resyncs ${v.gaps}`
      : `${bookView}: book out of sync, waiting for a snapshot`;
  }
  const bestBid = bids[0]?.[0];
  const bestAsk = asks[0]?.[0];
  const lastBid = bids[bids.length - 1]?.[0];
  const lastAsk = asks[asks.length - 1]?.[0];
  svg.dataset.view = bookView || 'consolidated';
  svg.dataset.bidLevels = String(bids.length);
  svg.dataset.askLevels = String(asks.length);
  svg.dataset.bestBid = bestBid === undefined ? '' : String(bestBid);
  svg.dataset.bestAsk = bestAsk === undefined ? '' : String(bestAsk);
  svg.dataset.ts = String(b.ts);
  // Venues' books may cross each other (one lagging, or an arbitrage); a venue's own never does.
  svg.dataset.crossed = String(bookView === '' && b.crossed);
  if (bestBid === undefined || bestAsk === undefined || lastBid === undefined || lastAsk === undefined) {
    $('depth-bids').setAttribute('d', '');
    $('depth-asks').setAttribute('d', '');
    meta.textContent = about;
    return;
  }
  const mid = (bestBid + bestAsk) / 2;
  // The same distance each side of the mid: the nearer of the two deepest levels shown.
  const half = Math.max(Math.min(mid - lastBid, lastAsk - mid), bestAsk - mid);
  const lo = mid - half;
  const hi = mid + half;
  const within = (l: readonly BookLevel[], isBid: boolean): number => l.reduce((s, [p, q]) => s + ((isBid ? p >= lo : p <= hi) ? q : 0), 0);
  const top = Math.max(within(bids, true), within(asks, false)) * 1.08 || 1;
  const x = (p: number): number => ((p - lo) / (hi - lo)) * DEPTH_W;
  const y = (q: number): number => DEPTH_H - (q / top) * DEPTH_H;
  $('depth-bids').setAttribute('d', depthPath(bids, true, x, y, lo));
  $('depth-asks').setAttribute('d', depthPath(asks, false, x, y, hi));
  const midLine = $('depth-mid');
  midLine.setAttribute('x1', x(mid).toFixed(2));
  midLine.setAttribute('x2', x(mid).toFixed(2));
  const d = pricePrecision(b.symbol, mid);
  $('depth-axis').innerHTML = `<span>${fmtPrice(lo, d)}</span><span>mid ${fmtPrice(mid, d)}</span><span>${fmtPrice(hi, d)}</span>`;
  const bands =
    bookView === ''
      ? b.depth
          .map(
            (band) =>
              `±${band.bps} bps: ${fmtCompact(band.bidSize)} bid / ${fmtCompact(band.askSize)} ask${band.imbalance === null ? '' : ` (imbalance ${band.imbalance >= 0 ? '+' : ''}${band.imbalance.toFixed(2)})`}`,
          )
          .join('<br>')
      : '';
  meta.innerHTML = [
    `<span data-role="touch">bid <b>${fmtPrice(bestBid, d)}</b> · ask <b>${fmtPrice(bestAsk, d)}</b> · spread ${(((bestAsk - bestBid) / mid) * 1e4).toFixed(2)} bps</span>`,
    bookView === '' && b.crossed ? '<span class="excluded">venues cross each other</span>' : '',
    bands,
    esc(about),
  ]
    .filter((x) => x !== '')
    .join('<br>');
}

let bookSymbol = '';
function subscribeBook(): void {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (bookSymbol) ws.send(JSON.stringify({ op: 'unsubscribe', channel: 'book', symbols: [bookSymbol] }));
  bookSymbol = state.symbol;
  if (bookSymbol) ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', symbols: [bookSymbol] }));
}

function addAlert(a: Alert): void {
  const li = document.createElement('li');
  li.className = `sev-${a.severity}`;
  li.textContent = `${new Date(a.ts).toLocaleTimeString()} ${a.symbol ?? ''} ${a.kind}: ${a.message}`;
  const list = $('alerts');
  list.prepend(li);
  while (list.children.length > 100) list.lastElementChild?.remove();
}

// --- signal calibration ---------------------------------------------------------------------
// Every strategy's out-of-sample scorecard on the closed bars in view (evaluateSeries, in a
// worker): a reliability diagram and a row of figures each. Recomputed for another instrument or
// timeframe and every few bar closes, never per tick.
const DIAGRAM = 96;
const DIAGRAM_PAD = 8;
let calWorker: Worker | undefined;
let calSeq = 0;
let calBusy = false;
/** Instrument and timeframe whose history is in state.bars (a switch is pending until it lands). */
let loadedKey = '';
/** The view last scored, its newest closed bar and when (performance.now()). */
const cal = { key: '', lastTs: 0, at: 0 };

const viewKey = (): string => `${state.symbol}|${state.tf}`;

function maybeCalibrate(): void {
  const key = viewKey();
  if (!state.symbol || loadedKey !== key) return;
  const closed = state.bars.filter((b) => b.final);
  const now = performance.now();
  const newCloses = closed.filter((b) => b.ts > cal.lastTs).length;
  if (!calibrationDue({ key, lastKey: cal.key, newCloses, now, lastAt: cal.at, busy: calBusy })) return;
  const card = $('calibration');
  if (cal.key !== key) {
    card.dataset.state = 'computing';
    $('cal-rows').innerHTML = '';
    $('cal-protocol').textContent = `Scoring every strategy on the closed ${state.tf} bars of ${state.symbol}…`;
    $('cal-baselines').textContent = '';
  }
  Object.assign(cal, { key, lastTs: closed[closed.length - 1]?.ts ?? 0, at: now });
  if (closed.length < 60) {
    // Indicators need their warm-up and every signal its horizon: nothing to score yet.
    card.dataset.state = 'too-few-bars';
    $('cal-protocol').textContent = `${closed.length} closed ${state.tf} bars: too few to score signals on (the rules need about 60).`;
    return;
  }
  calWorker ??= startCalibrationWorker();
  calBusy = true;
  const protocol = calibrationProtocol(state.symbol, state.tf);
  const series = barSeries(closed);
  const id = ++calSeq;
  pendingCal.set(id, {
    key,
    protocol,
    first: closed[0]?.ts ?? 0,
    last: closed[closed.length - 1]?.ts ?? 0,
    afterFills: chartEl.dataset.fillsDone === '1',
    // Taken before the arrays are handed to the worker (the transfer empties them here).
    fingerprint: seriesFingerprint(series),
  });
  calWorker.postMessage({ id, series, opts: protocol } satisfies CalibrationRequest, [
    series.time.buffer,
    series.open.buffer,
    series.high.buffer,
    series.low.buffer,
    series.close.buffer,
    series.volume.buffer,
  ]);
}

interface CalibrationJob {
  key: string;
  protocol: CalibrationProtocol;
  first: number;
  last: number;
  afterFills: boolean;
  /** seriesFingerprint of the closed bars scored. */
  fingerprint: string;
}
const pendingCal = new Map<number, CalibrationJob>();

function startCalibrationWorker(): Worker {
  const w = new Worker(new URL('./calibration.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<CalibrationResponse>) => {
    calBusy = false;
    const req = pendingCal.get(e.data.id);
    pendingCal.delete(e.data.id);
    // Answers for a view no longer shown are dropped; the switch already asked for its own.
    if (req && req.key === viewKey()) {
      if ('error' in e.data) {
        $('calibration').dataset.state = 'error';
        $('cal-protocol').textContent = `Could not score the signals: ${e.data.error}`;
      } else renderCalibration(e.data.report, req, e.data.ms);
    }
    maybeCalibrate();
  };
  w.onerror = (e) => {
    calBusy = false;
    $('calibration').dataset.state = 'error';
    $('cal-protocol').textContent = `Could not score the signals: ${e.message}`;
  };
  return w;
}

function reliabilitySvg(bins: CalibrationBin[]): string {
  const s = DIAGRAM;
  const p = DIAGRAM_PAD;
  const pts = reliabilityPoints(bins, s, p);
  const grid = [0.25, 0.5, 0.75]
    .map((v) => {
      const x = p + v * (s - 2 * p);
      const y = p + (1 - v) * (s - 2 * p);
      return `<line class="grid" x1="${x}" y1="${p}" x2="${x}" y2="${s - p}"/><line class="grid" x1="${p}" y1="${y}" x2="${s - p}" y2="${y}"/>`;
    })
    .join('');
  const dots = pts
    .map(
      (q) =>
        `<circle class="pt" cx="${q.x.toFixed(2)}" cy="${q.y.toFixed(2)}" r="${q.r.toFixed(2)}" data-n="${q.n}" data-bucket="${esc(q.bucket)}"><title>stated ${esc(q.bucket)} (mean ${(q.predicted * 100).toFixed(0)} %): right ${(q.realized * 100).toFixed(0)} % of ${q.n}</title></circle>`,
    )
    .join('');
  return (
    `<svg class="reliability" viewBox="0 0 ${s} ${s}" width="${s}" height="${s}" role="img" aria-label="reliability diagram: stated confidence (x) against realized hit rate (y)">` +
    `<rect class="frame" x="${p}" y="${p}" width="${s - 2 * p}" height="${s - 2 * p}"/>${grid}` +
    `<line class="diag" x1="${p}" y1="${s - p}" x2="${s - p}" y2="${p}"/>${dots}</svg>`
  );
}

function renderCalibration(r: SeriesReport, req: CalibrationJob, ms: number): void {
  const card = $('calibration');
  Object.assign(card.dataset, {
    state: 'ready',
    afterFills: req.afterFills ? '1' : '0',
    bars: String(r.bars),
    first: String(req.first),
    last: String(req.last),
    fingerprint: req.fingerprint,
    horizon: String(r.horizon),
    costBps: String(r.costBps),
    embargo: String(r.embargo),
    timeframes: req.protocol.timeframes.join(','),
    draws: String(req.protocol.draws),
    ms: ms.toFixed(0),
  });
  $('cal-protocol').textContent = protocolText(r, req.protocol);
  const strategies = r.methods.filter((m) => m.kind === 'strategy');
  $('cal-rows').innerHTML = strategies
    .map((m) => {
      const c = scorecardCells(m);
      const rnd = r.methods[r.methods.indexOf(m) + 1];
      const note = diagramNote(m.signals);
      const cell = (f: keyof typeof c, label: string, title: string) =>
        `<span title="${esc(title)}"><span class="lbl">${label}</span> <b data-f="${f}">${esc(c[f])}</b></span>`;
      return (
        `<div class="cal-row" data-strategy="${esc(m.method)}" data-signals="${m.signals}" data-hit-rate="${m.hitRate}" data-ece="${m.ece}" ` +
        `data-brier-skill="${m.brierSkill}" data-avg-return-bps="${m.avgReturnBps}" data-deflated-sharpe="${m.deflatedSharpe}">` +
        reliabilitySvg(m.calibration) +
        `<div class="cal-score"><div class="cal-name">${esc(m.method)}</div><div class="cal-cells">` +
        cell('signals', 'signals', 'signals scored at their horizon') +
        cell('hitRate', 'hit', 'share right at the horizon') +
        cell('ece', 'ECE', 'expected calibration error (its sampling floor)') +
        cell(
          'brierSkill',
          'Brier skill',
          '1 − Brier / Brier of the walk-forward base rate: > 0 means the confidence knows more than the base rate',
        ) +
        cell('avgReturn', 'avg', 'mean return per signal after costs') +
        cell('deflatedSharpe', 'DSR', 'deflated Sharpe: probability the true Sharpe beats the best of the rules tried by luck') +
        '</div>' +
        (rnd?.kind === 'random'
          ? `<div class="muted cal-random">random, same count: ${esc(scorecardCells(rnd).hitRate)} hit, ${esc(scorecardCells(rnd).avgReturn)}</div>`
          : '') +
        (note ? `<div class="cal-note">${esc(note)}</div>` : '') +
        '</div></div>'
      );
    })
    .join('');
  const bh = r.methods.find((m) => m.kind === 'buy_and_hold');
  $('cal-baselines').textContent = bh
    ? `Buy and hold: ${signed((bh.avgReturnBps / 100).toFixed(2))} % total, Sharpe ${signed(bh.sharpe.toFixed(2))}, DSR ${scorecardCells(bh).deflatedSharpe}. Diagram: stated confidence (x) against how often it was right (y), the diagonal is perfect calibration, dot area ∝ signals in the bucket.`
    : '';
}

// --- loading --------------------------------------------------------------------------------
let loadSeq = 0;
async function loadHistory(): Promise<void> {
  if (!state.symbol) return;
  const seq = ++loadSeq;
  const sym = encodeURIComponent(state.symbol);
  const [bars, regimes, signals] = await Promise.all([
    getJson<Bar[]>(`/api/history/bars?symbol=${sym}&timeframe=${state.tf}&limit=${HISTORY_LIMIT}`),
    getJson<RegimeState[]>(`/api/history/regimes?symbol=${sym}&limit=${HISTORY_LIMIT * 2}`),
    getJson<Signal[]>(`/api/history/signals?symbol=${sym}&limit=1000`),
  ]);
  // A newer switch (instrument or timeframe) started meanwhile: its answer wins.
  if (seq !== loadSeq) return;
  state.bars = bars;
  state.regimes = regimes;
  state.signals = signals;
  state.decimals = pricePrecision(state.symbol, bars[bars.length - 1]?.close);
  const hasVolume = bars.some((b) => b.volume > 0);
  if (hasVolume !== state.hasVolume || !regimeBand) {
    state.hasVolume = hasVolume;
    layoutPanes();
  } else {
    for (const ind of state.indicators) for (const s of ind.series) s.applyOptions({ priceFormat: paneFormat(ind.pane) });
    setAllData();
    renderLegendFrames();
  }
  renderRegime();
  initialZoom();
  loadedKey = viewKey();
  maybeCalibrate();
  // The store writes closed bars in batches, behind their close (seconds on a busy machine): bars
  // that closed before this answer may be in neither it nor the live stream (which only sends
  // what comes next). Ask again for everything since the answer's last bar, a few times, and fill
  // any hole.
  chartEl.dataset.fillsDone = '';
  const since = bars[bars.length - 1]?.ts ?? 0;
  for (const [i, ms] of FILL_AFTER_MS.entries()) setTimeout(() => void fillRecent(seq, since, i === FILL_AFTER_MS.length - 1), ms);
}

const FILL_AFTER_MS = [3000, 10_000, 25_000];

async function fillRecent(seq: number, since: number, last: boolean): Promise<void> {
  if (seq !== loadSeq || !state.symbol) return;
  const recent = await getJson<Bar[]>(
    `/api/history/bars?symbol=${encodeURIComponent(state.symbol)}&timeframe=${state.tf}&from=${since}&limit=${HISTORY_LIMIT}`,
  ).catch(() => [] as Bar[]);
  if (seq !== loadSeq) return;
  if (last) {
    chartEl.dataset.fillsDone = '1';
    // Score again on the completed history (the card's figures then cover every stored bar).
    cal.key = '';
  }
  const have = new Map(state.bars.map((b) => [b.ts, b]));
  const first = state.bars[0]?.ts ?? Number.POSITIVE_INFINITY;
  const missing = recent.filter((b) => b.final && !have.has(b.ts) && b.ts > first);
  // The history's open bar may have closed before the live stream started: take its final form.
  const closed = recent.filter((b) => b.final && have.get(b.ts)?.final === false);
  chartEl.dataset.filled = String(missing.length);
  if (missing.length === 0 && closed.length === 0) {
    if (last) maybeCalibrate();
    return;
  }
  if (missing.length > 0) cal.key = '';
  for (const b of closed) have.set(b.ts, b);
  state.bars = [...have.values(), ...missing].sort((a, b) => a.ts - b.ts);
  setAllData();
  maybeCalibrate();
}

/** Asks after a suspected loss: the store writes behind the stream, so twice. */
const HEAL_AFTER_MS = [2000, 8000];
/** A heal whose first ask is still to come: a loss noticed meanwhile joins it. */
let nextHeal: { seq: number; since: number } | undefined;

/**
 * Fills what the live stream lost from `since` on: updates the server dropped while this page
 * was slow (it says so with a `dropped` notice), a close that never came, a hole between bars.
 * Without this a lost close stayed open and out of every closed-bar figure for good. At most one
 * heal starts per 2 s; `data-losses` counts the losses noticed.
 */
function healBars(since: number): void {
  chartEl.dataset.losses = String(Number(chartEl.dataset.losses ?? '0') + 1);
  if (nextHeal && nextHeal.seq === loadSeq) {
    nextHeal.since = Math.min(nextHeal.since, since);
    return;
  }
  const h = { seq: loadSeq, since };
  nextHeal = h;
  for (const [i, ms] of HEAL_AFTER_MS.entries())
    setTimeout(() => {
      if (i === 0 && nextHeal === h) nextHeal = undefined;
      void fillRecent(h.seq, h.since, false);
    }, ms);
}

// --- live updates ---------------------------------------------------------------------------
let ws: WebSocket | undefined;
let subscribedTf: Timeframe | undefined;
let subscribedSymbol = '';
function connect(): void {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/ws`);
  ws.onopen = () => {
    $('conn').textContent = 'live';
    $('conn').className = 'pill ok';
    subscribedTf = undefined;
    bookSymbol = '';
    // Before anything else: the server answers messages in order.
    if (token) ws?.send(JSON.stringify({ op: 'auth', token }));
    for (const channel of ['fused', 'signals', 'regimes', 'alerts', 'sources']) ws?.send(JSON.stringify({ op: 'subscribe', channel }));
    subscribeBars();
    subscribeBook();
  };
  ws.onclose = (ev) => {
    $('conn').className = 'pill bad';
    if (ev.code === 4001) {
      // Refused or missing token: ask, then connect again with it.
      $('conn').textContent = 'token needed';
      void askToken(token ? 'The server refused this token; enter it again.' : 'This server requires an API token.').then(connect);
      return;
    }
    $('conn').textContent = 'reconnecting…';
    setTimeout(connect, 1000);
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data)) as { type: string; channel?: string; items?: unknown[]; code?: string; error?: string };
    if (msg.type === 'snapshot') {
      for (const item of msg.items ?? []) onRecord(item as { type: string });
      return;
    }
    if (msg.type === 'error') {
      if (msg.code === 'UNKNOWN_SYMBOL') showError(msg.error ?? 'unknown instrument');
      return;
    }
    if (msg.type === 'dropped') {
      // Updates were dropped while this page was slow: bars since the last one held may be lost.
      const last = state.bars[state.bars.length - 1];
      if (last && loadedKey === viewKey()) healBars(last.ts);
      return;
    }
    if (msg.channel) onRecord(msg);
  };
}

function subscribeBars(): void {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (subscribedTf) ws.send(JSON.stringify({ op: 'unsubscribe', channel: `bars:${subscribedTf}`, symbols: [subscribedSymbol] }));
  subscribedTf = undefined;
  if (!state.symbol) return;
  subscribedTf = state.tf;
  subscribedSymbol = state.symbol;
  ws.send(JSON.stringify({ op: 'subscribe', channel: `bars:${state.tf}`, symbols: [state.symbol] }));
}

let analyticsPending = false;
let lastRefresh = 0;
function onRecord(r: { type: string }): void {
  switch (r.type) {
    case 'bar': {
      const b = r as Bar;
      if (b.symbol === state.symbol && b.timeframe === state.tf) {
        upsertBar(b);
        if (b.final) maybeCalibrate();
        if (!analyticsPending) {
          analyticsPending = true;
          // Indicators and patterns over thousands of bars: once a second at most, not per tick
          // (the legend reads the last computed values meanwhile).
          setTimeout(
            () => {
              analyticsPending = false;
              lastRefresh = performance.now();
              refreshAnalytics();
            },
            Math.max(0, 1000 - (performance.now() - lastRefresh)),
          );
        }
      }
      break;
    }
    case 'fused':
      renderFused(r as FusedPrice);
      break;
    case 'regime': {
      const reg = r as RegimeState;
      const last = state.regimes[state.regimes.length - 1];
      // The snapshot repeats what history already gave.
      if (last && last.symbol === reg.symbol && last.ts === reg.ts && last.timeframe === reg.timeframe)
        state.regimes[state.regimes.length - 1] = reg;
      else state.regimes.push(reg);
      if (state.regimes.length > 4 * HISTORY_LIMIT) state.regimes.splice(0, HISTORY_LIMIT);
      if (reg.symbol === state.symbol) renderRegime();
      break;
    }
    case 'signal':
      state.signals.push(r as Signal);
      break;
    case 'alert':
      addAlert(r as Alert);
      break;
    case 'source_health':
      state.sources.set((r as SourceHealth).venue, r as SourceHealth);
      renderSources();
      break;
    case 'consolidated_book': {
      const b = r as ConsolidatedBookEvent;
      if (b.symbol !== state.symbol) break;
      latestBook = b;
      renderBook();
      break;
    }
  }
}

// --- controls and the URL -------------------------------------------------------------------
function renderTimeframes(): void {
  $('timeframes').innerHTML = TIMEFRAMES.map(
    (tf) => `<button data-tf="${tf}" class="${tf === state.tf ? 'active' : ''}" aria-pressed="${tf === state.tf}">${tf}</button>`,
  ).join('');
}

/** The view in the address bar (shareable, survives a reload) and in localStorage (for a bare URL). */
function saveView(): void {
  if (!state.symbol) return;
  const view = { symbol: state.symbol, tf: state.tf, indicators: state.indicators.map((i) => i.name), patterns: state.patternMode };
  const search = formatViewState(view);
  if (search !== location.search) history.replaceState(null, '', `${location.pathname}${search}`);
  localStorage.setItem(VIEW_KEY, JSON.stringify(view));
}

function addIndicator(name: string, relayout = true): void {
  const info = state.catalogue.find((c) => c.name === name.toUpperCase());
  if (!info || state.indicators.some((o) => o.name === info.name)) return;
  let needs = 1;
  try {
    needs = indicatorLookback(info.name) + 1;
  } catch {
    // No lookback for these parameters: the legend then says "1 bar" until the first value.
  }
  state.indicators.push({ name: info.name, info, pane: paneKey(info), colors: [], series: [], values: [], needs });
  renderIndicatorChips();
  if (relayout) {
    layoutPanes();
    saveView();
  }
}

function removeIndicator(name: string): void {
  const o = state.indicators.find((x) => x.name === name);
  if (!o) return;
  state.indicators = state.indicators.filter((x) => x !== o);
  for (const s of o.series) chart.removeSeries(s);
  o.series = [];
  renderIndicatorChips();
  layoutPanes();
  saveView();
}

function renderIndicatorChips(): void {
  $('overlays').innerHTML = state.indicators
    .map(
      (o) =>
        `<span class="chip" data-indicator="${esc(o.name)}">${esc(o.name)}<button data-remove="${esc(o.name)}" aria-label="remove ${esc(o.name)}">×</button></span>`,
    )
    .join('');
}

function renderPatternToggle(): void {
  const b = $('patterns');
  b.textContent = state.patternMode === 'all' ? 'patterns: all' : 'patterns: key';
  b.title =
    state.patternMode === 'all'
      ? 'Showing every candlestick-pattern hit (weak ones as dots)'
      : 'Showing strong or followed-through candlestick patterns only';
  b.setAttribute('aria-pressed', String(state.patternMode === 'all'));
  b.dataset.mode = state.patternMode;
}

function renderSymbols(requested?: string): void {
  const opts = state.instruments.map((s) => `<option value="${esc(s)}" ${s === state.symbol ? 'selected' : ''}>${esc(s)}</option>`);
  // An unknown instrument stays visible as what was asked for, not silently replaced by the first one.
  if (!state.symbol) opts.unshift(`<option value="" selected disabled>${esc(requested ?? 'choose…')} ?</option>`);
  $('symbol').innerHTML = opts.join('');
}

function selectSymbol(sym: string): void {
  state.symbol = sym;
  showError('');
  renderSymbols();
  saveView();
  $('fused-price').textContent = '–';
  $('fused-meta').textContent = '';
  const f = latestFused.get(sym);
  if (f) renderFused(f);
  void loadHistory().catch((e: unknown) => showError(String((e as Error).message ?? e)));
  subscribeBars();
  latestBook = undefined;
  renderBook();
  subscribeBook();
  renderSources();
}

async function main(): Promise<void> {
  const [instruments, catalogue] = await Promise.all([
    getJson<InstrumentSummary[]>('/api/instruments'),
    getJson<Catalogue>('/api/indicators'),
  ]);
  state.instruments = instruments.map((i) => i.symbol);
  state.catalogue = catalogue;
  const fromUrl = parseViewState(location.search);
  let saved: ReturnType<typeof parseViewState> = {};
  try {
    saved = JSON.parse(localStorage.getItem(VIEW_KEY) ?? '{}') as ReturnType<typeof parseViewState>;
  } catch {
    // A corrupt saved view is as good as none.
  }
  // The address bar wins; a bare URL reopens what was last looked at.
  const view = location.search.length > 1 ? fromUrl : saved;
  const requested = view.symbol ?? state.instruments[0] ?? '';
  state.symbol = resolveInstrument(requested, state.instruments) ?? '';
  state.tf = (TIMEFRAMES as readonly string[]).includes(view.tf ?? '') ? (view.tf as Timeframe) : '1m';
  state.patternMode = view.patterns ?? 'significant';
  renderSymbols(requested);
  const groups = new Map<string, IndicatorInfo[]>();
  for (const c of catalogue) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  $('indicator').innerHTML += [...groups]
    .map(
      ([g, list]) =>
        `<optgroup label="${esc(g)}">${list.map((c) => `<option value="${esc(c.name)}" title="${esc(c.description)}">${esc(c.name)}</option>`).join('')}</optgroup>`,
    )
    .join('');
  renderTimeframes();
  renderPatternToggle();
  for (const name of view.indicators ?? DEFAULT_INDICATORS) addIndicator(name, false);
  layoutPanes();

  $('symbol').addEventListener('change', (e) => selectSymbol((e.target as HTMLSelectElement).value));
  $('timeframes').addEventListener('click', (e) => {
    const tf = (e.target as HTMLElement).dataset.tf as Timeframe | undefined;
    if (!tf || tf === state.tf) return;
    state.tf = tf;
    renderTimeframes();
    saveView();
    void loadHistory();
    subscribeBars();
  });
  $('indicator').addEventListener('change', (e) => {
    addIndicator((e.target as HTMLSelectElement).value);
    (e.target as HTMLSelectElement).value = '';
  });
  $('overlays').addEventListener('click', (e) => {
    const name = (e.target as HTMLElement).dataset.remove;
    if (name) removeIndicator(name);
  });
  $('book-view').addEventListener('change', (e) => {
    bookView = (e.target as HTMLSelectElement).value;
    renderBook();
  });
  $('patterns').addEventListener('click', () => {
    state.patternMode = state.patternMode === 'all' ? 'significant' : 'all';
    renderPatternToggle();
    saveView();
    refreshAnalytics();
  });

  // Live first: the fused price and venues need no history, and a live bar that lands before the
  // history answer is replaced by it (the history ends with the open bar).
  connect();
  if (!state.symbol) {
    showError(`Unknown instrument "${requested}". This server serves ${state.instruments.join(', ')}: pick one above.`);
    chartEl.dataset.bars = '0';
    renderLegend();
  } else {
    saveView();
    await loadHistory();
  }
}

main().catch((e: unknown) => showError(`The dashboard could not start: ${String((e as Error).message ?? e)}`));
