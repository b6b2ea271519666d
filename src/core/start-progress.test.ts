import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartProgress } from './start-progress.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('StartProgress', () => {
  it('names the steps pending, in the order they began, until each settles either way', async () => {
    const p = new StartProgress();
    let openStore: (v: string) => void = () => {};
    let failBus: (e: Error) => void = () => {};
    const store = p.track('the store', new Promise<string>((r) => (openStore = r)));
    const bus = p.track('the bus', new Promise<string>((_, j) => (failBus = j)));
    const api = p.track('the API', new Promise<void>(() => {}));
    expect(p.waitingFor()).toEqual(['the store', 'the bus', 'the API']);
    openStore('open');
    // The caller's promise is the one given: its value and its failure are the caller's.
    expect(await store).toBe('open');
    failBus(new Error('refused'));
    await expect(bus).rejects.toThrow('refused');
    expect(p.waitingFor()).toEqual(['the API']);
    void api;
  });

  it('the same name twice is two steps', async () => {
    const p = new StartProgress();
    let first: () => void = () => {};
    p.track('a read', new Promise<void>((r) => (first = r)));
    p.track('a read', new Promise<void>(() => {}));
    first();
    await Promise.resolve();
    expect(p.waitingFor()).toEqual(['a read']);
  });

  it('reports what is pending every interval until stopped', async () => {
    vi.useFakeTimers();
    const p = new StartProgress();
    const reports: [string[], number][] = [];
    const stop = p.watch(20_000, (w, ms) => reports.push([w, ms]));
    let done: () => void = () => {};
    p.track('the venues', new Promise<void>((r) => (done = r)));
    vi.advanceTimersByTime(19_999);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([[['the venues'], 20_000]]);
    done();
    await Promise.resolve();
    vi.advanceTimersByTime(20_000);
    expect(reports[1]).toEqual([[], 40_000]);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(reports).toHaveLength(2);
  });
});
