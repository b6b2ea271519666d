import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule of DESIGN.md, checked on every import of every source file: each folder may
 * import only the layers below it, analytics import no I/O (no Node built-ins), and nothing
 * imports the pipeline, the server or the command line except the layers above them.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const ANALYTICS = ['indicators', 'patterns', 'regimes', 'signals'];

/** Which top-level folders under src/ each folder may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  indicators: ['core'],
  patterns: ['core', 'indicators'],
  regimes: ['core', 'indicators', 'patterns'],
  signals: ['core', 'indicators', 'patterns', 'regimes'],
  fusion: ['core'],
  stream: ['core'],
  sources: ['core', 'stream'],
  bus: ['core'],
  store: ['core'],
  pipeline: ['core', ...ANALYTICS, 'fusion', 'stream', 'sources', 'bus', 'store'],
  server: ['core', ...ANALYTICS, 'fusion', 'stream', 'sources', 'bus', 'store', 'pipeline'],
  cli: ['core', ...ANALYTICS, 'fusion', 'stream', 'sources', 'bus', 'store', 'pipeline', 'server'],
  // src/index.ts, the package's front door: browser-safe layers only.
  root: ['core', ...ANALYTICS, 'fusion', 'sources'],
  // The dashboard runs the analytics in the browser; everything else only over the public API.
  web: ['core', ...ANALYTICS],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'dist' || f === 'node_modules' ? [] : files(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic, types included). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1] as string);
  return out;
}

/** The layer a path under the repository belongs to: src/<layer>/… or web/… */
function layerOf(abs: string): string | undefined {
  const rel = relative(ROOT, abs).split(/[\\/]/);
  if (rel[0] === 'src') return rel.length === 2 ? 'root' : rel[1];
  if (rel[0] === 'web') return 'web';
  return undefined;
}

const sources = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'web', 'src'))];
/** Loads the native TA-Lib binding for parity tests and benches: test support, never shipped code. */
const TALIB_REFERENCE = join(ROOT, 'src', 'indicators', 'talib-reference.ts');

describe('layers (DESIGN.md)', () => {
  it('sees the whole tree', () => {
    expect(sources.length).toBeGreaterThan(100);
    for (const f of sources) expect(MAY_IMPORT[layerOf(f) as string], f).toBeDefined();
  });

  it('every import points down', () => {
    const wrong: string[] = [];
    for (const f of sources) {
      const from = layerOf(f) as string;
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(resolve(f, '..', spec));
        if (to === undefined || to === from) continue;
        if (!(MAY_IMPORT[from] ?? []).includes(to)) wrong.push(`${relative(ROOT, f)} imports ${spec} (${from} → ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the TA-Lib reference binding is used by tests and benches only', () => {
    const users = sources.filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s.endsWith('talib-reference.ts')));
    expect(users.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('analytics and core import no Node built-ins or I/O packages (they run in the browser)', () => {
    const io: string[] = [];
    for (const f of sources) {
      const layer = layerOf(f) as string;
      if (![...ANALYTICS, 'core'].includes(layer) || f === TALIB_REFERENCE) continue;
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        if (spec.startsWith('node:') || ['fs', 'path', 'ws', 'pg', 'better-sqlite3', 'fastify', 'pino'].includes(spec))
          io.push(`${relative(ROOT, f)} imports ${spec}`);
      }
    }
    expect(io).toEqual([]);
  });
});
