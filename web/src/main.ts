/**
 * The dashboard: fused candles per instrument with a timeframe switch, indicator overlays and
 * panes computed in the browser by the project's own indicator engine, signal markers,
 * candlestick-pattern and support/resistance annotations, a regime band, venue health and
 * fusion weights, and the alert feed. Everything live over the WebSocket API.
 */
import {
  type CandlestickData,
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Alert, Bar, FusedPrice, RegimeState, Signal, SourceHealth } from '../../src/core/index.ts';
import { REGIMES, TIMEFRAMES, type Timeframe } from '../../src/core/index.ts';
import { type Annotations, annotate, type Catalogue, computeOverlay, type OverlayResult } from './analytics.ts';

const REGIME_COLOR: Record<string, string> = {
  bull: '#26a69a',
  bear: '#ef5350',
  sideways: '#7d8696',
  high_volatility: '#e0a030',
  crash: '#b71c1c',
  recovery: '#42a5f5',
};
const LINE_COLORS = ['#f5c542', '#42a5f5', '#ab47bc', '#66bb6a', '#ff7043', '#26c6da'];

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;

interface State {
  symbol: string;
  tf: Timeframe;
  bars: Bar[];
  overlays: { name: string; series: ISeriesApi<'Line'>[] }[];
  signals: Signal[];
  regimes: RegimeState[];
  sources: Map<string, SourceHealth>;
  catalogue: Catalogue;
}

const state: State = { symbol: '', tf: '1m', bars: [], overlays: [], signals: [], regimes: [], sources: new Map(), catalogue: [] };

const chart: IChartApi = createChart($('chart'), {
  autoSize: true,
  layout: { background: { color: '#0f1115' }, textColor: '#d8dde6', panes: { separatorColor: '#262b36' } },
  grid: { vertLines: { color: '#1c2029' }, horzLines: { color: '#1c2029' } },
  timeScale: { timeVisible: true, secondsVisible: false },
});
const candles = chart.addSeries(CandlestickSeries, {
  upColor: '#26a69a',
  downColor: '#ef5350',
  wickUpColor: '#26a69a',
  wickDownColor: '#ef5350',
  borderVisible: false,
});
const markers = createSeriesMarkers(candles, []);
const regimeBand = chart.addSeries(
  HistogramSeries,
  { priceScaleId: 'regime', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false },
  1,
);
chart.panes()[1]?.setHeight(40);
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
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return (await r.json()) as T;
  }
}

function toCandle(b: Bar): CandlestickData<Time> {
  return { time: sec(b.ts), open: b.open, high: b.high, low: b.low, close: b.close };
}

function upsertBar(b: Bar): void {
  const last = state.bars[state.bars.length - 1];
  if (last && last.ts === b.ts) state.bars[state.bars.length - 1] = b;
  else if (!last || b.ts > last.ts) state.bars.push(b);
  else return;
  if (state.bars.length > 2000) state.bars.shift();
  candles.update(toCandle(b));
  markBars();
}

/** What the chart holds, as attributes (for people inspecting the page and for the browser test). */
function markBars(): void {
  const el = $('chart');
  el.dataset.bars = String(state.bars.length);
  el.dataset.lastClose = String(state.bars[state.bars.length - 1]?.close ?? '');
}

/** Recomputes overlays, markers and levels from the bars in view (cheap: a few thousand bars). */
function refreshAnalytics(): void {
  const n = state.bars.length;
  const series = {
    time: Float64Array.from(state.bars, (b) => b.ts),
    open: Float64Array.from(state.bars, (b) => b.open),
    high: Float64Array.from(state.bars, (b) => b.high),
    low: Float64Array.from(state.bars, (b) => b.low),
    close: Float64Array.from(state.bars, (b) => b.close),
    volume: Float64Array.from(state.bars, (b) => b.volume),
    hasOhlc: true,
    hasVolume: true,
  };
  for (const o of state.overlays) {
    const res: OverlayResult | undefined = n > 0 ? computeOverlay(o.name, series) : undefined;
    if (!res) continue;
    res.outputs.forEach((out, k) => {
      const s = o.series[k];
      if (!s) return;
      const data = [];
      for (let i = 0; i < n; i++) {
        const v = out.values[i] as number;
        if (Number.isFinite(v)) data.push({ time: sec(series.time[i] as number), value: v });
      }
      s.setData(data);
    });
  }
  const notes: Annotations = n > 0 ? annotate(series) : { patterns: [], levels: [], chart: [] };
  drawChartPatterns(notes.chart, series.time);
  const sigMarkers: SeriesMarker<Time>[] = state.signals
    .filter((s) => s.symbol === state.symbol && s.timeframe === state.tf)
    .map((s) => ({
      time: sec(Math.floor(s.ts / tfMs(state.tf)) * tfMs(state.tf)),
      position: s.side === 'buy' ? 'belowBar' : 'aboveBar',
      color: s.side === 'buy' ? '#26a69a' : '#ef5350',
      shape: s.side === 'buy' ? 'arrowUp' : 'arrowDown',
      text: `${s.strategy} ${(s.confidence * 100).toFixed(0)}%`,
    }));
  const patMarkers: SeriesMarker<Time>[] = notes.patterns.slice(-30).map((p) => ({
    time: sec(p.ts),
    position: p.direction > 0 ? 'belowBar' : 'aboveBar',
    color: '#ab47bc',
    shape: 'circle',
    text: p.name,
  }));
  const chartMarkers: SeriesMarker<Time>[] = notes.chart.map(({ hit }) => ({
    time: sec(series.time[hit.breakoutIndex as number] as number),
    position: hit.direction === 'bullish' ? 'belowBar' : 'aboveBar',
    color: '#ff9800',
    shape: hit.direction === 'bullish' ? 'arrowUp' : 'arrowDown',
    text: hit.pattern.replace(/_/g, ' '),
  }));
  markers.setMarkers([...sigMarkers, ...patMarkers, ...chartMarkers].sort((a, b) => (a.time as number) - (b.time as number)));
  for (const l of levelLines) candles.removePriceLine(l);
  levelLines = notes.levels.slice(0, 6).map((l) =>
    candles.createPriceLine({
      price: l.price,
      color: l.kind === 'support' ? '#26a69a88' : '#ef535088',
      lineStyle: 2,
      lineWidth: 1,
      title: `${l.kind} ×${l.touches}`,
    }),
  );
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
  $('chart').dataset.chartPatterns = hits.map((h) => h.hit.pattern).join(',');
}

