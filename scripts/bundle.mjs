// `npm run build` (and `prepare`): bin/emp's single file, dist/cli/emp.cjs, made by esbuild from
// src/cli/main.ts with the npm packages it uses, with V8's code cache beside it
// (bin/load-bundle.mjs), and the worker threads' own, dist/cli/emp-workers.mjs. Node loads one file
// faster than the ~300 modules of the per-file build (`emp --version`: 0.42 s against 0.62 s), and
// the code cache saves another tenth of a second: a restarted service spends that time not
// publishing. The per-file build in dist/ stays what library users import. Packages with native
// code, or files of their own that they load by path, stay outside.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { loadBundle } from '../bin/load-bundle.mjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'lzma', 'pg-native', 'bufferutil', 'utf-8-validate', 'tsx', 'talib', 'playwright-core'],
  logLevel: 'warning',
};
await Promise.all([
  // CommonJS, so that bin/emp can compile it with a code cache; `import.meta` as an ES module has it.
  build({
    ...common,
    format: 'cjs',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli/emp.cjs',
    banner: { js: 'const __empMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    // Where src/sources/module-worker.ts finds the worker entry points, beside the file that starts them.
    define: { EMP_WORKER_BUNDLE: '"./emp-workers.mjs"', 'import.meta.url': '__empMetaUrl', 'import.meta.dirname': '__dirname' },
  }),
  build({
    ...common,
    format: 'esm',
    entryPoints: ['src/cli/workers.ts'],
    outfile: 'dist/cli/emp-workers.mjs',
    // CommonJS packages inside an ES module call `require`: give them one.
    banner: { js: "import { createRequire as __empRequire } from 'node:module'; const require = __empRequire(import.meta.url);" },
  }),
]);
// The previous layout's command-line file, if a checkout still has it.
rmSync('dist/cli/emp.mjs', { force: true });
// Runs the bundle's top level (nothing starts: `main` is only defined) and keeps what V8 compiled.
loadBundle('dist/cli/emp.cjs', { writeCache: true });
