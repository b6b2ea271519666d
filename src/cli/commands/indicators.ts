import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ParamError } from '../../core/errors.ts';
import {
  COLUMNS,
  computeIndicator,
  type IndicatorInfo,
  inputColumns,
  listIndicators,
  type SeriesWithPeriods,
} from '../../indicators/index.ts';
import { detectDelimiter, parseDelimiter } from '../../sources/csv.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { formatColumns, parseFormat, writeOut } from '../output.ts';

interface ComputeOptions extends CsvInputOptions {
  param: string[];
  format: string;
  periodsColumn: string;
}

/**
 * `k=v` → {k: number}; repeatable. A column parameter (price0, price1 of the two-series
 * functions, MAVP's periods) also takes a column name: `price0=close`.
 */
function parseParams(items: readonly string[], info: IndicatorInfo): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9_]+)=(.+)$/.exec(item);
    if (!m) throw new ParamError(`--param "${item}": expected name=value, e.g. timeperiod=14`);
    const key = m[1] as string;
    const text = (m[2] as string).trim();
    const spec = info.params.find((p) => p.name === key.toLowerCase());
    const colIdx = (COLUMNS as readonly string[]).indexOf(text.toLowerCase());
    if (spec?.type === 'column' && colIdx >= 0) {
      out[key] = colIdx;
      continue;
    }
    const v = Number(text);
    if (!Number.isFinite(v)) {
      const hint = spec?.type === 'column' ? ` (a column: ${COLUMNS.join(', ')})` : '';
      throw new ParamError(`--param ${key}: "${text}" is not a number${hint}`);
    }
    out[key] = v;
  }
  return out;
}

/** MAVP's period column, read from the CSV by name, one value per data row. */
async function readPeriodsColumn(file: string, name: string, rows: number, delimiter?: string): Promise<Float64Array> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const d = delimiter !== undefined ? parseDelimiter(delimiter) : detectDelimiter(header);
  const names = header.split(d).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const at = names.indexOf(name.toLowerCase());
  if (at < 0) throw new ParamError(`MAVP: no "${name}" column in ${file} (choose one with --periods-column, or --param periods=close…)`);
  if (lines.length - 1 !== rows) throw new ParamError(`MAVP: ${file} has ${lines.length - 1} data rows but ${rows} bars were loaded`);
  return Float64Array.from(lines.slice(1), (l, i) => {
    const v = Number((l.split(d)[at] ?? '').trim().replace(/^"|"$/g, ''));
    if (!Number.isFinite(v)) throw new ParamError(`MAVP: ${file}:${i + 2}: "${name}" is not a number`);
    return v;
  });
}

export function registerIndicators(program: Command): void {
  const group = program.command('indicators').description('TA-Lib-compatible indicators: list the catalogue, compute one over a CSV');
  group
    .command('list')
    .description('the catalogue: name, group, inputs, parameters with defaults and ranges, outputs')
    .option('--format <fmt>', 'table or json', 'table')
    .action(async (opts: { format: string }) => {
      const format = parseFormat(opts.format, ['table', 'json']);
      const list = listIndicators();
      if (format === 'json') return writeOut(`${JSON.stringify(list, null, 2)}\n`);
      // Grouped as TA-Lib groups its functions; `=` marks TA-Lib parity, `+` an extra beyond TA-Lib.
      const groups = [...new Set(list.map((i) => i.group))];
      const value = (p: IndicatorInfo['params'][number]): string => (p.type === 'column' ? (COLUMNS[p.default] ?? '') : String(p.default));
      const lines: string[] = [];
      for (const g of groups) {
        const members = list.filter((i) => i.group === g);
        lines.push(`${g} (${members.length})`);
        for (const i of members)
          lines.push(
            `  ${i.source === 'ta-lib' ? '=' : '+'} ${i.name.padEnd(20)} ${i.params
              .map((p) => `${p.name}=${value(p)}`)
              .join(' ')
              .padEnd(70)} → ${i.outputs.join(', ')}`,
          );
      }
      const talib = list.filter((i) => i.source === 'ta-lib').length;
      lines.push(
        `${list.length} indicators: = ${talib} TA-Lib functions at parity with the talib binding, + ${list.length - talib} extras`,
      );
      return writeOut(`${lines.join('\n')}\n`);
    });
  addCsvInputOptions(
    group
      .command('compute <name>')
      .description('compute an indicator over a CSV: one output row per input row, warm-up rows empty (csv) or null (json)')
      .option(
        '-p, --param <k=v>',
        'a parameter by its TA-Lib name, e.g. timeperiod=14 (repeatable)',
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .option('--format <fmt>', 'csv or json', 'csv')
      .option('--periods-column <name>', "MAVP: the CSV column holding each bar's period", 'periods'),
  ).action(async (name: string, opts: ComputeOptions) => {
    const format = parseFormat(opts.format, ['csv', 'json']);
    const info = listIndicators().find((i) => i.name === name.toUpperCase());
    if (!info) throw new ParamError(`unknown indicator "${name}" (see \`emp indicators list\`)`);
    const params = parseParams(opts.param, info);
    // Columns actually read: column parameters can swap the default inputs.
    const cols = inputColumns(info, params);
    const needOhlc = cols.has('open') || cols.has('high') || cols.has('low');
    const series: SeriesWithPeriods = await loadInput(opts, { ohlc: needOhlc, volume: cols.has('volume') });
    if (cols.has('periods'))
      series.periods = await readPeriodsColumn(
        opts.input,
        opts.periodsColumn,
        series.close.length,
        (opts as { delimiter?: string }).delimiter,
      );
    const out = computeIndicator(info.name, series, params);
    await writeOut(formatColumns(series.time, out, format));
  });
}
