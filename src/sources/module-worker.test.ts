import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { firstMessage, startModuleWorker } from './module-worker.ts';

const ENTRIES = pathToFileURL(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'worker-entries.ts')).href;

describe('firstMessage: a worker start that ends one way or another', () => {
  it('resolves with the first message; a later error reaches the listener attached after it', async () => {
    const worker = startModuleWorker(ENTRIES, 'readyThenFail');
    expect(await firstMessage<{ ready: boolean }>(worker, 'fixture')).toEqual({ ready: true });
    // Its own listeners are gone: none would take an event meant for the caller's.
    expect([worker.listenerCount('message'), worker.listenerCount('error')]).toEqual([0, 0]);
    const later = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(later.message).toBe('failed after ready');
    await worker.terminate();
  }, 20_000);

  it('rejects with the error of a worker that fails before it is ready', async () => {
    const worker = startModuleWorker(ENTRIES, 'failAtStart');
    await expect(firstMessage(worker, 'fixture')).rejects.toThrow('failed at start');
  }, 20_000);

  it('rejects, naming the worker and its exit code, when a worker ends without a word', async () => {
    const worker = startModuleWorker(ENTRIES, 'endSilently');
    await expect(firstMessage(worker, 'fixture')).rejects.toThrow('fixture: the worker exited (0) before it was ready');
  }, 20_000);
});
