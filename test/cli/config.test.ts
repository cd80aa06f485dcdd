import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MOCK_ORDER_ARGS, runCli, tempConfigDir } from '../helpers/cli.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

async function initProfile(dir: string, extra: string[] = []) {
  writeFileSync(join(dir, 'key.txt'), `${KEY}\n`);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  return runCli(
    [
      'config',
      'init',
      '--appid',
      'wx0123456789abcdef',
      '--mch-id',
      '1900000109',
      '--key-file',
      join(dir, 'key.txt'),
      '--app-secret-file',
      join(dir, 'secret.txt'),
      ...extra,
    ],
    { env: { WXPAY_CONFIG_DIR: dir } },
  );
}

describe('wxpay config', () => {
  it('init from flags writes a 0600 file in WXPAY_CONFIG_DIR', async () => {
    const dir = tempConfigDir();
    const result = await initProfile(dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const file = join(dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.profiles.default).toMatchObject({
      key: KEY,
      mch_id: '1900000109',
    });
    expect(stored.current).toBe('default');
  });

  it('init without a terminal names the missing flags', async () => {
    const result = await runCli([
      'config',
      'init',
      '--appid',
      'wx0123456789abcdef',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mch_id (--mch-id)');
    expect(result.stderr).toContain('key (--key-file)');
  });

  it('list masks every secret and --show-secrets reveals them', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const list = await runCli(['config', 'list'], { env });
    expect(list.stdout).toContain('*'.repeat(28) + 'c5d6');
    expect(list.stdout).not.toContain(KEY);
    expect(list.stdout).not.toContain(SECRET);
    const json = JSON.parse(
      (await runCli(['config', 'list', '--json'], { env })).stdout,
    );
    expect(json.profiles.default.app_secret).toBe('*'.repeat(28) + 'e1f0');
    const shown = await runCli(['config', 'list', '--show-secrets'], { env });
    expect(shown.stdout).toContain(KEY);
  });

  it('warns when the file was readable by others and sets it back to 0600', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const file = join(dir, 'config.json');
    chmodSync(file, 0o644);
    const list = await runCli(['config', 'list'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(list.code).toBe(0);
    expect(list.stderr).toContain('was readable by other users');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a secret as a plain argument and takes it from stdin', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const refused = await runCli(['config', 'set', 'key', KEY], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain(KEY);
    const piped = await runCli(['config', 'set', 'app_secret', '-'], {
      env,
      stdin: `${SECRET}\n`,
    });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain(SECRET);
  });

  it('warns about a key with whitespace or the wrong length, and stores it', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const result = await runCli(['config', 'set', 'key', '-'], {
      env,
      stdin: ` ${KEY.slice(1)}`,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('whitespace');
    const short = await runCli(['config', 'set', 'key', '-'], {
      env,
      stdin: 'abc',
    });
    expect(short.stderr).toContain('exactly 32');
  });

  it('gets the default of an unset field that has one, saying so', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const base = await runCli(['config', 'get', 'base_url'], { env });
    expect(base).toMatchObject({
      code: 0,
      stdout: 'https://api.mch.weixin.qq.com\n',
    });
    expect(base.stderr).toContain('not set in profile "default"; the default');
    const json = await runCli(['config', 'get', 'sign_type', '--json'], {
      env,
    });
    expect(JSON.parse(json.stdout)).toEqual({
      profile: 'default',
      sign_type: 'MD5',
      default: true,
    });
    // A local base_url never gets WeChat's backup host as a default.
    await runCli(['config', 'set', 'base_url', 'http://127.0.0.1:9'], { env });
    const backup = await runCli(['config', 'get', 'backup_base_url'], { env });
    expect(backup.code).toBe(4);
    const notify = await runCli(['config', 'get', 'notify_url'], { env });
    expect(notify.code).toBe(4);
  });

  it('list says which fields the environment overrides', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = {
      WXPAY_CONFIG_DIR: dir,
      WXPAY_APPID: 'wxffffffffffffffff',
      WXPAY_APP_SECRET: 'x'.repeat(32),
    };
    const text = await runCli(['config', 'list'], { env });
    expect(text.stderr).toContain(
      'WXPAY_APPID overrides appid, WXPAY_APP_SECRET overrides app_secret',
    );
    expect(text.stdout + text.stderr).not.toContain('x'.repeat(32));
    const json = await runCli(['config', 'list', '--json'], { env });
    expect(JSON.parse(json.stdout).env_overrides).toEqual({
      appid: 'WXPAY_APPID',
      app_secret: 'WXPAY_APP_SECRET',
    });
    const plain = await runCli(['config', 'list', '--json'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(JSON.parse(plain.stdout)).not.toHaveProperty('env_overrides');
  });

  it('keeps the mock profile on this machine', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const remote = await runCli(
      [
        '--profile',
        'mock',
        'config',
        'set',
        'base_url',
        'https://api.mch.weixin.qq.com',
      ],
      { env },
    );
    expect(remote.code).toBe(4);
    expect(remote.stderr).toContain(
      'only talks to a simulator on this machine',
    );
    const local = await runCli(
      ['--profile', 'mock', 'config', 'set', 'base_url', 'http://localhost:9'],
      { env },
    );
    expect(local.code).toBe(0);
    // A hand-edited file is refused when used, before anything is sent.
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        profiles: { mock: { mp_base_url: 'https://api.weixin.qq.com' } },
      }),
    );
    const order = await runCli(MOCK_ORDER_ARGS, { env });
    expect(order.code).toBe(4);
    expect(order.stderr).toContain("The mock profile's mp_base_url");
  });

  it('--mock names the mock profile in set, unset and init too', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const set = await runCli(
      ['config', 'set', 'notify_url', 'http://127.0.0.1:9/n', '--mock'],
      { env },
    );
    expect(set.code, set.stderr).toBe(0);
    const stored = () =>
      JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles;
    expect(Object.keys(stored())).toEqual(['mock']);
    const unset = await runCli(['config', 'unset', 'notify_url', '--mock'], {
      env,
    });
    expect(unset.code, unset.stderr).toBe(0);
    expect(stored().mock).toEqual({});
    const init = await initProfile(dir, [
      '--profile',
      'mock',
      '--base-url',
      'http://127.0.0.2:9',
    ]);
    expect(init.code).toBe(4);
    expect(init.stderr).toContain('only talks to a simulator on this machine');
  });

  it('says the mock profile has no URL rather than print a placeholder', async () => {
    const result = await runCli(['config', 'get', 'base_url', '--mock'], {
      env: { WXPAY_CONFIG_DIR: tempConfigDir() },
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the simulator inside each command');
  });

  it('unset on a missing profile creates nothing', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const result = await runCli(
      ['--profile', 'nosuch', 'config', 'unset', 'notify_url'],
      { env },
    );
    expect(result.code).toBe(4);
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(Object.keys(stored.profiles)).toEqual(['default']);
  });

  it('gives no WeChat host as a default of the built-in mock profile', async () => {
    const env = { WXPAY_CONFIG_DIR: tempConfigDir() };
    const result = await runCli(['config', 'get', 'mp_base_url', '--mock'], {
      env,
    });
    expect(result.code).toBe(4);
    expect(result.stdout).not.toContain('weixin.qq.com');
  });

  it('refuses an empty --profile and suggests only valid names', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const empty = await runCli(['--profile', '', 'config', 'get', 'mch_id'], {
      env,
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--profile needs a name');
    const odd = await runCli(['--profile', 'a b', 'sign', 'x=1'], { env });
    expect(odd.code).toBe(4);
    expect(odd.stderr).toContain('Pass --key-file PATH or set WXPAY_KEY.');
    expect(odd.stderr).not.toContain('--profile a b');
  });

  it('refuses an unknown sign_type in one clean sentence', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const result = await runCli(['config', 'set', 'sign_type', 'sha1'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: Invalid sign_type: Unknown sign type "sha1".\n',
    );
  });

  it('says a warning once even when two checks find it', async () => {
    const dir = tempConfigDir();
    writeFileSync(join(dir, 'padded.txt'), ` ${KEY.slice(1)} `);
    const result = await initProfile(dir, [
      '--key-file',
      join(dir, 'padded.txt'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr.match(/whitespace/g)).toHaveLength(1);
  });

  it('warns about a malformed appid and mch_id', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    expect(
      (await runCli(['config', 'set', 'appid', 'wxZZ'], { env })).stderr,
    ).toContain('16 lower-case hex');
    expect(
      (await runCli(['config', 'set', 'mch_id', '19x'], { env })).stderr,
    ).toContain('digits');
  });

  it('get, unset, use and path work on named profiles', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    await initProfile(dir);
    await initProfile(dir, []);
    const shop = await runCli(
      [
        'config',
        'init',
        '--profile',
        'shop',
        '--appid',
        'wx1111111111111111',
        '--mch-id',
        '1900000200',
        '--key-file',
        join(dir, 'key.txt'),
      ],
      { env },
    );
    expect(shop.code).toBe(0);
    expect(
      (await runCli(['--profile', 'shop', 'config', 'get', 'mch_id'], { env }))
        .stdout,
    ).toBe('1900000200\n');
    expect(
      (
        await runCli(['config', 'get', 'mch_id'], {
          env: { ...env, WXPAY_PROFILE: 'shop' },
        })
      ).stdout,
    ).toBe('1900000200\n');
    expect((await runCli(['config', 'use', 'shop'], { env })).code).toBe(0);
    expect((await runCli(['config', 'get', 'appid'], { env })).stdout).toBe(
      'wx1111111111111111\n',
    );
    expect((await runCli(['config', 'get', 'key'], { env })).stdout).toBe(
      '*'.repeat(28) + 'c5d6\n',
    );
    expect((await runCli(['config', 'unset', 'appid'], { env })).code).toBe(0);
    expect((await runCli(['config', 'get', 'appid'], { env })).code).toBe(4);
    expect((await runCli(['config', 'path'], { env })).stdout).toBe(
      `${join(dir, 'config.json')}\n`,
    );
    expect((await runCli(['config', 'use', 'nope'], { env })).code).toBe(4);
  });

  it('environment variables override the profile for CI', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const result = await runCli(['config', 'get', 'mch_id'], {
      env: { WXPAY_CONFIG_DIR: dir, WXPAY_MCH_ID: '1900000999' },
    });
    expect(result.stdout).toBe('1900000999\n');
  });

  it('refuses an unknown field and lists the known ones', async () => {
    const result = await runCli(['config', 'set', 'kye', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('appid, mch_id, key');
  });

  it('reports a corrupt config file as a configuration error', async () => {
    const dir = tempConfigDir();
    writeFileSync(join(dir, 'config.json'), '{not json');
    const result = await runCli(['config', 'list'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('config file');
  });
});

describe('a hand-edited config file', () => {
  it.each([
    ['{"profiles":{"x":{"key":12345}},"current":"x"}', 'x.key is a number'],
    ['{"profiles":{"x":[1]},"current":"x"}', 'profile "x" is not an object'],
    ['{"profiles":{"x":{"mch_id":null}},"current":"x"}', 'x.mch_id is a null'],
  ])('refuses %s as a configuration error', async (content, message) => {
    const dir = tempConfigDir();
    writeFileSync(join(dir, 'config.json'), content);
    const result = await runCli(['config', 'get', 'key'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('unexpected');
  });
});

describe('profile names', () => {
  it('never finds an object member such as constructor or __proto__', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const use = await runCli(['config', 'use', name], { env });
      expect(use.code, name).not.toBe(0);
      expect(use.stderr, name).not.toContain('malformed');
      const get = await runCli(['--profile', name, 'config', 'get', 'mch_id'], {
        env,
      });
      expect(get.code, name).toBe(4);
      expect(get.stderr, name).toContain(`No profile named "${name}"`);
    }
  });

  it('refuses to create a profile whose name is not a plain word', async () => {
    const dir = tempConfigDir();
    for (const name of [
      '__proto__',
      'constructor',
      'a b',
      '-x',
      'x'.repeat(65),
    ]) {
      const result = await initProfile(dir, ['--profile', name]);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain('cannot be a profile name');
    }
    const ok = await initProfile(dir, ['--profile', 'shop-2.test_A']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('warns when config set creates a profile (a mistyped --profile)', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    const env = { WXPAY_CONFIG_DIR: dir };
    const typo = await runCli(
      ['--profile', 'defualt', 'config', 'set', 'mch_id', '1900000109'],
      { env },
    );
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain('Profile "defualt" did not exist');
    const known = await runCli(['config', 'set', 'mch_id', '1900000109'], {
      env,
    });
    expect(known.stderr).not.toContain('did not exist');
  });
});

describe('concurrent and restricted writes', () => {
  it('keeps every profile when ten processes set values at once', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    // Separate processes, as in the reported race; needs the built CLI
    // (npm test builds it first).
    const bin = fileURLToPath(new URL('../../bin/wxpay.js', import.meta.url));
    const runs = Array.from(
      { length: 10 },
      (_, i) =>
        new Promise<number>((resolve) => {
          execFile(
            process.execPath,
            [
              bin,
              '--profile',
              `p${i}`,
              'config',
              'set',
              'mch_id',
              `19000001${i}0`,
            ],
            { env: { ...process.env, WXPAY_CONFIG_DIR: dir } },
            (error) => resolve(error ? Number(error.code) : 0),
          );
        }),
    );
    expect(await Promise.all(runs)).toEqual(Array(10).fill(0));
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(Object.keys(stored.profiles).sort()).toEqual(
      ['default', ...Array.from({ length: 10 }, (_, i) => `p${i}`)].sort(),
    );
  });

  it('creates the config folder private to its owner', async () => {
    const dir = join(tempConfigDir(), 'nested');
    await initProfile(tempConfigDir());
    const result = await runCli(
      ['config', 'set', 'notify_url', 'https://a.example/n'],
      {
        env: { WXPAY_CONFIG_DIR: dir },
      },
    );
    expect(result.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe('a loosened config file', () => {
  it('is reported by any command that opens it, not only config list', async () => {
    const dir = tempConfigDir();
    await initProfile(dir);
    chmodSync(join(dir, 'config.json'), 0o644);
    const result = await runCli(['config', 'get', 'mch_id'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.stdout).toBe('1900000109\n');
    expect(result.stderr).toContain('was readable by other users');
  });
});
