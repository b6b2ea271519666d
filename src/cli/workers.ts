/**
 * The entry of the worker threads' single-file build, dist/cli/emp-workers.mjs (scripts/bundle.mjs):
 * the functions a worker thread starts (src/sources/module-worker.ts), without the command line
 * around them, so a worker loads 0.3 MB instead of bin/emp's 4 MB.
 */
export { serveSimulatedVenuesInWorker } from '../pipeline/venue-sources.ts';
export { serveDukascopyInWorker } from '../sources/fx/local-dukascopy-server.ts';
