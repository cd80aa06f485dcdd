#!/usr/bin/env node
// The only place that ends the process: everything else returns exit codes.
const argv = process.argv.slice(2);

// `wxpay … | head` closes the pipe early; that is the reader's choice, not
// an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Scripts call --version often; it needs none of the CLI.
  const { VERSION } = await import('../dist/cli/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('../dist/cli/main.js');
  const { processIO } = await import('../dist/cli/io.js');
  const { dispatchInterrupt } = await import('../dist/cli/interrupt.js');

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

  process.exitCode = await main(argv, processIO());
}
