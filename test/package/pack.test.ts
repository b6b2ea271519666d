import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: built, packed with `npm pack`, unpacked into a fresh project's
 * node_modules (its dependencies resolve from this repository's node_modules, one level up, so
 * no network is needed), then every entry imported from plain ESM JavaScript and type-checked
 * from TypeScript.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRIES = ['', '/indicators', '/patterns', '/regimes', '/signals', '/fusion', '/sources', '/stream', '/server'];
// Inside the repository, so the unpacked package finds the dependencies in ROOT/node_modules.
const work = mkdtempSync(join(ROOT, '.pack-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

describe('the published package', () => {
  it('packs, installs and imports every entry from JavaScript and TypeScript', () => {
    run('npx', ['tsc', '-p', 'tsconfig.build.json'], ROOT);
    // Built just above: not again by `prepare` (bin/emp runs dist/ in the other tests meanwhile).
    run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const proj = join(work, 'app');
    const pkg = join(proj, 'node_modules', 'emp-market-data');
    mkdirSync(pkg, { recursive: true });
    run('tar', ['-xzf', join(work, tarball as string), '-C', pkg, '--strip-components=1'], work);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));

    // Plain ESM: every entry loads; the front door computes.
    writeFileSync(
      join(proj, 'use.mjs'),
      `${ENTRIES.map((e, i) => `import * as m${i} from 'emp-market-data${e}';`).join('\n')}
import { computeIndicator, FusionEngine, RegimeClassifier, scanCandlesticks, detectChartPatterns, generateSignals, MarketSimulator, createIndicator, listIndicators } from 'emp-market-data';
const close = Float64Array.from([1, 2, 3, 4, 5]);
const sma = computeIndicator('SMA', { time: close, open: close, high: close, low: close, close, volume: close }, { timeperiod: 3 });
const e = new FusionEngine();
for (const [v, p] of [['a', 100], ['b', 100.2], ['c', 99.9]]) e.onQuote({ venue: v, symbol: 'X-USD', ts: 1, recvTs: 1, bid: p, ask: p, bidSize: 0, askSize: 0 }, 1);
console.log(JSON.stringify({
  entries: [${ENTRIES.map((_, i) => `Object.keys(m${i}).length`).join(', ')}],
  sma: Array.from(sma.real ?? []),
  fused: e.evaluate('X-USD', 1).price,
  kinds: [typeof RegimeClassifier, typeof scanCandlesticks, typeof detectChartPatterns, typeof generateSignals, typeof MarketSimulator, typeof createIndicator],
  indicators: listIndicators().length,
}));
`,
    );
    const out = JSON.parse(run('node', ['use.mjs'], proj)) as {
      entries: number[];
      sma: number[];
      fused: number;
      kinds: string[];
      indicators: number;
    };
    for (const n of out.entries) expect(n).toBeGreaterThan(0);
    expect(out.sma.slice(2)).toEqual([2, 3, 4]);
    expect(out.fused).toBeCloseTo(100, 0);
    expect(out.kinds).toEqual(['function', 'function', 'function', 'function', 'function', 'function']);
    expect(out.indicators).toBeGreaterThan(50);

    // TypeScript: the declarations resolve through `exports` and type the API.
    writeFileSync(
      join(proj, 'use.ts'),
      `import { FusionEngine, type FusedPrice, computeIndicator } from 'emp-market-data';
import { listIndicators } from 'emp-market-data/indicators';
import { RegimeClassifier } from 'emp-market-data/regimes';
import { startServer } from 'emp-market-data/server';
const f: FusedPrice | undefined = new FusionEngine().fused('BTC-USD');
const n: number = listIndicators().length;
void [f, n, computeIndicator, RegimeClassifier, startServer];
`,
    );
    writeFileSync(
      join(proj, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], proj);
  }, 240_000);
});
