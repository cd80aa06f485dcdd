import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

const TIMEOUT_HELP = 'HTTP timeout, e.g. 15s (default 10s)';

/** `wxpay refund create|query` (spec 4.4, 4.5). */
export function registerRefund(program: Command, kit: Kit): void {
  const refund = program
    .command('refund')
    .description(
      'refund an order and follow its refunds (needs the merchant certificate)',
    );
  registerCreate(refund, kit);
  registerQuery(refund, kit);
}

function registerCreate(refund: Command, kit: Kit): void {
  examples(
    refund
      .command('create')
      .description('apply for a refund (asks to confirm unless --yes)')
      .option('--out-trade-no <no>', 'the merchant order number')
      .option('--transaction-id <id>', "or WeChat's order number")
      .option(
        '--out-refund-no <no>',
        'refund number (default: generated); reuse it to retry safely',
      )
      .option('--total <yuan>', 'the order total in yuan, e.g. 100.00')
      .option('--total-fee <fen>', 'or the order total in fen')
      .option('--refund <yuan>', 'the amount to refund in yuan')
      .option('--refund-fee <fen>', 'or the amount to refund in fen')
      .option('--reason <text>', 'refund_desc, shown to the payer (≤ 80 chars)')
      .option('--notify-url <url>', 'where WeChat sends the refund result')
      .option(
        '--refund-account <source>',
        'unsettled (default) or recharge funds',
      )
      .option(
        '-y, --yes',
        'refund without asking (required without a terminal)',
      )
      .option('--timeout <duration>', TIMEOUT_HELP)
      .action(kit.action(async () => (await import('./create.js')).createRun)),
    [
      'wxpay refund create --out-trade-no 20240101120000123 --total 100.00 --refund 25.50 --reason 缺货',
      'wxpay refund create --transaction-id 4200000000000000000000000001 --total-fee 10000 --refund-fee 10000 --yes --json',
      'wxpay --mock refund create --out-trade-no demo-000001 --total 1 --refund 1 --yes',
    ],
  );
}

function registerQuery(refund: Command, kit: Kit): void {
  examples(
    refund
      .command('query')
      .description("list an order's refunds and what each status means")
      .option('--out-refund-no <no>', 'the merchant refund number')
      .option('--refund-id <id>', "WeChat's refund number")
      .option('--out-trade-no <no>', 'every refund of this merchant order')
      .option('--transaction-id <id>', 'every refund of this WeChat order')
      .option('--timeout <duration>', TIMEOUT_HELP)
      .action(kit.action(async () => (await import('./query.js')).queryRun)),
    [
      'wxpay refund query --out-refund-no R20240101120000123456789',
      'wxpay refund query --out-trade-no 20240101120000123 --json | jq ".refunds[].refund_status"',
    ],
  );
}
