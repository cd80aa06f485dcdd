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

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Scripts call --version often; it needs none of the CLI. (The CLI's own
  // copy, src/cli/version.ts, is kept equal to this by a test.)
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  const {
    main,
    processIO,
    dispatchInterrupt,
  } = require('../dist/bin/wxpay.cjs');

  // SIGTERM (kill, a service manager) stops listeners as cleanly as Ctrl-C.
  let interrupts = 0;
  const interrupt = (signal) => {
    interrupts += 1;
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
      process.exitCode = code;
    },
    (error) => {
      // main() maps every error to an exit code; reaching this is a bug.
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
