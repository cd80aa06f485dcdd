import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { caseJson, caseText, fixturePath } from '../helpers/fixtures.js';

const TOKEN = 'wxpayKfToken2024';
const AES = 'WxPayCases2KfSafeModeAesKeyForTestsOnly2025';
const APPID = 'wx0123456789abcdef';
const ENV = {
  WXPAY_KF_TOKEN: TOKEN,
  WXPAY_KF_AES_KEY: AES,
  WXPAY_APPID: APPID,
};

const C01_URL =
  'https://merchant.example/kf?signature=0efb0456a8078087ad052585bfcaba04ecb1b9f9&timestamp=1718000000&nonce=583920174&echostr=7391046285019283746';
const C04 = caseJson<{
  timestamp: string;
  nonce: string;
  signature: string;
  bodies: Record<string, { msg_signature?: string }>;
  expected_parsed_message_all_four: Record<string, string>;
}>('C04-kf-json-vs-xml.json');

function c04Flags(name: string): string[] {
  const flags = [
    '--timestamp',
    C04.timestamp,
    '--nonce',
    C04.nonce,
    '--signature',
    C04.signature,
  ];
  const msg = C04.bodies[name].msg_signature;
  return msg ? [...flags, '--msg-signature', msg] : flags;
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxpay-kf-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('wxpay kf verify-url', () => {
  it('C01 pasted URL: prints the echostr exactly and exits 0', async () => {
    const result = await runCli(['kf', 'verify-url', C01_URL], { env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('7391046285019283746\n');
    expect(result.stderr).toMatch(/exactly these 19 bytes/);
  });

  it('C01 with separate flags and --json gives one document with the answer', async () => {
    const result = await runCli(
      [
        'kf',
        'verify-url',
        '--json',
        '--timestamp',
        '1718000000',
        '--nonce',
        '583920174',
        '--signature',
        '0efb0456a8078087ad052585bfcaba04ecb1b9f9',
        '--echostr',
        '7391046285019283746',
      ],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: true,
      answer: '7391046285019283746',
    });
  });

  it('C01 negative: another token exits 1 and never prints the echostr on stdout', async () => {
    const c01 = caseJson<{
      negative_request: { query: Record<string, string> };
    }>('C01-kf-url-verify.json');
    const query = new URLSearchParams(c01.negative_request.query).toString();
    const result = await runCli(
      ['kf', 'verify-url', `https://x.example/kf?${query}`],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('invalid\n');
    expect(result.stderr).toMatch(/Token differs/);
  });

  it('explains an upper-case signature', async () => {
    const result = await runCli(
      [
        'kf',
        'verify-url',
        C01_URL.replace(
          '0efb0456a8078087ad052585bfcaba04ecb1b9f9',
          '0EFB0456A8078087AD052585BFCABA04ECB1B9F9',
        ),
      ],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/upper-case hex/);
  });

  it('a missing token is a config error (exit 4) naming the ways to set it', async () => {
    const result = await runCli(['kf', 'verify-url', C01_URL], {
      env: { WXPAY_APPID: APPID },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/WXPAY_KF_TOKEN|--token-file/);
  });

  it('reads the token from --token-file and never echoes it', async () => {
    const file = tempFile('token.txt', `${TOKEN}\n`);
    const result = await runCli(
      ['kf', 'verify-url', C01_URL, '--token-file', file, '--verbose'],
      { env: { WXPAY_APPID: APPID } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('without any signature it is a usage error (exit 2)', async () => {
    const result = await runCli(
      ['kf', 'verify-url', '--timestamp', '1', '--nonce', '2'],
      { env: ENV },
    );
    expect(result.code).toBe(2);
  });
});

describe('wxpay kf decrypt', () => {
  for (const name of Object.keys(C04.bodies)) {
    it(`C04 ${name}: piped output is the exact message as JSON strings`, async () => {
      const result = await runCli(
        ['kf', 'decrypt', fixturePath('cases', name), ...c04Flags(name)],
        { env: ENV },
      );
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(
        C04.expected_parsed_message_all_four,
      );
      expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
    });
  }

  it('reads stdin and --json prints one document with mode and appid', async () => {
    const name = 'C04-push-safe.json';
    const result = await runCli(
      ['kf', 'decrypt', '--json', ...c04Flags(name)],
      { env: ENV, stdin: caseText(name) },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      mode: 'safe',
      format: 'json',
      appid: APPID,
      signature_checked: true,
      message: C04.expected_parsed_message_all_four,
    });
  });

  it('on a TTY prints aligned fields', async () => {
    const name = 'C04-push-safe.xml';
    const result = await runCli(
      ['kf', 'decrypt', fixturePath('cases', name), ...c04Flags(name)],
      {
        env: { ...ENV, FORCE_COLOR: '1' },
        tty: true,
      },
    );
    expect(result.code).toBe(0);
    const plain = stripVTControlCharacters(result.stdout);
    expect(plain).toContain('MsgId         7386519283746501300');
    expect(result.stdout).not.toBe(plain);
  });

  it('accepts the whole push URL with --url', async () => {
    const name = 'C04-push-safe.json';
    const url = `https://merchant.example/kf?signature=${C04.signature}&timestamp=${C04.timestamp}&nonce=${C04.nonce}&openid=oWxPayCases2TestUser00000001&encrypt_type=aes&msg_signature=${C04.bodies[name].msg_signature}`;
    const result = await runCli(
      ['kf', 'decrypt', fixturePath('cases', name), '--url', url],
      { env: ENV },
    );
    expect(result.code).toBe(0);
  });

  it('a wrong msg_signature exits 1', async () => {
    const name = 'C04-push-safe.json';
    const flags = c04Flags(name);
    flags[flags.length - 1] = '0'.repeat(40);
    const result = await runCli(
      ['kf', 'decrypt', fixturePath('cases', name), ...flags],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/msg_signature does not match/);
  });

  it('a foreign appid exits 1 (-40005)', async () => {
    const name = 'C04-push-safe.json';
    const result = await runCli(
      [
        'kf',
        'decrypt',
        fixturePath('cases', name),
        ...c04Flags(name),
        '--appid',
        'wxffffffffffffffff',
      ],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not this mini program/);
  });

  it('a wrong EncodingAESKey exits 1 with the next step', async () => {
    const name = 'C04-push-safe.json';
    const result = await runCli(
      ['kf', 'decrypt', fixturePath('cases', name), ...c04Flags(name)],
      {
        env: { ...ENV, WXPAY_KF_AES_KEY: 'A'.repeat(43) },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not decrypt with this EncodingAESKey/);
  });

  it.each([
    ['not XML or JSON', 'hello'],
    ['truncated JSON', '{"ToUserName":"gh_1","Encrypt":"abc'],
    ['Encrypt not base64', '{"ToUserName":"gh_1","Encrypt":"!!!!"}'],
    [
      'XML with a DOCTYPE',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
    ],
    ['duplicate JSON keys', '{"Encrypt":"a","Encrypt":"b"}'],
  ])('malformed input (%s) exits 2', async (_what, body) => {
    const result = await runCli(['kf', 'decrypt', '--skip-signature'], {
      env: ENV,
      stdin: body,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/root:/);
  });
});

describe('wxpay kf encrypt', () => {
  it('round-trips: the envelope it prints decrypts back to the message', async () => {
    const message = caseText('C04-push-plain.json');
    const sealed = await runCli(
      [
        'kf',
        'encrypt',
        '--json',
        '--timestamp',
        '1718000300',
        '--nonce',
        '918273645',
      ],
      { env: ENV, stdin: message },
    );
    expect(sealed.code).toBe(0);
    const doc = JSON.parse(sealed.stdout) as {
      body: string;
      query: Record<string, string>;
    };
    expect(doc.query).toMatchObject({
      signature: C04.signature,
      encrypt_type: 'aes',
      openid: 'oWxPayCases2TestUser00000001',
    });
    const opened = await runCli(
      ['kf', 'decrypt', '--url', `/kf?${new URLSearchParams(doc.query)}`],
      { env: ENV, stdin: doc.body },
    );
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout)).toEqual(
      C04.expected_parsed_message_all_four,
    );
  });

  it('--random reproduces the C04 safe XML body byte for byte', async () => {
    const result = await runCli(
      [
        'kf',
        'encrypt',
        '--random',
        'c4xRandomBytes16',
        '--timestamp',
        C04.timestamp,
        '--nonce',
        C04.nonce,
      ],
      {
        env: ENV,
        stdin: caseText('C04-push-plain.xml'),
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${caseText('C04-push-safe.xml').trim()}\n`);
    expect(result.stderr).toContain(
      `msg_signature=${C04.bodies['C04-push-safe.xml'].msg_signature}`,
    );
  });

  it('--reply builds an envelope with MsgSignature', async () => {
    const result = await runCli(
      [
        'kf',
        'encrypt',
        '--reply',
        '--timestamp',
        '1713424427',
        '--nonce',
        '415670741',
      ],
      { env: ENV, stdin: '{"MsgType":"transfer_customer_service"}' },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      TimeStamp: 1713424427,
      Nonce: '415670741',
    });
  });
});
