import type { Command } from 'commander';
import { ParamError } from '../../core/errors.ts';
import { computeIndicator, listIndicators } from '../../indicators/index.ts';
import { addCsvInputOptions, type CsvInputOptions, loadInput } from '../input.ts';
import { formatColumns, parseFormat, writeOut } from '../output.ts';

interface ComputeOptions extends CsvInputOptions {
  param: string[];
  format: string;
}

/** `k=v` → {k: number}; repeatable. */
function parseParams(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9_]+)=(.+)$/.exec(item);
    if (!m) throw new ParamError(`--param "${item}": expected name=value, e.g. timeperiod=14`);
    const v = Number(m[2]);
    if (!Number.isFinite(v)) throw new ParamError(`--param ${m[1]}: "${m[2]}" is not a number`);
    out[m[1] as string] = v;
  }
  return out;
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
      const lines = list.map(
        (i) =>
          `${i.name.padEnd(20)} ${i.group.padEnd(10)} ${i.params
            .map((p) => `${p.name}=${p.default}`)
            .join(' ')
            .padEnd(70)} → ${i.outputs.join(', ')}`,
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
      .option('--format <fmt>', 'csv or json', 'csv'),
  ).action(async (name: string, opts: ComputeOptions) => {
    const format = parseFormat(opts.format, ['csv', 'json']);
    const info = listIndicators().find((i) => i.name === name.toUpperCase());
    if (!info) throw new ParamError(`unknown indicator "${name}" (see \`emp indicators list\`)`);
    const params = parseParams(opts.param);
    const needOhlc = info.inputs.some((x) => x === 'open' || x === 'high' || x === 'low');
    const series = await loadInput(opts, { ohlc: needOhlc, volume: info.inputs.includes('volume') });
    const out = computeIndicator(info.name, series, params);
    await writeOut(formatColumns(series.time, out, format));
  });
}