function tfMs(tf: Timeframe): number {
  return { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '4h': 14400e3, '1d': 86400e3 }[tf];
}

function renderRegime(): void {
  const mine = state.regimes.filter((r) => r.symbol === state.symbol);
  regimeBand.setData(
    mine
      .map((r) => ({ time: sec(r.ts), value: 1, color: REGIME_COLOR[r.regime] }))
      .filter((p, i, a) => i === 0 || p.time > (a[i - 1]?.time ?? 0)),
  );
  const last = mine[mine.length - 1];
  $('regime-label').textContent = last ? last.regime.replace('_', ' ') : '–';
  $('regime-label').style.color = last ? (REGIME_COLOR[last.regime] ?? '') : '';
  $('regime-probs').innerHTML = last
    ? REGIMES.map(
        (r) =>
          `<div class="prob"><span>${r.replace('_', ' ')}</span><span class="bar" style="width:${Math.round((last.probabilities[r] ?? 0) * 150)}px;background:${REGIME_COLOR[r]}"></span><span>${((last.probabilities[r] ?? 0) * 100).toFixed(0)}%</span></div>`,
      ).join('')
    : '';
  const band = $('regime-band');
  band.innerHTML = mine
    .slice(-120)
    .map((r) => `<span title="${r.regime}" style="display:inline-block;width:4px;height:14px;background:${REGIME_COLOR[r.regime]}"></span>`)
    .join('');
  band.dataset.regime = last?.regime ?? '';
}

/** FX-like prices to five decimals, the rest to two. */
const formatPrice = (p: number): string => p.toFixed(p < 10 ? 5 : 2);

/** The latest fused price per instrument: the venue table shows why a venue is left out. */
const latestFused = new Map<string, FusedPrice>();

function renderFused(f: FusedPrice): void {
  latestFused.set(f.symbol, f);
  if (f.symbol !== state.symbol) return;
  $('fused-price').textContent = formatPrice(f.price);
  $('fused-meta').textContent =
    `± ${f.confidence.toPrecision(3)} · ${f.status} · ${f.sources.length} used, ${f.excluded.length} excluded${f.excluded.length ? ` (${f.excluded.map((e) => `${e.venue}: ${e.reason}`).join(', ')})` : ''}`;
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
      return `<tr data-venue="${s.venue}"><td>${s.venue}</td><td class="state-${s.state}">${s.state}</td><td>${s.lastMessageAgeMs === null ? '–' : `${(s.lastMessageAgeMs / 1000).toFixed(1)}s`}</td><td>${s.reconnects}</td><td>${formatPrice(price as number)}</td><td>${weight}</td></tr>`;
    })
    .join('');
}

function addAlert(a: Alert): void {
  const li = document.createElement('li');
  li.className = `sev-${a.severity}`;
  li.textContent = `${new Date(a.ts).toLocaleTimeString()} ${a.symbol ?? ''} ${a.kind}: ${a.message}`;
  const list = $('alerts');
  list.prepend(li);
  while (list.children.length > 100) list.lastElementChild?.remove();
}

async function loadHistory(): Promise<void> {
  const [bars, regimes, signals] = await Promise.all([
    getJson<Bar[]>(`/api/history/bars?symbol=${state.symbol}&timeframe=${state.tf}&limit=1000`),
    getJson<RegimeState[]>(`/api/history/regimes?symbol=${state.symbol}&limit=2000`),
    getJson<Signal[]>(`/api/history/signals?symbol=${state.symbol}&limit=500`),
  ]);
  state.bars = bars;
  state.regimes = regimes;
  state.signals = signals;
  candles.setData(bars.map(toCandle));
  markBars();
  renderRegime();
  refreshAnalytics();
}

