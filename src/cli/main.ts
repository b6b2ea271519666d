import { Command, CommanderError, type Option } from 'commander';
import { EmpError, fsCause } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { registerCommands } from './commands/index.ts';
import { commitOutputs, configureOutput, discardOutputs } from './output.ts';

/** Commands to which main.ts added the global `--out FILE` (the others have their own `--out`). */
const globalOut = new WeakSet<Command>();

export function buildProgram(): Command {
  const program = new Command('emp')
    .description('EMP market data: multi-venue ingestion, fusion, indicators, patterns, signals and regimes')
    .version('0.1.0')
    // A hint, not the whole help: thirty lines of options after an error bury the error.
    .showHelpAfterError("(add --help for the command's options)")
    .exitOverride();
  registerCommands(program);
  for (const cmd of leaves(program)) {
    // The service prints nothing to redirect; every other command's output can go to a file.
    if (cmd.name() !== 'start' && !cmd.options.some((o) => o.long === '--out')) {
      cmd.option('--out <file>', 'write the output to FILE instead of stdout (it appears only if the command succeeds)');
      globalOut.add(cmd);
    }
  }
  program.hook('preAction', (_program, cmd) => {
    const out = globalOut.has(cmd) ? (cmd.opts().out as string | undefined) : undefined;
    const hasFormat = cmd.options.some((o) => o.long === '--format');
    let formatGiven = hasFormat && cmd.getOptionValueSource('format') === 'cli';
    // --out data.json without --format: the file's extension says which format is wanted.
    const ext = out ? /\.(json|csv)$/i.exec(out)?.[1]?.toLowerCase() : undefined;
    if (hasFormat && !formatGiven && ext) {
      cmd.setOptionValueWithSource('format', ext, 'cli');
      formatGiven = true;
    }
    const format = hasFormat ? String(cmd.opts().format) : '';
    configureOutput({ ...(out ? { out } : {}), formatGiven, dataFormat: format === 'csv' || format === 'json' });
  });
  return program;
}

function* leaves(cmd: Command): Generator<Command> {
  for (const c of cmd.commands) {
    if (c.commands.length) yield* leaves(c);
    else yield c;
  }
}

/**
 * Unknown commands and options, found before commander parses: commander checks required
 * options first, so `--inptu` came back as "required option --input not specified".
 * Walks the words as commander will: subcommand names down the tree, options of the command
 * reached so far and its parents, skipping each option's value.
 */
export function checkWords(program: Command, args: readonly string[]): void {
  let cmd = program;
  const path = (): string => {
    const names: string[] = [];
    for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return;
    if (a.startsWith('--')) {
      const name = a.split('=', 1)[0] as string;
      if (name === '--help' || name === '--version') return;
      const known: Option[] = [];
      for (let c: Command | null = cmd; c; c = c.parent) known.push(...c.options);
      const opt = known.find((o) => o.long === name || (o.negate && o.long === name));
      if (!opt) {
        const names = [...new Set(known.map((o) => o.long).filter((x): x is string => !!x)), '--help'];
        throw new EmpError('BAD_ARGUMENT', `unknown option ${name}${didYouMean(name, names)} (\`${path()} --help\` lists the options)`);
      }
      // The option's value is the next word (unless given as --opt=value).
      if (!a.includes('=') && (opt.required || (opt.optional && !(args[i + 1] ?? '-').startsWith('-')))) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (a === '-h' || a === '-V') return;
      const known: Option[] = [];
      for (let c: Command | null = cmd; c; c = c.parent) known.push(...c.options);
      const opt = known.find((o) => o.short === a.slice(0, 2));
      if (!opt && !/^-\d/.test(a)) {
        throw new EmpError('BAD_ARGUMENT', `unknown option ${a.slice(0, 2)} (\`${path()} --help\` lists the options)`);
      }
      if (opt && a.length === 2 && (opt.required || opt.optional)) i++;
      continue;
    }
    if (cmd.commands.length) {
      if (a === 'help') return;
      const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
      if (!sub) {
        throw new EmpError(
          'BAD_ARGUMENT',
          `unknown command ${[...path().split(' ').slice(1), a].join(' ')}${didYouMean(
            a,
            cmd.commands.map((c) => c.name()),
          )} (\`${path()} --help\` lists the commands)`,
        );
      }
      cmd = sub;
    }
  }
}

/** Runs the command line; returns the exit code (0 ok, 2 bad input, 1 anything else). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // `emp ... | head`: the reader has seen enough; end quietly instead of an EPIPE stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    discardOutputs();
    process.exit(0);
  });
  try {
    checkWords(program, argv.slice(2));
    await program.parseAsync(argv);
    await commitOutputs();
    return 0;
  } catch (err) {
    discardOutputs();
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof EmpError) {
      process.stderr.write(`emp: ${err.message} [${err.code}]\n`);
      return err.isInputError ? 2 : 1;
    }
    // A file-system error from anywhere (an --out folder that does not exist, a file that is a
    // folder): the path and the cause, as bad input, never an "internal error" with a stack.
    const fs = err as { code?: unknown; path?: unknown; syscall?: unknown };
    if (err instanceof Error && typeof fs.code === 'string' && typeof fs.path === 'string') {
      process.stderr.write(`emp: ${fs.path}: ${fsCause(err)}${typeof fs.syscall === 'string' ? ` (${fs.syscall})` : ''} [FILE_ERROR]\n`);
      return 2;
    }
    process.stderr.write(`emp: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
