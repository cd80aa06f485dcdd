import { Command, CommanderError, Option } from 'commander';
import { ConfigError, WxPayError } from '../core/errors.js';
import { escapeControls, escapeControlsInJson } from '../core/safe-text.js';
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
  const stdout = trackWrites(io.stdout);
  const kit = createKit(io);
  const program = buildProgram(kit.io);
  try {
    await registerCommands(program, kit, argv);
    await program.parseAsync(argv, { from: 'user' });
    return kit.exitCode;
  } catch (caught) {
    const error = installProblem(caught) ?? caught;
    const code = report(error, io, argv);
    // `--json` promises one JSON document on stdout; a failure before any
    // output still gets one, so `… --json | jq` reads the error.
    if (wantsJson(argv) && !stdout.written() && code !== EXIT.OK) {
      io.stdout.write(
        `${escapeControlsInJson({ error: errorFacts(error, code) }, 2)}\n`,
      );
    }
    return code;
  } finally {
    stdout.restore();
  }
}

/**
 * A command's chunk or a dependency that cannot be found means an
 * incomplete install or build, not a bug to report: say how to repair it.
 */
function installProblem(error: unknown): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') {
    return undefined;
  }
  const first = String((error as Error).message).split('\n')[0];
  return new ConfigError(
    'INSTALL_INCOMPLETE',
    `A part of wxpay is missing: ${first}`,
    {
      hint: 'Reinstall wxpay; in a checkout, run `npm install` (it also builds).',
      cause: error,
    },
  );
}

function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Notes whether anything reached stdout, without wrapping the stream. */
function trackWrites(stream: CliIO['stdout']) {
  let written = false;
  const original = stream.write;
  stream.write = function (this: unknown, ...args: unknown[]) {
    written = true;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof stream.write;
  return {
    written: () => written,
    restore: () => {
      stream.write = original;
    },
  };
}

function errorFacts(error: unknown, exitCode: number) {
  if (error instanceof CommanderError) {
    return {
      code: 'USAGE',
      message: error.message.replace(/^error: /, ''),
      exit_code: exitCode,
    };
  }
  if (error instanceof WxPayError) {
    return {
      code: error.code,
      message: error.message,
      hint: error.hint,
      exit_code: exitCode,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'UNEXPECTED',
    message,
    exit_code: exitCode,
  };
}

/**
 * Error text can quote hostile input (a pasted body, a server's answer):
 * control characters are shown escaped so they cannot forge lines or drive
 * the terminal.
 */
export const printable = escapeControls;

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
      // Commander quotes the command line in its errors ("unknown command
      // …"): its lines are kept, control characters inside them escaped.
      writeErr: (text) =>
        io.stderr.write(text.split('\n').map(escapeControls).join('\n')),
    })
    .addHelpText(
      'after',
      `\nExamples:\n${ROOT_EXAMPLES.map((line) => `  $ ${line}`).join('\n')}\n\n${EXIT_CODE_HELP}\n\nConfig folder: WXPAY_CONFIG_DIR, else $XDG_CONFIG_HOME/wxpay, else ~/.config/wxpay.\nDocs: README.md\n`,
    );
  // Sub-commands inherit the error handling and output routing.
  program.hook('preSubcommand', () => undefined);
  return program;
}

const ROOT_EXAMPLES = [
  'wxpay order create --mock --body "Test order" --amount 0.01 --openid oTESTopenid0000000000000000A',
  'wxpay sign diagnose --in request.xml --sign 8D342CBC90D30660618DC57B7BBB1A5E',
  'wxpay notify trigger --mock --to http://127.0.0.1:3000/wxpay/notify',
  'wxpay bill reconcile --date 20240101 --dir bills/ --orders orders.csv',
];

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
      io.stderr.write(`error: ${printable(error.message)}\n`);
      if (error.hint) io.stderr.write(`hint: ${printable(error.hint)}\n`);
    }
    if (verbose) {
      io.stderr.write(`code: ${error.code}\n`);
      if (error.cause)
        io.stderr.write(`cause: ${printable(String(error.cause))}\n`);
    }
    return code;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${printable(message)}\n`);
  io.stderr.write(
    verbose && error instanceof Error && error.stack
      ? `${error.stack}\n`
      : 'hint: this is unexpected; rerun with --verbose and report it.\n',
  );
  return code;
}