// --- live updates ---------------------------------------------------------------------------
let ws: WebSocket | undefined;
let subscribedTf: Timeframe | undefined;
function connect(): void {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/ws`);
  ws.onopen = () => {
    $('conn').textContent = 'live';
    $('conn').className = 'pill ok';
    subscribedTf = undefined;
    // Before anything else: the server answers messages in order.
    if (token) ws?.send(JSON.stringify({ op: 'auth', token }));
    for (const channel of ['fused', 'signals', 'regimes', 'alerts', 'sources']) ws?.send(JSON.stringify({ op: 'subscribe', channel }));
    subscribeBars();
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
    const msg = JSON.parse(String(ev.data)) as { type: string; channel?: string; items?: unknown[] };
    if (msg.type === 'snapshot') {
      for (const item of msg.items ?? []) onRecord(item as { type: string });
      return;
    }
    if (msg.channel) onRecord(msg);
  };
}

function subscribeBars(): void {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (subscribedTf) ws.send(JSON.stringify({ op: 'unsubscribe', channel: `bars:${subscribedTf}` }));
  subscribedTf = state.tf;
  ws.send(JSON.stringify({ op: 'subscribe', channel: `bars:${state.tf}`, symbols: [state.symbol] }));
}

let analyticsPending = false;
function onRecord(r: { type: string }): void {
  switch (r.type) {
    case 'bar': {
      const b = r as Bar;
      if (b.symbol === state.symbol && b.timeframe === state.tf) {
        upsertBar(b);
        if (!analyticsPending) {
          analyticsPending = true;
          setTimeout(() => {
            analyticsPending = false;
            refreshAnalytics();
          }, 500);
        }
      }
      break;
    }
    case 'fused':
      renderFused(r as FusedPrice);
      break;
    case 'regime':
      state.regimes.push(r as RegimeState);
      if (state.regimes.length > 5000) state.regimes.splice(0, 1000);
      renderRegime();
      break;
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
  }
}

// --- controls -------------------------------------------------------------------------------
function renderTimeframes(): void {
  $('timeframes').innerHTML = TIMEFRAMES.map(
    (tf) => `<button data-tf="${tf}" class="${tf === state.tf ? 'active' : ''}">${tf}</button>`,
  ).join('');
}

function addOverlay(name: string): void {
  if (!name || state.overlays.some((o) => o.name === name)) return;
  const entry = state.catalogue.find((c) => c.name === name);
  if (!entry) return;
  const pane = entry.overlay ? 0 : 2;
  const series = entry.outputs.map((_, k) =>
    chart.addSeries(
      LineSeries,
      {
        color: LINE_COLORS[(state.overlays.length + k) % LINE_COLORS.length],
        lineWidth: 1,
        priceLineVisible: false,
        lastValueVisible: false,
      },
      pane,
    ),
  );
  if (pane === 2) chart.panes()[2]?.setHeight(120);
  state.overlays.push({ name, series });
  renderOverlayChips();
  refreshAnalytics();
}

function removeOverlay(name: string): void {
  const o = state.overlays.find((x) => x.name === name);
  if (!o) return;
  for (const s of o.series) chart.removeSeries(s);
  state.overlays = state.overlays.filter((x) => x !== o);
  renderOverlayChips();
}

function renderOverlayChips(): void {
  $('overlays').innerHTML = state.overlays
    .map((o) => `<span class="chip">${o.name}<button data-remove="${o.name}">×</button></span>`)
    .join('');
}

async function main(): Promise<void> {
  const instruments = await getJson<{ symbol: string }[]>('/api/instruments');
  state.symbol = new URLSearchParams(location.search).get('symbol') ?? instruments[0]?.symbol ?? '';
  $('symbol').innerHTML = instruments.map((i) => `<option ${i.symbol === state.symbol ? 'selected' : ''}>${i.symbol}</option>`).join('');
  state.catalogue = await getJson<Catalogue>('/api/indicators');
  $('indicator').innerHTML += state.catalogue.map((c) => `<option value="${c.name}">${c.name}</option>`).join('');
  renderTimeframes();
  $('symbol').addEventListener('change', (e) => {
    state.symbol = (e.target as HTMLSelectElement).value;
    void loadHistory();
    subscribeBars();
    renderSources();
  });
  $('timeframes').addEventListener('click', (e) => {
    const tf = (e.target as HTMLElement).dataset.tf as Timeframe | undefined;
    if (!tf) return;
    state.tf = tf;
    renderTimeframes();
    void loadHistory();
    subscribeBars();
  });
  $('indicator').addEventListener('change', (e) => {
    addOverlay((e.target as HTMLSelectElement).value);
    (e.target as HTMLSelectElement).value = '';
  });
  $('overlays').addEventListener('click', (e) => {
    const name = (e.target as HTMLElement).dataset.remove;
    if (name) removeOverlay(name);
  });
  for (const name of ['SMA', 'BBANDS', 'RSI']) addOverlay(name);
  await loadHistory();
  connect();
}

void main();
