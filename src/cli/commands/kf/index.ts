import { Command } from 'commander';
import { examples, type Kit } from '../../command-kit.js';

/** --token-file / --aes-key-file / --appid: secrets never as flag values. */
function secretOptions(command: Command, aesKey = true): Command {
  command
    .option(
      '--token-file <path>',
      'read the push Token from a file (- for stdin; else WXPAY_KF_TOKEN, the profile)',
    )
    .option('--appid <appid>', 'the mini program AppID (default: the profile)');
  if (aesKey) {
    command.option(
      '--aes-key-file <path>',
      'read the EncodingAESKey from a file (- for stdin; else WXPAY_KF_AES_KEY, the profile)',
    );
  }
  return command;
}

function queryOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the whole URL WeChat called (its query is read)')
    .option('--timestamp <seconds>', 'the timestamp query parameter')
    .option('--nonce <nonce>', 'the nonce query parameter')
    .option('--signature <sha1>', 'the signature query parameter')
    .option(
      '--msg-signature <sha1>',
      'the msg_signature query parameter (safe mode)',
    );
}

const tokenAppSecret = '--app-secret-file <path>';
const tokenAppSecretHelp =
  'read the AppSecret from a file (- for stdin; else WXPAY_APP_SECRET, the profile)';

export function registerKf(program: Command, kit: Kit): void {
  const token = program
    .command('token')
    .description(
      'get the mini-program access_token (cached; stable_token endpoint by default)',
    )
    .option(
      '--classic',
      'use GET /cgi-bin/token (each fetch kills the previous token after 5 min)',
    )
    .option(
      '--force-refresh',
      'ignore the cache; with stable_token, invalidate the current token (20/day, 30 s apart)',
    )
    .option(tokenAppSecret, tokenAppSecretHelp)
    .action(kit.action(async () => (await import('./token.js')).tokenRun));
  examples(token, [
    'wxpay token',
    'wxpay token --json',
    'wxpay token --mock --show-secrets',
  ]);

  const kf = program
    .command('kf')
    .description(
      'customer-service messages: verify the push URL, decrypt pushes, send, listen',
    );

  const verifyUrl = queryOptions(
    secretOptions(
      kf
        .command('verify-url')
        .description(
          'check the push-server URL verification and print what to answer',
        ),
    ),
  )
    .argument('[url]', 'the whole URL WeChat called (quote it)')
    .option('--echostr <text>', 'the echostr query parameter')
    .action(
      kit.action(async () => (await import('./verify-url.js')).verifyUrlRun),
    );
  examples(verifyUrl, [
    "wxpay kf verify-url 'https://example.com/kf?signature=…&timestamp=…&nonce=…&echostr=…'",
    'wxpay kf verify-url --timestamp 1718000000 --nonce 583920174 --signature 0efb04… --echostr 7391046285019283746',
  ]);

  const decrypt = queryOptions(
    secretOptions(
      kf
        .command('decrypt')
        .description(
          'check and open a push body (XML or JSON, safe or plaintext)',
        ),
    ),
  )
    .argument('[file]', 'the push body (- or a pipe for stdin)')
    .option(
      '--skip-signature',
      'open without checking the signature (never trust the result)',
    )
    .action(kit.action(async () => (await import('./crypt.js')).decryptRun));
  examples(decrypt, [
    "wxpay kf decrypt push.json --url 'https://example.com/kf?signature=…&msg_signature=…&timestamp=…&nonce=…'",
    'cat push.xml | wxpay kf decrypt --timestamp 1718000300 --nonce 918273645 --msg-signature 928ad3… --json',
  ]);

  const encrypt = secretOptions(
    kf
      .command('encrypt')
      .description(
        'wrap a message as a safe-mode push (or reply) with its signatures',
      ),
  )
    .argument(
      '[file]',
      'the plaintext message (XML or JSON; - or a pipe for stdin)',
    )
    .option(
      '--format <xml|json>',
      "envelope format (default: the message's own)",
    )
    .option(
      '--reply',
      'build a passive reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce)',
    )
    .option('--timestamp <seconds>', 'Unix seconds (default: now)')
    .option('--nonce <nonce>', 'nonce (default: random digits)')
    .option('--random <16 bytes>', 'fixed random prefix, to reproduce a vector')
    .action(kit.action(async () => (await import('./crypt.js')).encryptRun));
  examples(encrypt, [
    'wxpay kf encrypt message.json > push.json',
    'echo \'{"MsgType":"transfer_customer_service"}\' | wxpay kf encrypt --reply',
  ]);

  const send = kf
    .command('send')
    .description(
      "send a customer-service message (within 48 h of the user's last message)",
    )
    .option('--openid <openid>', 'the user (FromUserName of their push)')
    .option('--text <text>', 'a text message')
    .option(
      '--image <file>',
      'an image file, uploaded as temporary media first',
    )
    .option('--media-id <id>', 'an image already uploaded')
    .option(
      '--link <url>',
      'a link card (with --title, --description, --thumb-url)',
    )
    .option(
      '--miniprogrampage <pagepath>',
      'a mini-program card (with --title and --thumb or --thumb-media-id)',
    )
    .option('--title <text>', 'title of a link or mini-program card')
    .option('--description <text>', 'description of a link card')
    .option('--thumb-url <url>', 'thumbnail URL of a link card')
    .option(
      '--thumb <file>',
      'cover image of a mini-program card (uploaded first)',
    )
    .option(
      '--thumb-media-id <id>',
      'cover image of a mini-program card, already uploaded',
    )
    .option('--card-appid', 'include your AppID in a mini-program card')
    .option('--classic', 'get the token from GET /cgi-bin/token')
    .option(tokenAppSecret, tokenAppSecretHelp)
    .action(kit.action(async () => (await import('./send.js')).sendRun));
  examples(send, [
    'wxpay kf send --openid oWxPay…01 --text "Your order has shipped"',
    'wxpay kf send --openid oWxPay…01 --image receipt.png',
    'wxpay kf send --openid oWxPay…01 --miniprogrampage pages/order/detail?id=42 --title "Order 42" --thumb cover.jpg',
  ]);

  const typing = kf
    .command('typing')
    .description('show or cancel "typing…" (within 30 s of a user message)')
    .argument('<on|off>', 'on shows it (15 s), off cancels it')
    .option('--openid <openid>', 'the user')
    .option(tokenAppSecret, tokenAppSecretHelp)
    .action(kit.action(async () => (await import('./send.js')).typingRun));
  examples(typing, ['wxpay kf typing on --openid oWxPay…01']);

  const listen = secretOptions(
    kf
      .command('listen')
      .description(
        'receive pushes: answer verification, check, decrypt and print each message',
      ),
  )
    .option('--port <n>', 'port (0 picks a free one)', '8765')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--forward-to <url>',
      'pass each verified push to your handler and relay its answer',
    )
    .option(
      '--auto-reply <text>',
      'answer each new message through the send API',
    )
    .option('--transfer', 'answer user messages with transfer_customer_service')
    .option(tokenAppSecret, tokenAppSecretHelp)
    .action(kit.action(async () => (await import('./listen.js')).listenRun));
  examples(listen, [
    'wxpay kf listen --port 8080',
    'wxpay kf listen --forward-to http://127.0.0.1:3000/kf',
    'wxpay kf listen --transfer --json > pushes.json',
  ]);

  const trigger = secretOptions(
    kf
      .command('trigger')
      .description(
        'send a signed (and encrypted) push to your handler and judge its answer',
      ),
  )
    .option('--to <url>', 'your push handler')
    .option(
      '--type <type>',
      'text, image, miniprogrampage, enter or verify',
      'text',
    )
    .option('--content <text>', 'text of the message (title of a card)')
    .option('--openid <openid>', 'the sending user (default: a sample openid)')
    .option('--session-from <text>', 'SessionFrom of an enter event')
    .option('--to-user-name <gh_id>', 'your mini program original id (gh_…)')
    .option(
      '--format <xml|json>',
      'push format (default: the profile push_format, else xml)',
    )
    .option(
      '--plain',
      'plaintext mode even when an EncodingAESKey is configured',
    )
    .option('--forged', 'sign with a wrong Token: your handler must refuse it')
    .action(kit.action(async () => (await import('./trigger.js')).triggerRun));
  examples(trigger, [
    'wxpay kf trigger --to http://127.0.0.1:3000/kf',
    'wxpay kf trigger --to http://127.0.0.1:3000/kf --type verify',
    'wxpay kf trigger --to http://127.0.0.1:3000/kf --type enter --format json --forged',
  ]);
}
