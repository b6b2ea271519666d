/**
 * Start order: every consumer is ready before a source starts, so the very first record after
 * start reaches them, on the in-process bus and on NATS JetStream (127.0.0.1:4222, as `.ci/run`
 * ensures). No sleep between subscribing and starting: that wait is what the pipeline must do.
 */
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { EmpEvent } from '../../src/core/events.ts';
import type { Bar, Quote } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts } from '../../src/pipeline/parts.ts';
import type { BarAnalysis, RecordSource, SourceSink, VenueHealthSnapshot } from '../../src/pipeline/stages.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

/** A source whose records are fixed and go out synchronously the moment it is started. */
class ScriptedSource implements RecordSource {
  startedAt = 0;
  constructor(private readonly quotes: Quote[]) {}
  start(sink: SourceSink): void {
    this.startedAt = Date.now();
    sink.status({ type: 'source_status', venue: 'probe', ts: this.startedAt, state: 'open' });
    // A quote's recvTs is an offset from the start.
    for (const q of this.quotes) sink.record({ ...q, recvTs: this.startedAt + q.recvTs });
  }
  async stop(): Promise<void> {}
  health(): VenueHealthSnapshot[] {
    return [];
  }
}

const quote = (venue: string, mid: number): Quote => ({
  type: 'quote',
  venue,
  symbol: 'BTC-USD',
  ts: null,
  recvTs: 0,
  bid: mid - 0.5,
  bidSize: 1,
  ask: mid + 0.5,
  askSize: 1,
});

