import type { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

export function registerConfig(program: Command, kit: Kit): void {
  const config = program
    .command('config')
    .description('manage merchant profiles (stored mode 0600)');

  const load = async () => await import('./run.js');

  examples(
    config
      .command('init')
      .description('create or update a profile (a wizard on a terminal)')
      .option('--appid <appid>', 'mini-program appid (wx + 16 hex)')
      .option('--mch-id <id>', 'merchant number (商户号)')
      .option('--key-file <path>', 'the v2 API key, from a file (- for stdin)')
      .option('--app-secret-file <path>', 'the AppSecret, from a file')
      .option('--sign-type <type>', 'MD5 or HMAC-SHA256')
      .option('--notify-url <url>', 'default notify_url for orders')
      .option('--base-url <url>', 'pay API host (default the real one)')
      .option('--backup-base-url <url>', 'backup pay API host')
      .option('--mp-base-url <url>', 'mini-program API host')
      .option('--cert-p12 <path>', 'apiclient_cert.p12')
      .option('--cert-pem <path>', 'apiclient_cert.pem')
      .option('--key-pem <path>', 'apiclient_key.pem')
      .option('--cert-passphrase-file <path>', 'p12 passphrase, from a file')
      .option('--use', 'make it the current profile')
      .action(kit.action(async () => (await load()).initRun)),
    [
      'wxpay config init',
      'wxpay config init --profile shop --appid wx0123456789abcdef --mch-id 1900000109 --key-file key.txt --use',
    ],
  );

  examples(
    config
      .command('set')
      .description('set one field; secrets come from a prompt, a file or stdin')
      .argument('<field>', 'field name, e.g. appid, mch_id, key, notify_url')
      .argument('[value]', 'the value (not for secrets; "-" reads stdin)')
      .option('--from-file <path>', 'read the value from a file')
      .action(kit.action(async () => (await load()).setRun)),
    [
      'wxpay config set notify_url https://shop.example.com/wxpay/notify',
      'wxpay config set key            # masked prompt',
      'cat key.txt | wxpay config set key -',
    ],
  );

  examples(
    config
      .command('get')
      .description('print one field (secrets masked unless --show-secrets)')
      .argument('<field>')
      .action(kit.action(async () => (await load()).getRun)),
    ['wxpay config get mch_id', 'wxpay --profile shop config get key'],
  );

  examples(
    config
      .command('unset')
      .description('remove one field from the profile')
      .argument('<field>')
      .action(kit.action(async () => (await load()).unsetRun)),
    ['wxpay config unset notify_url'],
  );

  examples(
    config
      .command('list')
      .description('show profiles with secrets masked')
      .action(kit.action(async () => (await load()).listRun)),
    ['wxpay config list', 'wxpay config list --json'],
  );

  examples(
    config
      .command('use')
      .description('make a profile the current one')
      .argument('<name>')
      .action(kit.action(async () => (await load()).useRun)),
    ['wxpay config use shop'],
  );

  examples(
    config
      .command('path')
      .description('print the config file path')
      .action(kit.action(async () => (await load()).pathRun)),
    ['wxpay config path'],
  );
}
