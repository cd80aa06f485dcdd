#!/usr/bin/env node
// The only place that ends the process: everything else returns exit codes.
// CommonJS on purpose (bin/package.json says so while keeping the name that
// aliases and npx caches already point at), like the bundle it loads: Node
// 20 starts it without the ES module loader (see scripts/bundle-cli.js).
'use strict';

const argv = process.argv.slice(2);

// `wxpay … | head` closes the pipe early; that is the reader's choice, not
// an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
// A closed stderr (`2>&1 | head`) leaves nothing to tell; the data on
// stdout and the exit code still matter.
process.stderr.on('error', (error) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
    throw error;
  }
});

/** The bundled CLI, or undefined (with the reason said) if it is not built. */
function loadCli() {
  try {
    return require('../dist/bin/wxpay.cjs');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    // The same facts main() gives for any failure, before main() exists.
    const facts = {
      code: 'INSTALL_INCOMPLETE',
      message: `wxpay is not built, or its build is incomplete: ${error.message.split('\n')[0]}`,
      hint: 'Run `npm run build` in the wxpay folder (npm install does it too).',
      exit_code: 4,
    };
    process.stderr.write(`error: ${facts.message}\nhint: ${facts.hint}\n`);
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: facts }, null, 2)}\n`);
    }
    process.exitCode = 4;
    return undefined;
  }
}

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Scripts call --version often; it needs none of the CLI. (The CLI's own
  // copy, src/cli/version.ts, is kept equal to this by a test.)
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  const cli = loadCli();
  if (cli) run(cli);
}

function run({ main, processIO, dispatchInterrupt }) {
  // SIGTERM (kill, a service manager) stops listeners as cleanly as Ctrl-C.
  let interrupts = 0;
  let terminated = false;
  const interrupt = (signal) => {
    interrupts += 1;
    if (signal === 'SIGTERM') terminated = true;
    // A second signal always ends the process, even if a handler hangs.
    if (interrupts > 1 || !dispatchInterrupt()) {
      process.stderr.write('\nInterrupted.\n');
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  main(argv, processIO()).then(
    (code) => {
      // Commands report an interruption as 130 (Ctrl-C); stopped by kill,
      // the shell convention is 128 + 15.
      process.exitCode = code === 130 && terminated ? 143 : code;
    },
    (error) => {
      // main() maps every error to an exit code; reaching this is a bug.
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
