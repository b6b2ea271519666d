import fc from 'fast-check';
import lzma from 'lzma';
import { describe, expect, it } from 'vitest';
import { decodeLzmaAlone, LzmaError, readLzmaHeader } from './lzma-decoder.ts';

/** The reference encoder (LZMA-JS, the SDK's port), bytes unsigned. */
const compress = (data: Uint8Array, mode: number): Uint8Array => Uint8Array.from(lzma.compress(Array.from(data), mode), (b) => b & 0xff);

/** Data LZMA finds structure in: runs, repeats and noise, like tick rows. */
const compressible = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 300 })).map(([b, n]) => new Uint8Array(n).fill(b)),
      fc.constantFrom(Uint8Array.from([0, 0, 3, 232, 0, 1, 171, 88, 0, 1, 171, 86])),
    ),
    { maxLength: 60 },
  )
  .map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  });

/** Whatever the input, the decoder returns or throws LzmaError: never another error, never unbounded. */
function decodeOrLzmaError(bytes: Uint8Array, max: number): Uint8Array | LzmaError {
  try {
    const out = decodeLzmaAlone(bytes, max);
    expect(out.length).toBeLessThanOrEqual(max);
    return out;
  } catch (err) {
    if (err instanceof LzmaError) return err;
    throw err;
  }
}

describe('decodeLzmaAlone', () => {
  it('inverts the reference encoder at every level (fast-check)', () => {
    fc.assert(
      fc.property(compressible, fc.integer({ min: 1, max: 9 }), (data, mode) => {
        expect(decodeLzmaAlone(compress(data, mode), 1 << 20)).toEqual(data);
      }),
      { numRuns: 150 },
    );
  });

  it('reads the header: lc/lp/pb, dictionary and declared size', () => {
    const h = readLzmaHeader(compress(new Uint8Array(1234), 1));
    expect(h).toEqual({ lc: 3, lp: 0, pb: 2, dictSize: 65536, size: 1234 });
    const unsized = compress(new Uint8Array(10), 1);
    unsized.fill(0xff, 5, 13);
    expect(readLzmaHeader(unsized).size).toBeNull();
  });

  it('every truncation is a "truncated" or "corrupt" LzmaError', () => {
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => ((i * 7919) % 251) ^ (i >> 5));
    const full = compress(data, 5);
    for (let cut = 0; cut < full.length; cut += Math.max(1, Math.floor(full.length / 400))) {
      const r = decodeOrLzmaError(full.subarray(0, cut), 1 << 20);
      expect(r).toBeInstanceOf(LzmaError);
      expect((r as LzmaError).message).toMatch(/truncated|corrupt|shorter than an LZMA header/);
    }
  });

  it('corrupted streams fail cleanly, within the bound (fast-check: flips, overwrites, cuts)', () => {
    const data = Uint8Array.from({ length: 8_000 }, (_, i) => (i % 20 < 4 ? i >> 8 : (i * 31) % 256));
    const good = compress(data, 3);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(good.length),
        (edits, cut) => {
          const bad = good.slice(0, Math.max(cut, 14));
          for (const [at, x] of edits) if (at < bad.length) bad[at] = (bad[at] as number) ^ x;
          decodeOrLzmaError(bad, 16_000);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('arbitrary bytes never throw anything but LzmaError (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        decodeOrLzmaError(bytes, 4096);
      }),
      { numRuns: 1000 },
    );
  });

  it('a header declaring more than the bound is refused before decoding', () => {
    const f = compress(new Uint8Array(100), 1);
    expect(() => decodeLzmaAlone(f, 99)).toThrow(/declares 100 bytes, more than the 99 allowed/);
    // 2^40 declared: refused, nothing allocated.
    const huge = f.slice();
    huge[10] = 1;
    expect(() => decodeLzmaAlone(huge, 72_000_000)).toThrow(/more than the 72000000 allowed/);
  });

  it('an unsized stream ends at its marker, and may not pass the bound', () => {
    const data = Uint8Array.from({ length: 5000 }, (_, i) => i % 7);
    const f = compress(data, 1);
    f.fill(0xff, 5, 13);
    expect(decodeLzmaAlone(f, 6000)).toEqual(data);
    expect(() => decodeLzmaAlone(f, 4000)).toThrow(/output would pass 4000 bytes/);
  });
});
