/**
 * Start order: every consumer is ready before a source starts, so the very first record after
 * start reaches them, on the in-process bus and on NATS JetStream (127.0.0.1:4222, as `.ci/run`
 * ensures). No sleep between subscribing and starting: that wait is what the pipeline must do.
 */
import { describe, expect, it } from 'vitest';
import { NatsJetStreamBus } from '../../src/bus/nats.ts';
import type { EmpEvent } from '../../src/core/events.ts';
import type { Quote } from '../../src/core/market.ts';
import { parseConfig } from '../../src/pipeline/config.ts';
import { LivePipeline } from '../../src/pipeline/live-pipeline.ts';
import { defaultParts } from '../../src/pipeline/parts.ts';
import type { RecordSource, SourceSink, VenueHealthSnapshot } from '../../src/pipeline/stages.ts';

/** A source whose records are fixed and go out synchronously the moment it is started. */
class ScriptedSource implements RecordSource {
  startedAt = 0;
  constructor(private readonly quotes: Quote[]) {}
  start(sink: SourceSink): void {
    this.startedAt = Date.now();
    sink.status({ type: 'source_status', venue: 'probe', ts: this.startedAt, state: 'open' });
    for (const q of this.quotes) sink.record({ ...q, recvTs: this.startedAt });
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
