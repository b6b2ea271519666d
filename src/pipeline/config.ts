/** The service's configuration: one schema, the type inferred from it, strict about unknown keys. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { TIMEFRAMES } from '../core/time.ts';
import { VENUE_NAMES } from '../sources/venue-registry.ts';
import { DEFAULT_POSTGRES_URL } from '../store/postgres.ts';
import { DEFAULT_SQLITE_CACHE_MB } from '../store/store.ts';

const configSchema = z.strictObject({
  /** Instruments, fused across the venues that list them: crypto in USD terms, FX pairs as themselves. */
  instruments: z
    .array(z.string().regex(/^[A-Z0-9]+-[A-Z0-9]+$/, 'instrument ids look like BTC-USD'))
    .min(1)
    .default(['BTC-USD', 'ETH-USD', 'SOL-USD', 'EUR-USD']),
  venues: z
    .array(z.enum(VENUE_NAMES))
    .min(1)
    .default([...VENUE_NAMES]),
  /** Connect to the real venues instead of the simulator. */
  live: z.boolean().default(false),
  simulator: z
    .strictObject({
      seed: z.number().int().default(1),
      /** Simulated seconds per wall-clock second. */
      speed: z.number().positive().max(1000).default(1),
      faults: z.boolean().default(true),
      /**
       * Transport faults on the loopback venues (down, silent, clients cut off, malformed and
       * oversized frames) every `meanGapMs` on average; off by default (`npm run soak` turns it on).
       */
      chaos: z
        .strictObject({
          meanGapMs: z.number().int().min(10),
          outageMs: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
        })
        .optional(),
      /** ws: each venue served on a loopback socket in its own protocol and read by its real adapter; memory: in-process. */
      transport: z.enum(['ws', 'memory']).default('ws'),
      /**
       * Where the simulated venues' servers (and the simulator) run with `transport: ws`: on the
       * pipeline's thread (default; tests read and fault their books there), or in a worker thread
       * of their own, so the pipeline's event loop only reads the venues, as it reads real ones.
       * The worker reads more records a second at high speeds, but on a 2-core machine it made a
       * restart under load slower (README, Reliability): hence not the default.
       */
      thread: z.enum(['main', 'worker']).default('main'),
      /**
       * History generated before going live (ms of 1-minute bars, default two days), run through
       * the bars and analysis like live data, so charts, indicators and regimes are warm at once.
       * Stored bars are reused: only the part after the last stored 1-minute bar is generated.
       */
      historyMs: z
        .number()
        .int()
        .min(0)
        .max(30 * 86_400_000)
        .default(2 * 86_400_000),
    })
    .prefault({}),
  fusion: z
    .strictObject({
      /** A source with no message, or no change of its quote, for this long is stale (ms). */
      maxAgeMs: z.number().int().positive().default(5000),
      /** Fused prices go out on the bus at most this often per instrument (wall-clock ms; 0: every update). */
      publishEveryMs: z.number().int().min(0).default(200),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      token: z.string().min(8, 'API tokens are at least 8 characters').optional(),
      origins: z.array(z.string()).default([]),
    })
    .prefault({}),
  store: z
    .strictObject({
      kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
      dataDir: z.string().default('.emp-data'),
      /**
       * The shared store (`EMP_DATABASE_URL` overrides). The default is the local development
       * server: user `postgres`, no password (trust auth), database `test`.
       */
      postgresUrl: z.string().default(DEFAULT_POSTGRES_URL),
      postgresSchema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier')
        .default('emp'),
      /**
       * SQLite's page cache (MB). Appends need only a few hundred KB of it; more holds pages
       * written once, filling at the write rate after every start (README, Store).
       */
      sqliteCacheMb: z.number().min(0.5).max(4096).default(DEFAULT_SQLITE_CACHE_MB),
      /** Fused prices are stored at most once per this many ms per instrument. */
      fusedEveryMs: z.number().int().min(0).default(1000),
      /** Rows older than this many days are deleted (absent: kept forever); events are signals, regimes, alerts, conflicts. */
      retentionDays: z
        .strictObject({
          bars: z.number().positive().optional(),
          fused: z.number().positive().default(7),
          events: z.number().positive().optional(),
        })
        .prefault({}),
      /** Retention runs at start and then this often (ms). */
      pruneEveryMs: z.number().int().min(1000).default(3_600_000),
    })
    .prefault({}),
  bus: z
    .strictObject({
      kind: z.enum(['inprocess', 'nats']).default('inprocess'),
      /** NATS server(s) (`EMP_NATS_URL` overrides). */
      natsUrl: z.string().default('127.0.0.1:4222'),
      /**
       * JetStream stream name; subjects are `<name in lower case>.out.<type>.<symbol>` for outputs
       * and `<name in lower case>.records.<venue>.<instrument>` for the ingest role's records.
       */
      stream: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .default('EMP'),
      /**
       * How long the stream keeps messages (ms, default one hour): the longest an analyze
       * process may be down and still resume without loss.
       */
      maxAgeMs: z.number().int().positive().default(3_600_000),
      /** Size limit of the stream in bytes (oldest dropped first; -1: none, the default). */
      maxBytes: z.number().int().min(-1).default(-1),
    })
    .prefault({}),
  analysis: z
    .strictObject({
      /** Timeframes of bars built from fused prices. */
      timeframes: z
        .array(z.enum(TIMEFRAMES))
        .min(1)
        .default([...TIMEFRAMES]),
      /** Timeframe the regime detector and signal engine run on. */
      regimeTimeframe: z.enum(TIMEFRAMES).default('1m'),
      /**
       * Fat-tailed regimes (absent: Gaussian alone, the default): the regime classifier also reads
       * each regime as a Student t with this many degrees of freedom, weighed by evidence (as
       * `emp regimes --tails`). Fewer label changes on real feeds, about twice the classifier's CPU.
       */
      regimeTails: z.number().gt(2).optional(),
      /** Streaming indicators on every timeframe: `NAME` or `NAME:param=value,...` (TA-Lib names). */
      indicators: z
        .array(z.string().regex(/^[A-Za-z0-9_]+(:[a-z0-9_]+=[-0-9.]+(,[a-z0-9_]+=[-0-9.]+)*)?$/))
        .default(['SMA:timeperiod=20', 'EMA:timeperiod=50', 'BBANDS:timeperiod=20', 'RSI:timeperiod=14', 'MACD', 'ATR:timeperiod=14']),
      signalTimeframe: z.enum(TIMEFRAMES).default('1m'),
      /** Strategies run live on `signalTimeframe` (see `emp signals --help`). */
      strategies: z
        .array(z.enum(['trend_following', 'mean_reversion', 'breakout', 'ma_cross']))
        .default(['trend_following', 'mean_reversion']),
    })
    .prefault({}),
  runtime: z
    .strictObject({
      /**
       * How far V8 lets the old generation grow past what survived the last full collection before
       * it collects again (percent). Left to itself V8 allows up to 300 % on a machine with plenty
       * of memory: the service's ~45 MB live heap then held up to ~190 MB of old space, and RSS
       * swung with it. Lower keeps RSS near the live set for more frequent collections (README,
       * Reliability: measured); 0 leaves V8's choice. Process-wide, so worker threads follow it.
       */
      heapGrowthPercent: z.number().int().min(0).max(400).default(50),
    })
    .prefault({}),
});

export type ServiceConfig = z.infer<typeof configSchema>;

/** Validates a config object; errors name the offending key. */
export function parseConfig(raw: unknown, origin = 'config'): ServiceConfig {
  const r = configSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const msgs = r.error.issues.map((i) => {
    const path = i.path.join('.');
    if (i.code === 'unrecognized_keys')
      return `${origin}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${path ? `${path}.` : ''}${k}"`).join(', ')}`;
    return `${origin}: ${path || '(root)'}: ${i.message}`;
  });
  throw new ConfigError(msgs.join('; '));
}

export function loadConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read config file`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
