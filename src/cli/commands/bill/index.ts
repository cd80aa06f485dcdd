import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';
import { registerBillDownload } from '../download/index.js';

/**
 * `wxpay bill …`: trade bills (spec §4.6, §5). Each command registers in its
 * own function so the group file stays a list; code loads when a command runs.
 */
export function registerBill(program: Command, kit: Kit): void {
  const bill = program
    .command('bill')
    .description('download, parse and reconcile WeChat Pay trade bills');
  registerBillDownload(bill, kit);
  registerParse(bill, kit);
  registerReconcile(bill, kit);
}

function registerParse(bill: Command, kit: Kit): void {
  examples(
    bill
      .command('parse')
      .description(
        'read a bill (plain or gzip), amounts in fen, check the summary',
      )
      .argument('<file>', 'the bill file, or - for stdin')
      .option('--format <format>', 'json, ndjson or csv (default: ndjson)')
      .option('--rows-only', 'ndjson: leave out the final summary line')
      .action(kit.action(async () => (await import('./parse.js')).parseRun)),
    [
      'wxpay bill parse bill-ALL-20240101.csv',
      'wxpay bill parse bill-ALL-20240101.csv.gz --format csv > rows.csv',
      'wxpay bill parse - --format ndjson < bill.csv | jq .out_trade_no',
    ],
  );
}

function registerReconcile(bill: Command, kit: Kit): void {
  examples(
    bill
      .command('reconcile')
      .description("compare a bill with the merchant's own orders")
      .option('--bill <file>', 'the bill file (plain or gzip, - for stdin)')
      .option('--date <yyyymmdd>', 'use the downloaded bill of this day')
      .option('--dir <dir>', 'where `bill download` saved bills (for --date)')
      .option('--orders <file>', 'merchant orders, CSV or NDJSON (- for stdin)')
      .option('--orders-format <format>', 'csv or ndjson (default: detected)')
      .option(
        '--map <pairs>',
        'order columns, e.g. out_trade_no=order_no,amount=price,status=state,refund=refunded',
      )
      .option('--amount-unit <unit>', 'fen or yuan (default: fen)')
      .option(
        '--status-map <pairs>',
        'order status values to WeChat ones, e.g. paid=SUCCESS,open=NOTPAY',
      )
      .option('--csv', 'print the findings as CSV')
      .option('--limit <n>', 'findings shown per category on a terminal')
      .action(
        kit.action(async () => (await import('./reconcile.js')).reconcileRun),
      ),
    [
      'wxpay bill reconcile --bill bill-ALL-20240101.csv --orders orders.csv',
      'wxpay bill reconcile --bill bill.csv.gz --orders orders.ndjson --map out_trade_no=order_no,amount=price --amount-unit yuan --json',
      'wxpay bill reconcile --date 20240101 --orders orders.csv --status-map paid=SUCCESS,refunded=REFUND --csv > findings.csv',
    ],
  );
}
