import { Command, Option } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function profileOptions(command: Command): Command {
  return command
    .option('--key-file <path>', 'read the API key from a file (- for stdin)')
    .option('--appid <appid>', 'expected appid (default: the profile’s)')
    .option('--mch-id <mch_id>', 'expected mch_id (default: the profile’s)')
    .addOption(
      new Option(
        '--sign-type <type>',
        'MD5 or HMAC-SHA256, used when a notification has no sign_type and its sign length does not tell (default: the profile’s)',
      ),
    );
}

export function registerNotify(program: Command, kit: Kit): void {
  const notify = program
    .command('notify')
    .description(
      'payment and refund notifications: verify, listen, trigger (test your notify_url handler)',
    );

  const verify = profileOptions(
    notify
      .command('verify')
      .description(
        'check a notification body: kind, fields (fen and yuan), valid or not',
      )
      .argument('[file]', 'the raw body (- or nothing for stdin)'),
  )
    .option('--reply', 'print the reply the handler should send')
    .action(kit.action(async () => (await import('./verify.js')).verifyRun));
  examples(verify, [
    'wxpay notify verify captured.xml',
    'pbpaste | wxpay notify verify - --reply',
    'wxpay notify verify refund.xml --key-file key.txt --json',
  ]);

  const listen = profileOptions(
    notify
      .command('listen')
      .description(
        'a local notify_url that logs, verifies and answers notifications; --forward-to relays them to your handler',
      ),
  )
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8790')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--forward-to <url>',
      'relay the exact body to your handler and judge its reply',
    )
    .option('--timeout <duration>', 'how long to wait for your handler', '5s')
    .addOption(
      new Option('--format <format>', 'one log line per notification as')
        .choices(['text', 'ndjson'])
        .default('text'),
    )
    .action(kit.action(async () => (await import('./listen.js')).listenRun));
  examples(listen, [
    'wxpay notify listen --mock',
    'wxpay notify listen --port 8790 --forward-to http://127.0.0.1:3000/wxpay/notify',
    'wxpay notify listen --format ndjson | jq .out_trade_no',
  ]);

  const trigger = profileOptions(
    notify
      .command('trigger')
      .description(
        'send a correctly signed notification to your handler and check its reply',
      ),
  )
    .requiredOption('--to <url>', 'your notify_url handler')
    .option('--refund', 'send an encrypted refund notification instead')
    .option('--out-trade-no <no>', 'out_trade_no (default: generated)')
    .option('--amount <yuan>', 'total_fee in yuan, e.g. 19.99 (default 0.01)')
    .option('--total-fee <fen>', 'total_fee in fen, e.g. 1999')
    .option('--openid <openid>', 'the payer’s openid')
    .option('--attach <text>', 'attach, returned as given at order time')
    .option('--transaction-id <id>', 'transaction_id (default: generated)')
    .option(
      '--send-sign-type',
      'include a sign_type element (WeChat often omits it)',
    )
    .option(
      '--coupon <fen[:type]>',
      'a coupon of this many fen, type CASH or NO_CASH (repeatable)',
      collect,
      [],
    )
    .option('--out-refund-no <no>', 'with --refund: out_refund_no')
    .option('--refund-amount <yuan>', 'with --refund: refund_fee in yuan')
    .option('--refund-fee <fen>', 'with --refund: refund_fee in fen')
    .addOption(
      new Option('--refund-status <status>', 'with --refund: refund_status')
        .choices(['SUCCESS', 'CHANGE', 'REFUNDCLOSE'])
        .default('SUCCESS'),
    )
    .option('--repeat <n>', 'send the same notification n times', '1')
    .option('--tamper', 'also send a forged copy and expect it to be rejected')
    .option('--from-file <file>', 'replay a captured notification body')
    .option('--timeout <duration>', 'how long to wait for each reply', '5s')
    .action(kit.action(async () => (await import('./trigger.js')).triggerRun));
  examples(trigger, [
    'wxpay notify trigger --mock --to http://127.0.0.1:3000/wxpay/notify --amount 19.99',
    'wxpay notify trigger --to http://127.0.0.1:3000/notify --repeat 3 --tamper',
    'wxpay notify trigger --to http://127.0.0.1:3000/refund-notify --refund --refund-amount 5',
  ]);
}
