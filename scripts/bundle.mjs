// `npm run build` (and `prepare`): bin/emp's single file, dist/cli/emp.mjs, made by esbuild from
// src/cli/main.ts with the npm packages it uses, and the worker threads' own, dist/cli/emp-workers.mjs.
// Node loads one file faster than the ~300 modules of the per-file build (`emp --version`: 0.42 s
// against 0.62 s), and a restarted service spends that time not publishing. The per-file build in
// dist/ stays what library users import. Packages with native code, or files of their own that
// they load by path, stay outside.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'lzma', 'pg-native', 'bufferutil', 'utf-8-validate', 'tsx', 'talib', 'playwright-core'],
  // CommonJS packages inside an ES module call `require`: give them one.
  banner: { js: "import { createRequire as __empRequire } from 'node:module'; const require = __empRequire(import.meta.url);" },
  // Where src/sources/module-worker.ts finds the worker entry points, beside the file that starts them.
  define: { EMP_WORKER_BUNDLE: '"./emp-workers.mjs"' },
  logLevel: 'warning',
};
await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli/emp.mjs' }),
  build({ ...common, entryPoints: ['src/cli/workers.ts'], outfile: 'dist/cli/emp-workers.mjs' }),
]);
