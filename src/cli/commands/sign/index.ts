import { Command, Option } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

const signTypeOption = () =>
  new Option(
    '--sign-type <type>',
    'MD5 or HMAC-SHA256 (default: the input sign_type, the profile, MD5)',
  );

function inputOptions(command: Command): Command {
  return command
    .argument('[fields...]', 'parameters as name=value')
    .option(
      '--in <file>',
      'read a JSON object, XML body or a=1&b=2 (- for stdin)',
    )
    .option('--key-file <path>', 'read the API key from a file (- for stdin)')
    .addOption(signTypeOption());
}

export function registerSign(program: Command, kit: Kit): void {
  const sign = inputOptions(
    program
      .command('sign')
      .description(
        'sign parameters the WeChat Pay v2 way and explain the result',
      ),
  )
    .option(
      '--explain',
      'show the string that was hashed, dropped fields and a key fingerprint',
    )
    .action(kit.action(async () => (await import('./sign.js')).signRun));
  sign.addHelpText(
    'after',
    '\nExit codes: 0 signed, 2 bad input, 4 no API key or profile.',
  );
  examples(sign, [
    'wxpay sign appid=wx0123456789abcdef mch_id=1900000109 nonce_str=abc body=test',
    'wxpay sign --in request.xml --explain',
    'echo \'{"a":"1"}\' | wxpay sign --in - --key-file key.txt --json',
  ]);

  const verify = inputOptions(
    sign
      .command('verify')
      .description('check the sign inside the input; explain a mismatch'),
  ).action(kit.action(async () => (await import('./verify.js')).verifyRun));
  verify.addHelpText(
    'after',
    '\nExit codes: 0 valid, 1 invalid (expected sign and diagnosis on stderr), 2 bad input, 4 no API key or profile.',
  );
  examples(verify, [
    'wxpay sign verify --in notify.xml',
    'wxpay sign verify --in response.xml --key-file key.txt --json',
  ]);

  const diagnose = inputOptions(
    sign
      .command('diagnose')
      .description('find which known mistake produced a signature (签名错误)'),
  )
    .option(
      '--sign <value>',
      'the signature to explain (default: the input sign)',
    )
    .action(
      kit.action(async () => (await import('./diagnose.js')).diagnoseRun),
    );
  diagnose.addHelpText(
    'after',
    '\nExit codes: 0 a known mistake explains it (or it is right), 1 none does, 2 bad input, 4 no API key or profile.',
  );
  examples(diagnose, [
    'wxpay sign diagnose --in request.xml',
    'wxpay sign diagnose appid=wx… body=test --sign 8D342CBC90D30660618DC57B7BBB1A5E',
  ]);
}
