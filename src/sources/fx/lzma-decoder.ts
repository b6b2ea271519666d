/**
 * A bounded decoder for the LZMA "alone" format (.lzma, as in Dukascopy's .bi5 files): 13-byte
 * header (properties byte, dictionary size, uncompressed size as little-endian 64-bit, all ones
 * for "unknown, ends with a marker"), then the range-coded stream.
 *
 * Written for hostile input: the output is allocated once at the declared size (refused above
 * `maxOutputBytes` before anything is decoded), every read past the input's end is an error
 * ("truncated"), a match reaching before the start of the output or past the declared size is an
 * error ("corrupt"), and the range coder must end clean. A bad file costs at most its declared
 * size in memory and one pass over its bytes: it cannot grow memory without bound or hang.
 */

export class LzmaError extends Error {}

const PROB_INIT = 1024;
const STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const MATCH_MIN_LEN = 2;

// Offsets into one Uint16Array of probabilities.
const IS_MATCH = 0;
const IS_REP = IS_MATCH + STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + STATES;
const IS_REP_G1 = IS_REP_G0 + STATES;
const IS_REP_G2 = IS_REP_G1 + STATES;
const IS_REP0_LONG = IS_REP_G2 + STATES;
const POS_SLOT = IS_REP0_LONG + STATES * POS_STATES_MAX;
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + 1 + FULL_DISTANCES - END_POS_MODEL_INDEX;
// A length coder: choice, choice2, low[16][8], mid[16][8], high[256].
const LEN_CHOICE = 0;
const LEN_CHOICE2 = 1;
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_SIZE = LEN_HIGH + 256;
const LEN_CODER = ALIGN + (1 << ALIGN_BITS);
const REP_LEN_CODER = LEN_CODER + LEN_SIZE;
const LITERAL = REP_LEN_CODER + LEN_SIZE;

export interface LzmaHeader {
  lc: number;
  lp: number;
  pb: number;
  dictSize: number;
  /** Bytes the stream decodes to; null when the header leaves it to an end marker. */
  size: number | null;
}

/** Reads the 13-byte header; throws LzmaError on one that no encoder writes. */
export function readLzmaHeader(bytes: Uint8Array): LzmaHeader {
  if (bytes.length < 13) throw new LzmaError(`${bytes.length} bytes, shorter than an LZMA header (13)`);
  let d = bytes[0] as number;
  if (d >= 9 * 5 * 5) throw new LzmaError(`not LZMA (properties byte ${d})`);
  const lc = d % 9;
  d = (d - lc) / 9;
  const lp = d % 5;
  const pb = (d - lp) / 5;
  const dictSize = ((bytes[1] as number) | ((bytes[2] as number) << 8) | ((bytes[3] as number) << 16) | ((bytes[4] as number) << 24)) >>> 0;
  let unknown = true;
  let size = 0;
  for (let i = 0; i < 8; i++) {
    const b = bytes[5 + i] as number;
    if (b !== 0xff) unknown = false;
    size += b * 2 ** (8 * i);
  }
  return { lc, lp, pb, dictSize, size: unknown ? null : size };
}

/**
 * Decodes a whole .lzma ("alone") stream. `maxOutputBytes` bounds the result: a header declaring
 * more, or an unsized stream running past it, is refused.
 */
