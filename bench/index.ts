/**
 * `npm run bench [-- NAME...]`: runs every `bench/*.bench.ts` (or those whose name contains
 * one of NAME) in one process, one after another, each printing its own table.
 * A bench file exports `default async function (): Promise<void>`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const filters = process.argv.slice(2);
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
console.log(`node ${process.version}, ${process.platform}/${process.arch}; benches: ${files.join(', ') || '(none)'}\n`);
for (const f of files) {
  console.log(`=== ${f.replace('.bench.ts', '')} ===`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<void> };
  await mod.default();
  console.log('');
}
