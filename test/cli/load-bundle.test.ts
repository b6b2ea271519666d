import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside bin/emp, without declarations
import { loadBundle } from '../../bin/load-bundle.mjs';

type Load = (file: string, opts?: { writeCache?: boolean }) => Record<string, unknown>;
const load = loadBundle as Load;
const dir = mkdtempSync(join(tmpdir(), 'emp-load-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS file as the build writes one: exports, `require` of a built-in, its own path. */
function bundle(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `const { basename } = require('node:path');
exports.where = basename(__filename);
exports.strict = (function () { return this === undefined; })();
${body}`,
  );
  return file;
}

describe('bin/load-bundle.mjs', () => {
  it('runs a CommonJS bundle as Node would, strict, and gives the same exports with the cache it wrote', () => {
    const file = bundle('a.cjs', 'exports.sum = (a, b) => a + b;');
    const first = load(file, { writeCache: true });
    expect(statSync(`${file}.v8cache`).size).toBeGreaterThan(0);
    const second = load(file);
    for (const m of [first, second]) {
      expect(m.where).toBe('a.cjs');
      expect(m.strict).toBe(true);
      expect((m.sum as (a: number, b: number) => number)(2, 3)).toBe(5);
    }
  });

  it('a cache V8 cannot use, or one older than the bundle, is ignored: the source is compiled', () => {
    const file = bundle('b.cjs', 'exports.answer = 42;');
    writeFileSync(`${file}.v8cache`, Buffer.from('not a code cache'));
    expect(load(file).answer).toBe(42);
    // A rebuilt bundle after its cache: the cache is stale.
    load(file, { writeCache: true });
    bundle('b.cjs', 'exports.answer = 43;');
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${file}.v8cache`, past, past);
    expect(load(file).answer).toBe(43);
  });
});
