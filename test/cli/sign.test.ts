import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { caseText, fixturePath } from '../helpers/fixtures.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const OFFICIAL = [
  'appid=wxd930ea5d5a258f4f',
  'mch_id=10000100',
  'device_info=1000',
  'body=test',
  'nonce_str=ibuaiVcKdpRxkhJA',
];
const env = { WXPAY_KEY: '192006250b4c09247ec02edce69f6a2d' };

describe('wxpay sign', () => {
  it('prints only the signature on stdout, with the key from WXPAY_KEY', async () => {
    const result = await runCli(['sign', ...OFFICIAL], { env });
    expect(result).toEqual({
      code: 0,
      stdout: '9A0A8659F005D6984697E2CA0A9CF3B7\n',
      stderr: '',
    });
  });

  it('reads the key from --key-file - (stdin)', async () => {
    const result = await runCli(['sign', ...OFFICIAL, '--key-file', '-'], {
      stdin: '192006250b4c09247ec02edce69f6a2d\n',
    });
    expect(result.stdout).toBe('9A0A8659F005D6984697E2CA0A9CF3B7\n');
  });

  it('--explain shows the hashed string with the key masked, on stderr', async () => {
    const result = await runCli(['sign', ...OFFICIAL, 'attach=', '--explain'], {
      env,
    });
    expect(result.stdout).toBe('9A0A8659F005D6984697E2CA0A9CF3B7\n');
    expect(result.stderr).toContain(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=****************************6a2d',
    );
    expect(result.stderr).toContain('attach: empty values are not signed');
    expect(result.stderr).toMatch(/len=32 sha256:[0-9a-f]{8}/);
    expect(result.stderr).not.toContain(env.WXPAY_KEY);
  });

  it('--json gives one document with the same facts', async () => {
    const result = await runCli(
      ['sign', ...OFFICIAL, '--sign-type', 'HMAC-SHA256', '--json'],
      { env },
    );
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      sign: '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
      sign_type: 'HMAC-SHA256',
      dropped: [],
    });
    expect(result.stdout).not.toContain(env.WXPAY_KEY);
  });

  it('--show-secrets reveals the key in the explanation', async () => {
    const result = await runCli(
      ['sign', ...OFFICIAL, '--json', '--show-secrets'],
      { env },
    );
    expect(JSON.parse(result.stdout).string_to_sign).toContain(
      `&key=${env.WXPAY_KEY}`,
    );
  });

  it.each([
    [
      'JSON',
      caseText('B13-sign-no-urlencode.json').replace(
        /^[\s\S]*"params": (\{[\s\S]*?\}),[\s\S]*$/,
        '$1',
      ),
    ],
    ['XML', caseText('B14-request-special-chars.xml')],
  ])('reads %s from --in -', async (_kind, input) => {
    const result = await runCli(['sign', '--in', '-'], {
      env: { WXPAY_KEY: KEY },
      stdin: input,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^(304840ACDEA73F28311ED1F56599D9CE|D2EFC8636FC43176B04E5E3AC413D33A)\n$/,
    );
  });

  it('reads a=1&b=2 text without URL-decoding it', async () => {
    const result = await runCli(['sign', '--in', '-'], {
      env,
      stdin: OFFICIAL.join('&'),
    });
    expect(result.stdout).toBe('9A0A8659F005D6984697E2CA0A9CF3B7\n');
  });

  it('takes the algorithm from the input sign_type', async () => {
    const result = await runCli(
      ['sign', ...OFFICIAL, 'sign_type=HMAC-SHA256', '--json'],
      { env },
    );
    expect(JSON.parse(result.stdout).sign_type).toBe('HMAC-SHA256');
  });

  it('exits 4 when no key is configured anywhere', async () => {
    const result = await runCli(['sign', ...OFFICIAL]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/error: No profile named "default"/);
    expect(result.stderr).toContain('hint:');
  });

  it('exits 2 on unsafe XML and prints no file content', async () => {
    const result = await runCli(
      ['sign', '--in', fixturePath('cases', 'B20-xxe-file.xml')],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DOCTYPE');
    expect(result.stderr).not.toContain('root:');
  });

  it('exits 2 naming the missing input', async () => {
    const result = await runCli(['sign'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--in');
  });
});

describe('wxpay sign verify', () => {
  it('exits 0 for a valid HMAC notification without sign_type (B08)', async () => {
    const result = await runCli(
      [
        'sign',
        'verify',
        '--in',
        fixturePath('cases', 'B08-notify-hmac-no-sign-type.xml'),
      ],
      {
        env: { WXPAY_KEY: KEY },
      },
    );
    expect(result).toMatchObject({ code: 0, stdout: 'valid (HMAC-SHA256)\n' });
  });

  it('exits 1 with the expected signature and the diagnosis (B04 verifier bug reversed)', async () => {
    const xml = caseText('B04-orderquery-empty-attach.xml').replace(
      'BF5A3DE192F3D8177E0269F408AB873F',
      '6D45CF48C633859681566F53E2CA0C28',
    );
    const result = await runCli(['sign', 'verify', '--in', '-', '--json'], {
      env: { WXPAY_KEY: KEY },
      stdin: xml,
    });
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      valid: false,
      expected: 'BF5A3DE192F3D8177E0269F408AB873F',
    });
    expect(doc.causes.map((c: { cause: string }) => c.cause)).toContain(
      'empty_values_signed',
    );
  });

  it('exits 1 when the input carries no sign at all (B26)', async () => {
    const result = await runCli(
      [
        'sign',
        'verify',
        '--in',
        fixturePath('cases', 'B26-notify-no-sign.xml'),
      ],
      {
        env: { WXPAY_KEY: KEY },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no sign');
  });
});

describe('wxpay sign diagnose', () => {
  it('--json names the cause of a form-encoded signature (B13)', async () => {
    const params = JSON.parse(caseText('B13-sign-no-urlencode.json')).params;
    const result = await runCli(
      [
        'sign',
        'diagnose',
        '--in',
        '-',
        '--sign',
        'A77672F621E3CCDA19C13281CD9ABD31',
        '--json',
      ],
      { env: { WXPAY_KEY: KEY }, stdin: JSON.stringify(params) },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.matches).toBe(false);
    expect(doc.causes[0]).toMatchObject({ cause: 'form_encoded' });
    expect(Object.keys(doc)).toEqual(['matches', 'causes']);
  });

  it('uses the profile AppSecret as a suspect key (B01)', async () => {
    const params = JSON.parse(caseText('B01-sign-wrong-key.json')).params;
    const dir = await import('../helpers/cli.js').then((m) =>
      m.tempConfigDir(),
    );
    const secretFile = `${dir}/secret`;
    await import('node:fs').then((fs) => {
      fs.writeFileSync(`${dir}/key`, KEY);
      fs.writeFileSync(secretFile, '0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    });
    const init = await runCli(
      [
        'config',
        'init',
        '--appid',
        'wx0123456789abcdef',
        '--mch-id',
        '1900000109',
        '--key-file',
        `${dir}/key`,
        '--app-secret-file',
        secretFile,
      ],
      { env: { WXPAY_CONFIG_DIR: dir } },
    );
    expect(init.code).toBe(0);
    const result = await runCli(
      [
        'sign',
        'diagnose',
        ...Object.entries(params).map(([k, v]) => `${k}=${v}`),
        '--sign',
        '8D342CBC90D30660618DC57B7BBB1A5E',
      ],
      {
        env: { WXPAY_CONFIG_DIR: dir },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^other_secret_as_key\t.*AppSecret/m);
    expect(result.stdout + result.stderr).not.toContain(
      '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    );
  });

  it('refuses a --sign that is not a signature', async () => {
    const result = await runCli(
      ['sign', 'diagnose', ...OFFICIAL, '--sign', 'ZZZ'],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('32 (MD5) or 64');
  });

  it('does not search inputs far larger than any WeChat body', async () => {
    const fields = Array.from({ length: 4000 }, (_, i) => `f${i}=${i}`).join(
      '&',
    );
    const result = await runCli(
      ['sign', 'diagnose', '--in', '-', '--sign', '0'.repeat(32)],
      {
        env,
        stdin: fields,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('not searched\n');
  });

  it('ignores a byte-order mark at the start of a key file, with a note', async () => {
    const dir = tempConfigDir();
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `\ufeff${env.WXPAY_KEY}\r\n`);
    const result = await runCli(['sign', ...OFFICIAL, '--key-file', keyFile], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('9A0A8659F005D6984697E2CA0A9CF3B7\n');
    expect(result.stderr).toContain('byte-order mark');
  });

  it('refuses to sign nothing, and an empty body never verifies', async () => {
    const signed = await runCli(['sign', 'a='], { env });
    expect(signed.code).toBe(2);
    expect(signed.stderr).toContain('there is nothing to sign');
    const typeOnly = await runCli(['sign', 'sign_type=MD5'], { env });
    expect(typeOnly.code).toBe(2);
    for (const input of ['&', '{}', '<xml/>', '?&']) {
      const empty = await runCli(['sign', '--in', '-'], { env, stdin: input });
      expect([input, empty.code]).toEqual([input, 2]);
    }
    // The MD5 of key=<the official key>, which signs nothing at all.
    const verify = await runCli(['sign', 'verify', '--in', '-'], {
      env,
      stdin: '{"sign": "1526FD440C2A8E68F74374B33E8BDF73"}',
    });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('an empty body is never valid');
    expect(verify.stderr).not.toContain('different key');
  });

  it('warns about a field named key and masks it when it is the API key', async () => {
    const result = await runCli(
      ['sign', ...OFFICIAL, `key=${env.WXPAY_KEY}`, '--explain'],
      { env },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('The input has a field named "key"');
    expect(result.stderr).not.toContain(env.WXPAY_KEY);
    const other = await runCli(
      ['sign', ...OFFICIAL, 'Key=ZZZZsecretfieldvalueXYZW', '--json'],
      { env },
    );
    expect(other.stderr).toContain('a field named "Key"');
    expect(JSON.parse(other.stdout).string_to_sign).toContain(
      'Key=********************XYZW',
    );
  });

  it('verify shows a received sign with control characters escaped', async () => {
    const result = await runCli(
      ['sign', 'verify', ...OFFICIAL, 'sign=\u001b[31mAB\nFAKE: valid'],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('received sign: \\x1b[31mAB\\nFAKE: valid');
    expect(result.stderr).not.toContain('\u001b');
    const padded = await runCli(
      [
        'sign',
        'verify',
        ...OFFICIAL,
        'sign= 9A0A8659F005D6984697E2CA0A9CF3B7 ',
      ],
      { env },
    );
    expect(padded.code).toBe(1);
    expect(padded.stderr).toContain(
      'received sign: " 9A0A8659F005D6984697E2CA0A9CF3B7 "',
    );
    expect(padded.stderr).toContain('sign_whitespace');
  });

  it('suggests the sub-command for a mistyped one', async () => {
    const result = await runCli(['sign', 'verfy', ...OFFICIAL], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean `wxpay sign verify`?');
    const fields = await runCli(['sign', 'appid', ...OFFICIAL], { env });
    expect(fields.stderr).not.toContain('Did you mean');
  });

  it('--explain shows control characters escaped', async () => {
    const result = await runCli(
      ['sign', ...OFFICIAL, 'attach=a\n\u001b[31mb', '--explain'],
      { env },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('attach=a\\n\\x1b[31mb');
    expect(result.stderr).not.toContain('\u001b[31m');
  });

  it('verify names a sign that is not hex instead of a field count', async () => {
    const result = await runCli(['sign', 'verify', ...OFFICIAL, 'sign=hello'], {
      env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the sign is not a WeChat signature (32 or 64 hex characters)',
    );
    expect(result.stderr).not.toContain('far more fields');
  });

  it('exits 1 when no known mistake explains the signature', async () => {
    const result = await runCli(
      ['sign', 'diagnose', ...OFFICIAL, '--sign', 'F'.repeat(32)],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('no known cause\n');
    expect(result.stderr).toContain('--explain');
  });

  it('colours only on a terminal and never with NO_COLOR', async () => {
    const args = [
      'sign',
      'diagnose',
      ...OFFICIAL,
      '--sign',
      '9a0a8659f005d6984697e2ca0a9cf3b7',
    ];
    const tty = await runCli(args, { env, tty: true });
    expect(tty.stdout).not.toBe(stripVTControlCharacters(tty.stdout));
    const noColor = await runCli(args, {
      env: { ...env, NO_COLOR: '1' },
      tty: true,
    });
    expect(noColor.stdout).toBe(stripVTControlCharacters(noColor.stdout));
    const piped = await runCli(args, { env });
    expect(piped.stdout).toBe(stripVTControlCharacters(piped.stdout));
    expect(piped.stdout).toMatch(/^lowercase_hex\t/);
  });
});
