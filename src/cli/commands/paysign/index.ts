import type { Command } from 'commander';
import { Option } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

export function registerPaysign(program: Command, kit: Kit): void {
  const paysign = program
    .command('paysign')
    .description('rebuild the client pay parameters (paySign) for a prepay_id')
    .option('--prepay-id <id>', 'the prepay_id from unifiedorder')
    .addOption(
      new Option('--type <type>', 'jsapi (wx.requestPayment) or app')
        .choices(['jsapi', 'app'])
        .default('jsapi'),
    )
    .option(
      '--sign-type <type>',
      'MD5 or HMAC-SHA256; must match the order (default: the profile)',
    )
    .option('--timestamp <seconds>', 'fix timeStamp (default: now)')
    .option('--nonce-str <text>', 'fix nonceStr (default: random)')
    .option('--key-file <path>', 'read the API key from a file (- for stdin)')
    .action(kit.action(async () => (await import('./run.js')).paysignRun));
  examples(paysign, [
    'wxpay paysign --prepay-id wx201410272009395522657a690389285100',
    'wxpay paysign --prepay-id wx2014… --type app --json',
  ]);
}
