import type { Command } from 'commander';
import { registerEvaluateFusion } from './evaluate-fusion.ts';
import { registerEvaluateRegimes } from './evaluate-regimes.ts';
import { registerEvaluateSignals } from './evaluate-signals.ts';
import { registerFuse } from './fuse.ts';
import { registerImport } from './import.ts';
import { registerIndicators } from './indicators.ts';
import { registerNormalize } from './normalize.ts';
import { registerPatterns } from './patterns.ts';
import { registerRegimes } from './regimes.ts';
import { registerSignals } from './signals.ts';
import { registerSimulate } from './simulate.ts';
import { registerStart } from './start.ts';

/**
 * Each command lives in its own file under this folder and is registered here, one line each.
 * `evaluate` is a group: its subcommands (fusion, signals, regimes) attach to it.
 */
export function registerCommands(program: Command): void {
  const evaluate = program.command('evaluate').description('honest scorecards with their protocol: fusion | signals | regimes');
  registerEvaluateFusion(evaluate);
  registerSimulate(program);
  registerFuse(program);
  registerImport(program);
  registerIndicators(program);
  registerNormalize(program);
  registerPatterns(program);
  registerRegimes(program);
  registerEvaluateRegimes(evaluate);
  registerSignals(program);
  registerEvaluateSignals(evaluate);
  registerStart(program);
}
