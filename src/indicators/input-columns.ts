import { COLUMNS, type IndicatorInfo } from './indicator.ts';

/**
 * The columns an indicator reads with these parameters: its inputs, with each column parameter
 * (price0 and price1 of the two-series functions, MAVP's periods) moved from its default column
 * to the one given (an index into COLUMNS).
 */
export function inputColumns(info: IndicatorInfo, params: Readonly<Record<string, number>>): Set<string> {
  const cols = new Set<string>(info.inputs);
  for (const p of info.params.filter((x) => x.type === 'column')) {
    const k = params[p.name] ?? p.default;
    cols.delete(COLUMNS[p.default] ?? '');
    cols.add(COLUMNS[k] ?? '');
  }
  return cols;
}
