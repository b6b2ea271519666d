import { describe, expect, it } from 'vitest';
import { openTogether } from './open-together.ts';

const settleAfter = <T>(ms: number, v: T): Promise<T> => new Promise((r) => setTimeout(() => r(v), ms));

describe('openTogether', () => {
  it('resolves with every resource in the order given, whatever order they open in', async () => {
    const released: unknown[] = [];
    const [a, b, c] = await openTogether<[string, number, boolean]>([
      [settleAfter(60, 'a'), async (x) => void released.push(x)],
      [settleAfter(5, 2), async (x) => void released.push(x)],
      [settleAfter(30, true), async (x) => void released.push(x)],
    ]);
    expect([a, b, c]).toEqual(['a', 2, true]);
    expect(released).toEqual([]);
  });

  it('on a failure releases every resource that opened, even one that opened after the failure, and rethrows it', async () => {
    const released: string[] = [];
    const failure = new Error('port in use');
    const opening = openTogether<[string, string, string]>([
      [settleAfter(10, 'store'), async (x) => void released.push(x)],
      [settleAfter(20, '').then(() => Promise.reject(failure)), async () => void released.push('never')],
      [settleAfter(60, 'venues'), async (x) => void released.push(x)],
    ]);
    await expect(opening).rejects.toBe(failure);
    expect(released.sort()).toEqual(['store', 'venues']);
  });

  it('a release that fails does not hide the failure that caused it', async () => {
    const failure = new Error('no database');
    const opening = openTogether<[number, number]>([
      [Promise.resolve(1), () => Promise.reject(new Error('close failed'))],
      [Promise.reject(failure), async () => {}],
    ]);
    await expect(opening).rejects.toBe(failure);
  });
});
