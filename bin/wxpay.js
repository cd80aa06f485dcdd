#!/usr/bin/env node
// The only place that ends the process: everything else returns exit codes.
import { main } from '../dist/cli/main.js';
import { processIO } from '../dist/cli/io.js';
import { dispatchInterrupt } from '../dist/cli/interrupt.js';

let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // A second Ctrl-C always ends the process, even if a handler hangs.
  if (interrupts > 1 || !dispatchInterrupt()) {
    process.stderr.write('\nInterrupted.\n');
    process.exit(130);
  }
});

process.exitCode = await main(process.argv.slice(2), processIO());
