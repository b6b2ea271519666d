/**
 * Where the shared real data (`../shared/data`, see its README) is: $EMP_SHARED_DATA, else next
 * to the checkout, else the machine's /work/shared/data (a CI checkout may live elsewhere).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const candidates = [process.env.EMP_SHARED_DATA, join(import.meta.dirname, '..', '..', 'shared', 'data'), '/work/shared/data'].filter(
  (d): d is string => typeof d === 'string' && d.length > 0,
);

export const DATA_DIR: string = candidates.find((d) => existsSync(join(d, 'README.md'))) ?? (candidates[1] as string);

export function sharedData(file: string): string {
  return join(DATA_DIR, file);
}
