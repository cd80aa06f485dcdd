import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';
import { registerOpenid } from '../openid/index.js';
import { registerPaysign } from '../paysign/index.js';

const TIMEOUT_HELP = 'HTTP timeout, e.g. 15s (default 10s)';

function common(command: Command): Command {
  return command
    .option('--timeout <duration>', TIMEOUT_HELP)
    .option('--key-file <path>', 'read the API key from a file (- for stdin)');
}

function registerCreate(order: Command, kit: Kit): void {
  const create = common(
    order
      .command('create')
      .description(
        'create an order (unifiedorder) and print the client pay parameters',
      ),
  )
    .option('--body <text>', 'product description, at most 127 bytes')
    .option('--amount <yuan>', 'amount in yuan, e.g. 0.01')
    .option('--total-fee <fen>', 'amount in fen, e.g. 1')
    .option('--out-trade-no <no>', 'your order number (generated when absent)')
    .option(
      '--trade-type <type>',
      'JSAPI (mini program, the default), NATIVE, APP or MWEB',
    )
    .option('--openid <openid>', 'the payer openid (JSAPI)')
    .option('--js-code <code>', 'a wx.login code, resolved to the openid')
    .option(
      '--notify-url <url>',
      'payment notification URL (default: the profile)',
    )
    .option('--attach <text>', 'your data, echoed in the notification')
    .option('--expire <duration>', 'order lifetime, e.g. 30m (at least 5m)')
    .option(
      '--client-ip <ip>',
      'spbill_create_ip (default 127.0.0.1; the payer IP for MWEB)',
    )
    .option(
      '--product-id <id>',
      'NATIVE product_id (default: the out_trade_no)',
    )
    .option('--sign-type <type>', 'MD5 or HMAC-SHA256 (default: the profile)')
    .option('--dry-run', 'print the signed request XML and send nothing')
    .action(kit.action(async () => (await import('./create.js')).createRun));
  examples(create, [
    'wxpay order create --mock --body "Test" --amount 0.01 --openid oTESTopenid0000000000000000A',
    'wxpay order create --body "会员月卡" --total-fee 1990 --js-code 0a1B2c3D --expire 30m',
    'wxpay order create --trade-type NATIVE --body "Coffee" --amount 12 --json',
    'wxpay order create --body Test --amount 0.01 --openid oUser --dry-run',
  ]);
}

function registerQuery(order: Command, kit: Kit): void {
  const query = order
    .command('query')
    .description('show an order trade_state and paid amount (orderquery)')
    .option('--out-trade-no <no>', 'your order number')
    .option('--transaction-id <id>', "WeChat's order number")
    .option('--watch', 'poll until the order reaches a final state')
    .option(
      '--interval <duration>',
      'time between polls with --watch (default 2s)',
    )
    .option(
      '--timeout <duration>',
      'HTTP timeout; with --watch, how long to wait (default 5m)',
    )
    .option('--key-file <path>', 'read the API key from a file (- for stdin)')
    .action(kit.action(async () => (await import('./query.js')).queryRun));
  examples(query, [
    'wxpay order query --out-trade-no 20240610141320000123456',
    'wxpay order query --transaction-id 4200001234202406101234567890 --json',
    'wxpay order query --out-trade-no 20240610141320000123456 --watch --timeout 10m',
  ]);
}

function registerClose(order: Command, kit: Kit): void {
  const close = common(
    order.command('close').description('close an unpaid order (closeorder)'),
  )
    .option('--out-trade-no <no>', 'your order number')
    .action(kit.action(async () => (await import('./close.js')).closeRun));
  examples(close, ['wxpay order close --out-trade-no 20240610141320000123456']);
}

/** `wxpay order create|query|close`, `wxpay paysign` and `wxpay openid`. */
export function registerOrder(program: Command, kit: Kit): void {
  const order = program
    .command('order')
    .description('create, query and close orders (the main job)');
  registerCreate(order, kit);
  registerQuery(order, kit);
  registerClose(order, kit);
  registerPaysign(program, kit);
  registerOpenid(program, kit);
}
