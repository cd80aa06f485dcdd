/**
 * The CLI as a child process for the memory test: the test bundles this
 * file into plain JavaScript and runs it under a small heap limit. It
 * reports its peak RSS on stderr.
 */
import { processIO } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), processIO());
process.stderr.write(`maxrss_kib=${process.resourceUsage().maxRSS}\n`);