export function decodeLzmaAlone(bytes: Uint8Array, maxOutputBytes: number): Uint8Array {
  const h = readLzmaHeader(bytes);
  if (h.size !== null && h.size > maxOutputBytes)
    throw new LzmaError(`header declares ${h.size} bytes, more than the ${maxOutputBytes} allowed`);
  let out = new Uint8Array(h.size ?? Math.min(maxOutputBytes, Math.max(4096, bytes.length * 8)));
  const outSize = h.size ?? maxOutputBytes;
  if (outSize === 0 && h.size !== null) return out;

  const probs = new Uint16Array(LITERAL + (0x300 << (h.lc + h.lp))).fill(PROB_INIT);
  const pbMask = (1 << h.pb) - 1;
  const lpMask = (1 << h.lp) - 1;
  const lc = h.lc;

  // Range decoder over bytes[13..]. Range and code stay below 2^32 as plain numbers.
  let inPos = 13;
  const inEnd = bytes.length;
  const next = (): number => {
    if (inPos >= inEnd) throw new LzmaError(`truncated: input ends after ${inEnd} bytes`);
    return bytes[inPos++] as number;
  };
  if (next() !== 0) throw new LzmaError('corrupt: the range coder must start with a zero byte');
  let range = 0xffffffff;
  let code = 0;
  for (let i = 0; i < 4; i++) code = code * 256 + next();
  if (code === range) throw new LzmaError('corrupt: bad range coder start');

  const bit = (i: number): number => {
    const p = probs[i] as number;
    const bound = (range >>> 11) * p;
    let b: number;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      range -= bound;
      code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (range < 0x1000000) {
      range *= 256;
      code = code * 256 + next();
    }
    return b;
  };
  const direct = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      range = Math.floor(range / 2);
      let b = 0;
      if (code >= range) {
        code -= range;
        b = 1;
      }
      v = v * 2 + b;
      if (range < 0x1000000) {
        range *= 256;
        code = code * 256 + next();
      }
    }
    return v;
  };
  const tree = (base: number, nBits: number): number => {
    let m = 1;
    for (let i = 0; i < nBits; i++) m = (m << 1) + bit(base + m);
    return m - (1 << nBits);
  };
  const reverseTree = (base: number, nBits: number): number => {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < nBits; i++) {
      const b = bit(base + m);
      m = (m << 1) + b;
      sym |= b << i;
    }
    return sym;
  };
  const length = (coder: number, posState: number): number => {
    if (bit(coder + LEN_CHOICE) === 0) return tree(coder + LEN_LOW + posState * 8, 3);
    if (bit(coder + LEN_CHOICE2) === 0) return 8 + tree(coder + LEN_MID + posState * 8, 3);
    return 16 + tree(coder + LEN_HIGH, 8);
  };

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  let sawMarker = false;
  const room = (n: number): void => {
    if (pos + n <= out.length) return;
    // Only unsized streams grow, doubling, never past the bound.
    if (h.size !== null || pos + n > outSize) throw new LzmaError(`corrupt: output would pass ${outSize} bytes`);
    const bigger = new Uint8Array(Math.min(outSize, Math.max(out.length * 2, pos + n)));
    bigger.set(out);
    out = bigger;
  };

  for (;;) {
    // At the declared size the stream either ends clean or carries an end marker (both legal);
    // anything else decoded here fails `room()`.
    if (pos === outSize && (h.size === null || code === 0)) break;
    const posState = pos & pbMask;
    if (bit(IS_MATCH + state * POS_STATES_MAX + posState) === 0) {
      const prev = pos > 0 ? (out[pos - 1] as number) : 0;
      const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
      let sym = 1;
      if (state >= 7) {
        if (rep0 >= pos) throw new LzmaError('corrupt: match distance before the start');
        let matchByte = out[pos - rep0 - 1] as number;
        while (sym < 0x100) {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const b = bit(base + ((1 + matchBit) << 8) + sym);
          sym = (sym << 1) | b;
          if (matchBit !== b) break;
        }
      }
      while (sym < 0x100) sym = (sym << 1) | bit(base + sym);
      room(1);
      out[pos++] = sym - 0x100;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (bit(IS_REP + state) !== 0) {
      if (pos === 0) throw new LzmaError('corrupt: repeated match at the start');
      if (bit(IS_REP_G0 + state) === 0) {
        if (bit(IS_REP0_LONG + state * POS_STATES_MAX + posState) === 0) {
          // Short rep: one byte from rep0.
          state = state < 7 ? 9 : 11;
          room(1);
          out[pos] = out[pos - rep0 - 1] as number;
          pos++;
          continue;
        }
      } else {
        let dist: number;
        if (bit(IS_REP_G1 + state) === 0) dist = rep1;
        else {
          if (bit(IS_REP_G2 + state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(REP_LEN_CODER, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(LEN_CODER, posState);
      state = state < 7 ? 7 : 10;
      // Distance: a 6-bit slot by length, then the slot's extra bits.
      const slot = tree(POS_SLOT + Math.min(len, 3) * 64, 6);
      if (slot < 4) rep0 = slot;
      else {
        const nDirect = (slot >>> 1) - 1;
        let dist = (2 + (slot & 1)) * 2 ** nDirect;
        if (slot < END_POS_MODEL_INDEX) dist += reverseTree(SPEC_POS + dist - slot, nDirect);
        else dist += direct(nDirect - ALIGN_BITS) * 16 + reverseTree(ALIGN, ALIGN_BITS);
        rep0 = dist;
      }
      if (rep0 === 0xffffffff) {
        sawMarker = true;
        break;
      }
      if (rep0 >= pos || rep0 >= Math.max(h.dictSize, 4096)) throw new LzmaError(`corrupt: match distance ${rep0 + 1} at byte ${pos}`);
    }
    len += MATCH_MIN_LEN;
    room(len);
    // Byte by byte: source and destination may overlap (a run).
    for (let src = pos - rep0 - 1, end = pos + len; pos < end; ) out[pos++] = out[src++] as number;
  }
  if (h.size === null && !sawMarker) throw new LzmaError(`corrupt: no end marker within ${outSize} bytes`);
  if (code !== 0) throw new LzmaError('corrupt: range coder did not end clean');
  return h.size === null ? out.subarray(0, pos) : out;
}
