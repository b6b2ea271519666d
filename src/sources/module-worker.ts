/**
 * A worker thread that runs one exported function of a module, loaded the way bin/emp loads the
 * service: a build's JavaScript as it is, TypeScript sources through tsx (tests, a source checkout).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Set only in bin/emp's single-file build (scripts/bundle.mjs): the file beside it that holds the
 * worker entry points, since there `import.meta.url` is the whole command line's file.
 */
declare const EMP_WORKER_BUNDLE: string | undefined;

/** Starts `exportName` of the module at `moduleUrl` (an `import.meta.url`) in a new worker; it reads `data` as `workerData.data`. */
export function startModuleWorker(moduleUrl: string, exportName: string, data?: unknown): Worker {
  const require = createRequire(import.meta.url);
  return new Worker(
    `(async () => {
      const { workerData } = require('node:worker_threads');
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
      },
    },
  );
}
