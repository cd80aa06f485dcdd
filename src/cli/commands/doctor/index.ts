import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

/** `wxpay doctor`: checks the active profile, offline and with --online. */
export function registerDoctor(program: Command, kit: Kit): void {
  examples(
    program
      .command('doctor')
      .description(
        'check the active profile: key, ids, certificate, file permissions',
      )
      .option(
        '--online',
        'also probe the API (orderquery on a random out_trade_no: ORDERNOTEXIST proves the key)',
      )
      .action(kit.action(async () => (await import('./doctor.js')).doctorRun)),
    [
      'wxpay doctor',
      'wxpay doctor --online',
      'wxpay doctor --profile shop-b --json | jq ".findings[] | select(.level == \\"fail\\")"',
    ],
  );
}
