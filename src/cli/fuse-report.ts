/** `emp fuse` output: the fused rows as CSV or JSON, and the summary of the run. */
import { formatIso } from '../core/time.ts';
import type { FusedRow, FusionReplay, ReplayRow } from '../fusion/replay.ts';
import { exclusionReasons, instrumentReplaySummary, medianQuoteInterval, unpricedRows } from '../fusion/replay-summary.ts';
import type { FuseInput, LeftOutRow, SourceRow } from './fuse-input.ts';
import { csvEscape, type OutputFormat, writeOut } from './output.ts';

/** At most this many left-out rows are listed one by one in the summary (all are counted). */
const LIST_LIMIT = 20;

export function humanMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export async function writeFusedRows(out: readonly FusedRow[], format: OutputFormat, showSymbol: boolean): Promise<void> {
  if (format === 'json') {
    const json: Record<string, unknown> = { time: out.map((f) => formatIso(f.ts)) };
    if (showSymbol) json.symbol = out.map((f) => f.symbol);
    Object.assign(json, {
      price: out.map((f) => (Number.isFinite(f.price) ? f.price : null)),
      confidence: out.map((f) => (Number.isFinite(f.confidence) ? f.confidence : null)),
      sources: out.map((f) => f.sources),
      excluded: out.map((f) =>
        f.excluded.map((e) => {
          const k = e.lastIndexOf(':');
          return { source: e.slice(0, k), reason: e.slice(k + 1) };
        }),
      ),
      status: out.map((f) => f.status),
    });
    await writeOut(`${JSON.stringify(json)}\n`);
    return;
  }
  const lines = [`time,${showSymbol ? 'symbol,' : ''}price,confidence,sources,excluded,status`];
  for (const f of out) {
    lines.push(
      [
        formatIso(f.ts),
        ...(showSymbol ? [csvEscape(f.symbol)] : []),
        Number.isFinite(f.price) ? f.price : '',
        Number.isFinite(f.confidence) ? f.confidence : '',
        csvEscape(f.sources.join(';')),
        csvEscape(f.excluded.join(';')),
        f.status,
      ].join(','),
    );
    if (lines.length >= 10_000) await writeOut(`${lines.splice(0).join('\n')}\n`);
  }
  if (lines.length) await writeOut(`${lines.join('\n')}\n`);
}

function listLeftOut(title: string, rows: readonly LeftOutRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    `${title}: ${rows.length}`,
    ...rows.slice(0, LIST_LIMIT).map((x) => `  ${x.file}:${x.line}: ${x.source}: ${x.reason}`),
    ...(rows.length > LIST_LIMIT ? [`  … and ${rows.length - LIST_LIMIT} more`] : []),
  ];
}

export interface FuseRun {
  method: string;
  files: number;
  input: FuseInput;
  /** The rows fused (those of --symbol when given). */
  rows: readonly SourceRow[];
  out: readonly FusedRow[];
  replay: FusionReplay;
  /** The fused instrument of --symbol, or null for all. */
  wanted: string | null;
  maxAgeMs: number;
  /** v1 methods: their settings. */
  v1?: { weights: Record<string, number>; threshold: number; floorMs: number };
}

/** The summary: method, rows in and out, naming and mapping done, rows left out, then per instrument and overall figures. */
export function fuseSummary(run: FuseRun): string {
  const { input, rows, out, replay, v1 } = run;
  const engine = replay.engine;
  const showSymbol = replay.instruments.length > 1;
  const named = input.files.filter((f) => f.how === 'folder name');
  const sources = new Set(rows.map((r) => r.source)).size;
  const lines = [
    `method: ${run.method}${
      v1
        ? ` (weights: ${
            Object.entries(v1.weights)
              .map(([k, w]) => `${k}=${w}`)
              .join(', ') || 'all 1'
          }${Object.keys(v1.weights).length ? ', others 1' : ''}; conflict threshold ${v1.threshold}; time floor ${humanMs(v1.floorMs)})`
        : ''
    }`,
    `rows in: ${rows.length} from ${run.files} file(s), ${sources} source(s), ${replay.instruments.length} instrument(s)${
      input.files.some((f) => f.receiptTime) ? ', replayed at receipt time' : ''
    }; rows out: ${out.length}`,
    ...(named.length ? [`sources named by folder: ${named.map((f) => `${f.source} (${f.file})`).join(', ')}`] : []),
    ...(() => {
      const mapped = replay.stablecoinPairs().filter(([, x]) => run.wanted === null || x.fused === run.wanted);
      if (!mapped.length) return [];
      const how = v1 ? 'at par (v1 methods)' : `at the live ${[...new Set(mapped.map(([, x]) => x.coin))].join('/')}/USD rate`;
      return [`stablecoin pairs fused into USD pairs ${how}: ${mapped.map(([raw, x]) => `${raw} → ${x.fused}`).join(', ')}`];
    })(),
    ...listLeftOut('rows with a bad price, left out', input.badPrice),
    ...listLeftOut('rows out of time order, dropped (--drop-disordered)', input.disordered),
  ];
  for (const sym of replay.instruments) {
    const s = instrumentReplaySummary(out, sym);
    const head = showSymbol ? `${sym}: ` : '';
    lines.push(`${head}status: ok ${s.status.ok}, degraded ${s.status.degraded}, unknown ${s.status.unknown}`);
    if (engine) {
      const c = engine.consistency(sym);
      lines.push(
        Number.isFinite(c.share)
          ? `${head}consistency: ${(c.share * 100).toFixed(2)}% of the time all used sources within ${(c.tolerance * 100).toFixed(2)}% of the fused price`
          : `${head}consistency: – (no time elapsed between fused rows)`,
      );
    }
    lines.push(
      `${head}mean ${engine ? 'weight' : 'share'} by source: ${s.meanWeights.map(([src, x]) => `${src} ${x.toFixed(4)}`).join(', ') || 'none'}`,
    );
  }
  if (engine) {
    const reasons = Object.entries(exclusionReasons(out));
    lines.push(`exclusions (source-rows in the output): ${reasons.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  } else {
    lines.push(
      `rows where the fresh sources disagreed beyond ${v1?.threshold} (resolved by ${run.method}): ${replay.conflictRows} of ${out.length}`,
    );
  }
  // Rows without a price: a gap in the data (nights, weekends) told from quotes the fusion excluded.
  const instrumentOf = (r: ReplayRow): string => replay.instrumentOf(r).fused;
  const { unknown, gaps } = unpricedRows(rows, out, instrumentOf, run.maxAgeMs);
  if (unknown) {
    lines.push(
      `rows without a price (status unknown): ${unknown} of ${out.length}: ${gaps} with no quote at all in the ${humanMs(run.maxAgeMs)} before (gaps in the data), ${unknown - gaps} with quotes, all excluded`,
    );
    // Many: usually a staleness limit shorter than the time between a source's quotes.
    if (unknown / out.length > 0.25)
      lines.push(
        `note: the median time between two quotes of one source is ${humanMs(medianQuoteInterval(rows, instrumentOf))}; the staleness limit (--max-age) is ${humanMs(run.maxAgeMs)}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
