import { Command, CommanderError, Option } from 'commander';
import { WxPayError } from '../core/errors.js';
import { createKit } from './command-kit.js';
import { registerCommands } from './commands/index.js';
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

/**
 * Runs the CLI and returns the exit code. Nothing here exits the process;
 * `bin/wxpay.js` does, once.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const kit = createKit(io);
  const program = buildProgram(kit.io);
  try {
    await registerCommands(program, kit, argv);
    await program.parseAsync(argv, { from: 'user' });
    return kit.exitCode;
  } catch (error) {
    return report(error, io, argv);
  }
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('wxpay')
    .description(
      'WeChat Pay v2 from the terminal: sign and diagnose, orders, notifications, refunds, bills, customer service.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print one JSON document on stdout (WeChat field names)')
    .option('-v, --verbose', 'show details on stderr (secrets stay redacted)')
    .option('-p, --profile <name>', 'use this profile (also WXPAY_PROFILE)')
    .option('--mock', 'use the built-in simulator and demo credentials')
    .option('--show-secrets', 'reveal secrets in output (use with care)')
    .option('--no-color', 'no colour, even on a terminal (also NO_COLOR)')
    .option('--no-input', 'never prompt; missing values are errors')
    .addOption(new Option('--debug').hideHelp())
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `\n${EXIT_CODE_HELP}\n\nConfig folder: WXPAY_CONFIG_DIR, else ~/.config/wxpay. Docs: README.md\n`,
    );
  // Sub-commands inherit the error handling and output routing.
  program.hook('preSubcommand', () => undefined);
  return program;
}

function report(error: unknown, io: CliIO, argv: string[]): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return EXIT.OK;
    }
    // Commander already printed its message (unknown option, missing
    // argument, "Did you mean …?").
    return EXIT.USAGE;
  }
  const code = exitCodeFor(error);
  if (code === EXIT.INTERRUPTED) {
    io.stderr.write('\nCancelled.\n');
    return code;
  }
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (error instanceof WxPayError) {
    if (!error.details?.reported) {
      io.stderr.write(`error: ${error.message}\n`);
      if (error.hint) io.stderr.write(`hint: ${error.hint}\n`);
    }
    if (verbose) {
      io.stderr.write(`code: ${error.code}\n`);
      if (error.cause) io.stderr.write(`cause: ${String(error.cause)}\n`);
    }
    return code;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${message}\n`);
  io.stderr.write(
    verbose && error instanceof Error && error.stack
      ? `${error.stack}\n`
      : 'hint: this is unexpected; rerun with --verbose and report it.\n',
  );
  return code;
}
