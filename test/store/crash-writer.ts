// Child process for crash.test.ts: appends batches forever, printing the number of bars
// committed after each append resolves, until it is killed.
import { SqliteStore } from '../../src/store/sqlite.ts';

const file = process.argv[2] as string;
const store = new SqliteStore(file);
const T0 = Date.UTC(2026, 0, 1);
let n = 0;
for (;;) {
  const bars = Array.from({ length: 200 }, (_, k) => {
    const i = n + k;
    return {
      type: 'bar' as const,
      symbol: 'BTC-USD',
      timeframe: '1m' as const,
      ts: T0 + i * 60_000,
      open: i,
      high: i + 1,
      low: i - 1,
      close: i,
      volume: i,
      final: true,
    };
  });
  await store.append({
    bars,
    alerts: [{ type: 'alert', kind: 'volatility_spike', severity: 'info', symbol: null, ts: T0 + n, message: `batch ${n}` }],
  });
  n += 200;
  process.stdout.write(`${n}\n`);
}
