import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

export function registerOpenid(program: Command, kit: Kit): void {
  const openid = program
    .command('openid')
    .description('exchange a wx.login code for the openid (jscode2session)')
    .argument('[js_code]', 'the code from wx.login() (usable once, 5 minutes)')
    .option('--timeout <duration>', 'HTTP timeout, e.g. 15s (default 10s)')
    .action(kit.action(async () => (await import('./run.js')).openidRun));
  examples(openid, [
    'wxpay openid 0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P',
    'wxpay openid 0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P --json --show-secrets',
  ]);
}