const until = async (pred: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each(['inprocess', 'nats'] as const)('start order on the %s bus', (kind) => {
  it('the first record after start is delivered to consumers subscribed before start', async () => {
    const tag = `so${process.pid}_${Date.now() % 1_000_000}`;
    const cfg = parseConfig({
      instruments: ['BTC-USD'],
      store: { dataDir: `/tmp/emp-${tag}` },
      bus: { kind, stream: `EMP_${tag}` },
      fusion: { publishEveryMs: 0 },
      analysis: { timeframes: ['1m'], indicators: [], strategies: [] },
    });
    const source = new ScriptedSource([quote('probe', 60_000), quote('probe', 60_010)]);
    const p = await LivePipeline.open(cfg, source, defaultParts(cfg));
    // A consumer on the pipeline's own bus (as the API gateway is) and, on NATS, a follower on
    // its own connection (as another process would be), both made just before start.
    const local: EmpEvent[] = [];
    p.bus.subscribe({}, (e) => local.push(e));
    let follower: NatsJetStreamBus | undefined;
    const remote: EmpEvent[] = [];
    if (kind === 'nats') {
      follower = await NatsJetStreamBus.connect({ stream: cfg.bus.stream });
      follower.subscribe({}, (e) => remote.push(e));
      await follower.ready();
    }
    await p.start();
    try {
      await until(() => local.some((e) => e.type === 'fused'), 10_000);
      const firstStatus = local.find((e) => e.type === 'source_status');
      expect(firstStatus).toMatchObject({ venue: 'probe', state: 'open', ts: source.startedAt });
      // The first fused price comes from the first quote: mid 60,000.
      const firstFused = local.find((e) => e.type === 'fused');
      expect(firstFused).toMatchObject({ symbol: 'BTC-USD', price: 60_000 });
      if (follower) {
        await until(() => remote.some((e) => e.type === 'fused'), 10_000);
        expect(remote[0]).toEqual(local[0]);
        expect(remote.find((e) => e.type === 'fused')).toEqual(firstFused);
      }
    } finally {
      await p.stop();
      await follower?.destroy();
      await follower?.close();
    }
  }, 30_000);
});

/** An analysis stage whose warm-up costs `msPerBar` of CPU per stored bar, as regime calibrations do. */
class SlowWarmStage implements BarAnalysis {
  readonly calls: { kind: 'warm' | 'bar'; ts: number; at: number }[] = [];
  constructor(private readonly msPerBar: number) {}
  warm(bar: Bar): void {
    const end = performance.now() + this.msPerBar;
    while (performance.now() < end) {
      // busy: the stage's own work
    }
    this.calls.push({ kind: 'warm', ts: bar.ts, at: performance.now() });
  }
  onBar(bar: Bar): void {
    if (bar.final) this.calls.push({ kind: 'bar', ts: bar.ts, at: performance.now() });
  }
}

/** One instrument, one timeframe, no history: what a restart reads is the stored bars alone. */
const restartConfig = (tag: string) =>
  parseConfig({
    instruments: ['BTC-USD'],
    store: { dataDir: `/tmp/emp-${tag}` },
    fusion: { publishEveryMs: 0 },
    simulator: { historyMs: 0 },
    analysis: { timeframes: ['1m'], indicators: [], strategies: [] },
  });

/** `n` stored one-minute bars ending two minutes ago. */
function storedBars(n: number): Bar[] {
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  return Array.from({ length: n }, (_, i) => {
    const px = 60_000 + i;
    return {
      type: 'bar',
      symbol: 'BTC-USD',
      timeframe: '1m',
      ts: end - (n - 1 - i) * 60_000,
      open: px,
      high: px + 1,
      low: px - 1,
      close: px,
      volume: 1,
      final: true,
    };
  });
}

/** A restart's store: `n` stored bars in a SQLite store of its own, and its config. */
async function restartStore(tag: string, n: number): Promise<{ cfg: ReturnType<typeof restartConfig>; stored: Bar[]; store: SqliteStore }> {
  const stored = storedBars(n);
  const store = new SqliteStore(`/tmp/emp-${tag}.sqlite`);
  await store.append({ bars: stored });
  return { cfg: restartConfig(tag), stored, store };
}

/**
 * A restart's pipeline on `store` with `stage` as its only analysis, fed two quotes a minute apart
 * on the source's clock (the second closes the first one's bar at once); `firstFusedAt()`: when
 * the first fused price was published (performance.now()).
 */
async function openRestart(
  cfg: ReturnType<typeof restartConfig>,
  store: SqliteStore,
  stage: SlowWarmStage,
): Promise<{ p: LivePipeline; firstFusedAt: () => number }> {
  const parts = { ...defaultParts(cfg), analysis: () => [stage] };
  const source = new ScriptedSource([quote('probe', 60_500), { ...quote('probe', 60_501), recvTs: 61_000 }]);
  const p = await LivePipeline.open(cfg, source, parts, undefined, { store });
  let first = Number.NaN;
  p.bus.subscribe({ types: ['fused'] }, () => {
    if (Number.isNaN(first)) first = performance.now();
  });
  return { p, firstFusedAt: () => first };
}

describe('a restart with a long analysis warm-up', () => {
  it('publishes fused prices while the stored bars warm the analysis, analyses new bars after them, and resolves start() once warm', async () => {
    // 400 stored bars: 400 × 3 ms = 1.2 s of warm-up.
    const { cfg, stored, store } = await restartStore(`sw${process.pid}_${Date.now() % 1_000_000}`, 400);
    const stage = new SlowWarmStage(3);
    const { p, firstFusedAt } = await openRestart(cfg, store, stage);
    try {
      await p.start();
      const resolvedAt = performance.now();
      const warms = stage.calls.filter((c) => c.kind === 'warm');
      expect(warms.map((c) => c.ts)).toEqual(stored.map((b) => b.ts));
      const lastWarm = (warms.at(-1) as { at: number }).at;
      // The fused price went out well before the warm-up ended (old order: only after it).
      expect(firstFusedAt()).toBeLessThan(lastWarm - 500);
      expect(resolvedAt).toBeGreaterThanOrEqual(lastWarm);
      // The new bar is analysed after every stored one.
      expect(stage.calls.findIndex((c) => c.kind === 'bar')).toBe(warms.length);
    } finally {
      await p.stop();
    }
  }, 30_000);
});

describe('a restart whose stored bars are slow to read (a store over the network)', () => {
  it('asks for the warm-up only once the sources have priced every instrument, and still analyses every stored bar before the new ones', async () => {
    const { cfg, stored, store: sqlite } = await restartStore(`sr${process.pid}_${Date.now() % 1_000_000}`, 50);
    // The warm-up's reads (many bars; the resume reads ask for one, or a span) answer 400 ms late.
    let warmAskedAt = Number.NaN;
    let warmReadAt = Number.NaN;
    const store = new Proxy(sqlite, {
      get(target, key) {
        if (key === 'bars')
          return async (q: Parameters<SqliteStore['bars']>[0]) => {
            if ((q.limit ?? 0) <= 1) return target.bars(q);
            if (Number.isNaN(warmAskedAt)) warmAskedAt = performance.now();
            await new Promise((r) => setTimeout(r, 400));
            warmReadAt = performance.now();
            return target.bars(q);
          };
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const stage = new SlowWarmStage(0);
    // The second quote closes the first one's bar at once: a new bar queued before the warm-up is read.
    const { p, firstFusedAt } = await openRestart(cfg, store, stage);
    try {
      const t0 = performance.now();
      await p.start();
      // Fused prices went out before the warm-up's reads answered (the old order: only after).
      expect(firstFusedAt() - t0).toBeLessThan(warmReadAt - t0 - 300);
      // Not even asked for before: a store with a few connections answers in the order asked, and
      // parsing the warm-up's rows would hold the venues' first records (both earlier orders did).
      expect(warmAskedAt).toBeGreaterThan(firstFusedAt());
      const warms = stage.calls.filter((c) => c.kind === 'warm');
      expect(warms.map((c) => c.ts)).toEqual(stored.map((b) => b.ts));
      // The new bar, queued first, is analysed after every stored one.
      expect(stage.calls.map((c) => c.kind)).toEqual([...warms.map(() => 'warm'), 'bar']);
    } finally {
      await p.stop();
    }
  }, 30_000);
});
