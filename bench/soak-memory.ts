/**
 * `node --import tsx bench/soak-memory.ts FILE [--from 5,20] [--every 5]`: the memory of a finished
 * soak (its `--json FILE`) fitted again from later minutes than the soak's own warm-up — a service
 * whose memory settles over its first 20 minutes shows that settling in a fit from minute 5 — and
 * its means over blocks of `--every` minutes. Samples the API did not answer are left out; the
 * fit is over one incarnation (a run without a SIGKILL, `--kills 0`).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TIMELINE_COLUMNS, trend } from './memory-trend.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string', default: '5,20' }, every: { type: 'string', default: '5' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: node --import tsx bench/soak-memory.ts FILE [--from 5,20] [--every 5]');
  process.exit(2);
}
const soak = JSON.parse(readFileSync(file, 'utf8')) as { timeline: number[][]; timelineColumns?: string[]; kills?: unknown[] };
if (soak.kills?.length) console.log(`note: ${soak.kills.length} SIGKILL(s) in this run; the fit below treats it as one incarnation`);
// Files written before the soak named its columns have them in TIMELINE_COLUMNS order.
const names: readonly string[] = soak.timelineColumns ?? TIMELINE_COLUMNS;
const at = (name: string): number => {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`no column "${name}" in ${file}`);
  return i;
};
const c = Object.fromEntries(TIMELINE_COLUMNS.map((n) => [n, at(n)])) as Record<(typeof TIMELINE_COLUMNS)[number], number>;
const kinds: [string, (r: number[]) => number][] = [
  ['RSS', (r) => r[c.rss] as number],
  ['RSS after full GC', (r) => r[c.rssAfterGc] as number],
  ['heap reserved', (r) => r[c.heapTotal] as number],
  ['live heap', (r) => r[c.liveHeap] as number],
  ['code space', (r) => r[c.codeSpace] as number],
  ['worker heaps', (r) => r[c.workerHeaps] as number],
  ['outside every V8 heap', (r) => (r[c.rss] as number) - (r[c.heapTotal] as number) - (r[c.workerHeaps] as number)],
];
const answered = soak.timeline.filter((r) => r[c.answered] === 1);
const f1 = (x: number): string => x.toFixed(1);
for (const from of args.from.split(',').map(Number)) {
  const rows = answered.filter((r) => (r[c.sec] as number) >= from * 60);
  const fits = kinds.map(([name, v]) => {
    const t = trend([rows.map((r) => ({ t: (r[c.sec] as number) * 1000, v: v(r) }))]);
    return { name, t };
  });
  console.log(
    `from minute ${from} (${fits[0]?.t.minutes ?? 0} one-minute blocks), MB/hour ± 95 %: ${fits.map(({ name, t }) => `${name} ${f1(t.slope)} ± ${f1(t.ci95)}`).join('; ')}`,
  );
}
const every = Number(args.every) * 60;
const last = answered.at(-1)?.[c.sec] ?? 0;
for (let from = 0; from <= last; from += every) {
  const rows = answered.filter((r) => (r[c.sec] as number) >= from && (r[c.sec] as number) < from + every);
  if (!rows.length) continue;
  const mean = (v: (r: number[]) => number): string => f1(rows.reduce((a, r) => a + v(r), 0) / rows.length);
  console.log(`minutes ${from / 60}–${(from + every) / 60}: ${kinds.map(([name, v]) => `${name} ${mean(v)}`).join(', ')} MB`);
}
