// Loads bin/emp's single-file build (dist/cli/emp.cjs, a CommonJS bundle: scripts/bundle.mjs) with
// V8's code cache. Node 20 has no compile cache for ES modules; a CommonJS bundle compiled through
// `vm.Script` can be given the code V8 compiled before (`cachedData`), which skips most of the
// compilation of 4 MB of JavaScript on every start: `emp --version` and a restarted service are
// about a tenth of a second sooner. The build writes the cache (`writeCache`); a cache that V8
// rejects (another Node version or V8 flags) or that is older than the bundle is ignored.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import vm from 'node:vm';

/** CommonJS's module wrapper; strict, as the ES modules it was bundled from. */
const HEAD = '(function (exports, require, module, __filename, __dirname) {"use strict";';
const TAIL = '\n})';

/** The file's exports, compiled with its code cache (`FILE.v8cache`) when there is a valid one. */
export function loadBundle(path, { writeCache = false } = {}) {
  const file = resolve(path);
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    if (!writeCache && statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(cacheFile);
  } catch {
    // no cache: compiled from the source
  }
  const script = new vm.Script(HEAD + readFileSync(file, 'utf8') + TAIL, {
    filename: file,
    cachedData,
    // `import()` in the bundle resolves as in any module of the main context.
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  // After the top level ran: the functions it compiled are in the cache too.
  if (writeCache) {
    // Whole or not at all: a command started meanwhile reads either the old cache or the new.
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  }
  return module.exports;
}
