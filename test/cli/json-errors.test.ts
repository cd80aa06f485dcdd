import { describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/main.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

describe('--json on failures', () => {
  it.each([
    [
      ['sign', 'a=1', '--key-file', '/nonexistent', '--json'],
      2,
      'SECRET_FILE_UNREADABLE',
    ],
    [
      ['sign', '--in', fixturePath('cases', 'B20-xxe-file.xml'), '--json'],
      2,
      'XML_DOCTYPE_REFUSED',
    ],
    [['sign', 'a=1', '--json'], 4, 'PROFILE_MISSING'],
    [['sign', '--nope', '--json'], 2, 'USAGE'],
  ])(
    '%j prints one error document and exits %d',
    async (args, code, errorCode) => {
      const result = await runCli(args, { env: { WXPAY_KEY: 'k'.repeat(32) } });
      if (errorCode === 'PROFILE_MISSING') {
        const bare = await runCli(args);
        expect(bare.code).toBe(code);
        expect(JSON.parse(bare.stdout).error).toMatchObject({
          code: errorCode,
          exit_code: code,
        });
        // A command that only needs the key says how to give just that.
        expect(JSON.parse(bare.stdout).error.hint).toMatch(
          /^Pass --key-file PATH or set WXPAY_KEY\. Run `wxpay config init`/,
        );
        return;
      }
      expect(result.code).toBe(code);
      const doc = JSON.parse(result.stdout);
      expect(doc.error).toMatchObject({ code: errorCode, exit_code: code });
      expect(typeof doc.error.message).toBe('string');
    },
  );

  it('adds nothing when the command already printed its document', async () => {
    const result = await runCli(
      [
        'sign',
        'verify',
        'a=1',
        'sign=00000000000000000000000000000000',
        '--json',
      ],
      { env: { WXPAY_KEY: 'k'.repeat(32) } },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).valid).toBe(false);
  });

  it('prints no document without --json', async () => {
    expect((await runCli(['sign', '--nope'])).stdout).toBe('');
  });
});

describe('error text quoting hostile input', () => {
  it('escapes control characters so they cannot forge lines or drive the terminal', () => {
    expect(printable('a\nb\tc\u001b[31md\u0007')).toBe(
      'a\\nb\\tc\\x1b[31md\\x07',
    );
  });

  it('applies to errors that echo the input', async () => {
    const result = await runCli(['sign', '--in', '-'], {
      env: { WXPAY_KEY: 'k'.repeat(32) },
      stdin: 'zz\u001b]0;PWNED\u0007',
    });
    expect(result.code).toBe(2);
    // eslint-disable-next-line no-control-regex -- none may reach the terminal
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('escapes control characters in an unknown command name', async () => {
    const result = await runCli(['\u001b[31mfoo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\\x1b[31mfoo');
    expect(result.stderr).not.toContain('\u001b');
  });

  it('--json carries the message once escaped: it parses back to the input', async () => {
    const result = await runCli(['sign', '--in', '-', '--json'], {
      env: { WXPAY_KEY: 'k'.repeat(32) },
      stdin: 'zz\u001b]0;PWNED\u0007\u202e',
    });
    expect(result.code).toBe(2);
    // eslint-disable-next-line no-control-regex -- none may reach the terminal
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
    const { message } = JSON.parse(result.stdout).error;
    expect(message).toContain('zz\u001b]0;PWNED\u0007\u202e');
    expect(message).not.toContain('\\x1b');
  });
});

describe('input hardening', () => {
  const env = { WXPAY_KEY: 'k'.repeat(32) };

  it('refuses an empty key file as a configuration error', async () => {
    const dir = tempConfigDir();
    writeFileSync(join(dir, 'empty.key'), '');
    const result = await runCli([
      'sign',
      'a=1',
      '--key-file',
      join(dir, 'empty.key'),
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('The API key is empty');
  });

  it('refuses to read both the input and the key from stdin', async () => {
    const result = await runCli(['sign', '--in', '-', '--key-file', '-'], {
      stdin: 'a=1',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stdin');
  });

  it('reads at most the cap from an endless file', async () => {
    const result = await runCli(['sign', '--in', '/dev/zero'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('larger than');
  });

  it.each([
    ['a=1&a=2', 'appears twice'],
    [Buffer.from([0x61, 0x3d, 0xff]), 'not valid UTF-8'],
    ['<xml><a>x\u0000y</a></xml>', 'control character'],
  ])('refuses %j with a clear message', async (stdin, message) => {
    const result = await runCli(['sign', '--in', '-'], { env, stdin });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('keeps __proto__ an ordinary field name', async () => {
    const result = await runCli(['sign', '--in', '-', '--json'], {
      env,
      stdin: '{"__proto__": "x", "a": "1"}',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).string_to_sign).toMatch(
      /^__proto__=x&a=1&key=/,
    );
  });
});
