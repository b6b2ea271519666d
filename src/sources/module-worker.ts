/**
 * A worker thread that runs one exported function of a module, loaded the way bin/emp loads the
 * service: a build's JavaScript as it is, TypeScript sources through tsx (tests, a source checkout).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/**
 * Set only in bin/emp's single-file build (scripts/bundle.mjs): the file beside it that holds the
 * worker entry points, since there `import.meta.url` is the whole command line's file.
 */
declare const EMP_WORKER_BUNDLE: string | undefined;

/** A running worker's V8 heap, as it last reported it: memory that the process's own heap figures leave out. */
export interface WorkerHeap {
  /** The function the worker runs. */
  readonly worker: string;
  readonly threadId: number;
  /** Bytes reserved by its heap, in use in it (live and not yet collected), and held outside it (ArrayBuffers, strings). */
  heapTotal: number;
  heapUsed: number;
  external: number;
}

interface Running {
  heap: WorkerHeap;
  port: MessagePort;
  /** Waiting for the next report (`refreshWorkerHeaps`). */
  waiting: (() => void)[];
}

const running = new Set<Running>();
// Each worker reports at start, every 10 s and when asked, on a port of its own (its parent's
// messages are the module's), which neither side lets keep its thread alive.
const REPORT_MS = 10_000;

/** The heaps of the workers running now (started by `startModuleWorker`), as last reported. */
export function workerHeaps(): WorkerHeap[] {
  return [...running].map((r) => r.heap);
}

/** Asks every running worker for a fresh report; resolves when each has answered or exited (at most `timeoutMs`). */
export async function refreshWorkerHeaps(timeoutMs = 2000): Promise<void> {
  await Promise.all(
    [...running].map(
      (r) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          r.waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
          r.port.postMessage('report');
        }),
    ),
  );
}

/** Starts `exportName` of the module at `moduleUrl` (an `import.meta.url`) in a new worker; it reads `data` as `workerData.data`. */
export function startModuleWorker(moduleUrl: string, exportName: string, data?: unknown): Worker {
  const require = createRequire(import.meta.url);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(
    `(async () => {
      const { workerData } = require('node:worker_threads');
      const { getHeapStatistics } = require('node:v8');
      const heap = workerData.heap;
      const report = () => {
        const h = getHeapStatistics();
        heap.postMessage([h.total_heap_size, h.used_heap_size, h.external_memory]);
      };
      heap.on('message', report);
      heap.unref();
      setInterval(report, ${REPORT_MS}).unref();
      report();
      if (workerData.module.endsWith('.ts')) (await import(workerData.tsx)).register();
      await (await import(workerData.module))[workerData.exportName]();
    })();`,
    {
      eval: true,
      workerData: {
        // tsx's ESM entry (its CommonJS one cannot be imported from here).
        tsx: pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href,
        module: typeof EMP_WORKER_BUNDLE === 'string' ? new URL(EMP_WORKER_BUNDLE, moduleUrl).href : moduleUrl,
        exportName,
        data,
        heap: port2,
      },
      transferList: [port2],
    },
  );
  const r: Running = {
    heap: { worker: exportName, threadId: worker.threadId, heapTotal: Number.NaN, heapUsed: Number.NaN, external: Number.NaN },
    port: port1,
    waiting: [],
  };
  running.add(r);
  port1.on('message', ([total, used, external]: [number, number, number]) => {
    Object.assign(r.heap, { heapTotal: total, heapUsed: used, external });
    for (const done of r.waiting.splice(0)) done();
  });
  port1.unref();
  worker.once('exit', () => {
    running.delete(r);
    port1.close();
    for (const done of r.waiting.splice(0)) done();
  });
  return worker;
}

/**
 * A worker's first message, the way a worker says it is ready. Rejects if the worker fails or
 * exits first, and then terminates it (servers it had started would keep the process alive);
 * removes its listeners either way, so what the caller attaches next sees every later event.
 */
export function firstMessage<T>(worker: Worker, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (): void => {
      worker.off('message', message);
      worker.off('error', fail);
      worker.off('exit', exited);
    };
    const message = (m: T): void => {
      settle();
      resolve(m);
    };
    const fail = (err: Error): void => {
      settle();
      reject(err);
    };
    // An exit without an error (a worker that ended early) would otherwise leave the start waiting for ever.
    const exited = (code: number): void => {
      settle();
      reject(new Error(`${what}: the worker exited (${code}) before it was ready`));
    };
    worker.on('message', message);
    worker.on('error', fail);
    worker.on('exit', exited);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
}
