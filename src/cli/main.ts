import { Command, CommanderError } from 'commander';
import { EmpError } from '../core/errors.ts';
import { registerCommands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('emp')
    .description('EMP market data: multi-venue ingestion, fusion, indicators, patterns, signals and regimes')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the command line; returns the exit code (0 ok, 2 bad input, 1 anything else). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof EmpError) {
      process.stderr.write(`emp: ${err.message} [${err.code}]\n`);
      return err.isInputError ? 2 : 1;
    }
    process.stderr.write(`emp: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
