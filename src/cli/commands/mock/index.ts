import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

/** `wxpay mock serve|pay|fault|reset`: the local WeChat Pay simulator. */
export function registerMock(program: Command, kit: Kit): void {
  const mock = program
    .command('mock')
    .description(
      'the local WeChat Pay simulator: serve it, pay orders, inject faults',
    );
  registerServe(mock, kit);
  registerPay(mock, kit);
  registerFault(mock, kit);
  registerReset(mock, kit);
}

function registerServe(mock: Command, kit: Kit): void {
  examples(
    mock
      .command('serve')
      .description(
        "serve WeChat's pay and mini-program paths on 127.0.0.1 (prints the base URL)",
      )
      .option('--port <n>', 'port to listen on (default: any free port)')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option(
        '--allow-remote',
        'allow a --host other than this machine (anyone reaching it can use the demo merchant)',
      )
      .option('--appid <appid>', 'add a merchant: its appid')
      .option('--mch-id <id>', 'add a merchant: its mch_id')
      .option(
        '--key-file <path>',
        "add a merchant: its API key's file (- for stdin)",
      )
      .option(
        '--app-secret-file <path>',
        'the AppSecret jscode2session checks for --appid',
      )
      .option(
        '--speed <n>',
        'divide the notification retry schedule by n (60: 15 s becomes 0.25 s)',
      )
      .option(
        '--allow-remote-notify',
        'send notifications to hosts other than this machine',
      )
      .action(kit.action(async () => (await import('./serve.js')).serveRun)),
    [
      'wxpay mock serve --port 8787',
      'wxpay mock serve --appid wx0123456789abcdef --mch-id 1900000109 --key-file key.txt',
      'wxpay mock serve --json --speed 60 | jq -r .url',
    ],
  );
}

function registerPay(mock: Command, kit: Kit): void {
  examples(
    mock
      .command('pay')
      .description(
        'pay an order as the user would, then deliver the signed notification to its notify_url',
      )
      .argument('<out_trade_no>', 'the order to pay')
      .option(
        '--url <base>',
        'a running `wxpay mock serve` (default: the state file)',
      )
      .option('--mch-id <id>', 'the merchant, when several have this order')
      .option('--sandbox', 'an order made through the /sandboxnew/ paths')
      .option('--no-notify', 'only mark the order paid')
      .option('--speed <n>', "divide WeChat's retry schedule by n (default 1)")
      .option('--timeout <duration>', 'stop retrying after this long, e.g. 30s')
      .option(
        '--allow-remote-notify',
        'deliver to a notify_url on another machine',
      )
      .action(kit.action(async () => (await import('./pay.js')).payRun)),
    [
      'wxpay mock pay 20240610141320000123456',
      'wxpay mock pay ORDER1 --url http://127.0.0.1:8787 --speed 60 --timeout 1m',
      'wxpay mock pay ORDER1 --no-notify --json',
    ],
  );
}

function registerFault(mock: Command, kit: Kit): void {
  examples(
    mock
      .command('fault')
      .description(
        'make the simulator slow or failing on purpose; without an effect, list the faults',
      )
      .option(
        '--url <base>',
        'a running `wxpay mock serve` (default: the state file)',
      )
      .option('--path <path>', 'the path it applies to, /pay/* style or *', '*')
      .option('--count <n>', 'how many requests it affects (default: all)')
      .option('--latency <ms>', 'delay each answer (ms, or 2s)')
      .option('--err-code <code>', 'answer this err_code (or numeric errcode)')
      .option('--err-code-des <text>', 'the err_code_des to send with it')
      .option('--drop', 'close the connection without answering')
      .option('--http-status <status>', 'answer with this HTTP 5xx status')
      .option('--clear [id]', 'remove all faults, or the one with this id')
      .action(kit.action(async () => (await import('./fault.js')).faultRun)),
    [
      'wxpay mock fault --path /pay/unifiedorder --err-code SYSTEMERROR --count 2',
      'wxpay mock fault --latency 1500 --url http://127.0.0.1:8787',
      'wxpay mock fault --drop --path /pay/orderquery --count 1',
      'wxpay mock fault --clear',
    ],
  );
}

function registerReset(mock: Command, kit: Kit): void {
  examples(
    mock
      .command('reset')
      .description(
        "forget the simulator's orders, refunds, used codes, tokens and faults",
      )
      .option(
        '--url <base>',
        'a running `wxpay mock serve` (default: the state file)',
      )
      .action(kit.action(async () => (await import('./reset.js')).resetRun)),
    ['wxpay mock reset', 'wxpay mock reset --url http://127.0.0.1:8787'],
  );
}
