import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from './suggest.ts';

describe('suggest', () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('inptu', 'input')).toBe(1);
    expect(editDistance('input', 'input')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('finds near misses and unique prefixes, ignoring dashes and case', () => {
    expect(suggest('--inptu', ['--input', '--interval', '--out'])).toEqual(['--input']);
    expect(suggest('patern', ['patterns', 'regimes', 'signals'])).toEqual(['patterns']);
    expect(suggest('EPOCH_MS', ['epoch-s', 'epoch-ms', 'iso'])).toEqual(['epoch-ms']);
    expect(suggest('--strat', ['--strategy', '--horizon'])).toEqual(['--strategy']);
  });
  it('suggests nothing for a word far from every candidate', () => {
    expect(suggest('--banana', ['--input', '--format'])).toEqual([]);
    expect(didYouMean('zzz', ['json', 'csv'])).toBe('');
    expect(didYouMean('jsno', ['json', 'csv'])).toBe('; did you mean json?');
  });
});
