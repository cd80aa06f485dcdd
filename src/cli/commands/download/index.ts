import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

function dayOptions(command: Command): Command {
  return command
    .option('--date <yyyymmdd>', 'one day (Beijing time)')
    .option('--from <yyyymmdd>', 'first day of a range')
    .option('--to <yyyymmdd>', 'last day of a range (default: --from)')
    .option('--gzip', 'ask WeChat for gzip and save the .gz bytes as sent')
    .option('--out <dir>', 'folder for the files (default: the current one)')
    .option(
      '--timeout <duration>',
      'HTTP timeout for the answer and any pause while it streams, e.g. 30s (default 10s)',
    );
}

/** `wxpay bill download`, registered into the `bill` group. */
export function registerBillDownload(bill: Command, kit: Kit): void {
  examples(
    dayOptions(
      bill
        .command('download')
        .description(
          'save trade bills byte-exact, one file per day (bill-ALL-YYYYMMDD.csv)',
        ),
    )
      .option('--type <type>', 'ALL, SUCCESS, REFUND or RECHARGE_REFUND', 'ALL')
      .action(
        kit.action(async () => (await import('./bill.js')).billDownloadRun),
      ),
    [
      'wxpay bill download --date 20240101',
      'wxpay bill download --from 20240101 --to 20240131 --gzip --out bills/',
      'wxpay bill download --date 20240101 --type REFUND --json',
    ],
  );
}

/** `wxpay fundflow download` (spec 4.7: HMAC-SHA256 and the certificate). */
export function registerFundflow(program: Command, kit: Kit): void {
  const fundflow = program
    .command('fundflow')
    .description(
      'fund-flow bills of the merchant accounts (needs the certificate)',
    );
  examples(
    dayOptions(
      fundflow
        .command('download')
        .description(
          'save fund-flow bills byte-exact, one file per day (fundflow-Basic-YYYYMMDD.csv)',
        ),
    )
      .option('--account-type <type>', 'Basic, Operation or Fees', 'Basic')
      .action(
        kit.action(
          async () => (await import('./fundflow.js')).fundflowDownloadRun,
        ),
      ),
    [
      'wxpay fundflow download --date 20240101',
      'wxpay fundflow download --from 20240101 --to 20240107 --account-type Fees --out flows/',
    ],
  );
}
