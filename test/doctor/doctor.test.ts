import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/core/profile.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { makeCert, writeP12, writePem } from '../cert/make-certs.js';
import { refusal, startFakeWeChat } from '../refund/fake-wechat.js';

const ESC = String.fromCharCode(27);

const GOOD: Profile = {
  appid: 'wx0123456789abcdef',
  mch_id: '1900000109',
  key: '0123456789abcdef0123456789abcdef',
};

interface Finding {
  id: string;
  level: string;
  message: string;
  fix?: string;
}

/** Writes a config file holding one current profile, mode 0600. */
function configWith(profile: Profile, mode = 0o600): string {
  const dir = tempConfigDir();
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({ current: 'default', profiles: { default: profile } }),
  );
  chmodSync(path, mode);
  return dir;
}

async function doctorJson(dir: string, extra: string[] = []) {
  const result = await runCli(['doctor', '--json', ...extra], {
    env: { WXPAY_CONFIG_DIR: dir },
  });
  const document = JSON.parse(result.stdout) as {
    ok: boolean;
    exit_code: number;
    findings: Finding[];
  };
  const byId = Object.fromEntries(document.findings.map((f) => [f.id, f]));
  return { result, document, byId };
}

describe('wxpay doctor (offline)', () => {
  it('passes a well-formed profile with a certificate of its merchant (exit 0)', async () => {
    const dir = configWith({});
    const p12 = writeP12(dir, makeCert(), GOOD.mch_id!);
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        current: 'default',
        profiles: { default: { ...GOOD, cert_p12: p12 } },
      }),
    );
    const { result, document, byId } = await doctorJson(dir);
    expect(result.code).toBe(0);
    expect(document.ok).toBe(true);
    expect(Object.keys(byId)).toEqual([
      'key_length',
      'appid',
      'mch_id',
      'cert',
      'cert_merchant',
      'cert_validity',
      'cert_key_match',
      'config_permissions',
    ]);
    expect(document.findings.every((f) => f.level === 'ok')).toBe(true);
  });

  it('fails a key with a trailing space, with the fix, and never prints the key (exit 4)', async () => {
    const dir = configWith({ ...GOOD, key: `${GOOD.key} ` });
    const { result, byId } = await doctorJson(dir);
    expect(result.code).toBe(4);
    expect(byId.key_whitespace.level).toBe('fail');
    expect(byId.key_whitespace.fix).toContain('wxpay config set key');
    // The length is counted as stored: WeChat signs with the space too.
    expect(byId.key_length.level).toBe('fail');
    expect(byId.key_length.message).toBe(
      'The API key is 33 characters as stored (32 without the whitespace at its ends); WeChat signs with all 33, so it must be exactly the 32.',
    );
    expect(result.stdout + result.stderr).not.toContain(GOOD.key!);
  });

  it('fails a key of the wrong length and malformed ids', async () => {
    const dir = configWith({
      appid: 'wx0123',
      mch_id: '19000 00109',
      key: 'short',
    });
    const { result, byId } = await doctorJson(dir);
    expect(result.code).toBe(4);
    expect(byId.key_length.message).toMatch(/^The API key is 5 characters/);
    expect(byId.appid.level).toBe('fail');
    expect(byId.mch_id.level).toBe('fail');
    expect(byId.mch_id.fix).toBe(
      'Run `wxpay config set mch_id` with the mch_id of the merchant (商户号).',
    );
  });

  it('reports a config file that was 0644, now tightened to 0600', async () => {
    const dir = configWith(GOOD, 0o644);
    const { result, byId } = await doctorJson(dir);
    expect(byId.config_permissions.level).toBe('warn');
    expect(byId.config_permissions.message).toContain(
      'was readable by other users',
    );
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    // A warning alone does not fail the run.
    expect(result.code).toBe(0);
  });

  it('fails a config folder that others can write to', async () => {
    const dir = configWith(GOOD);
    chmodSync(dir, 0o777);
    const { result, byId } = await doctorJson(dir);
    expect(byId.config_folder_permissions).toMatchObject({
      level: 'fail',
      fix: `Run \`chmod 700 ${dir}\`.`,
    });
    expect(result.code).toBe(4);
  });

  it('fails a certificate of another merchant and an expired one', async () => {
    const dir = configWith({});
    const [certPath, keyPath] = writePem(
      dir,
      makeCert({
        subject: { CN: '1900000999' },
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2021-01-01T00:00:00Z'),
      }),
    );
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        current: 'default',
        profiles: {
          default: { ...GOOD, cert_pem: certPath, key_pem: keyPath },
        },
      }),
    );
    const { result, byId } = await doctorJson(dir);
    expect(result.code).toBe(4);
    expect(byId.cert_merchant.level).toBe('fail');
    expect(byId.cert_validity.message).toBe(
      'The certificate expired on 2021-01-01T00:00:00.000Z.',
    );
  });

  it('fails a p12 whose passphrase is not the mch_id, with the hint', async () => {
    const dir = configWith({});
    const p12 = writeP12(dir, makeCert(), 'other-pass');
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        current: 'default',
        profiles: { default: { ...GOOD, cert_p12: p12 } },
      }),
    );
    const { result, byId } = await doctorJson(dir);
    expect(result.code).toBe(4);
    expect(byId.cert.level).toBe('fail');
    expect(byId.cert.fix).toContain('wxpay config set cert_passphrase');
  });

  it('warns, without failing, when no certificate is configured', async () => {
    const { result, byId } = await doctorJson(configWith(GOOD));
    expect(byId.cert.level).toBe('warn');
    expect(result.code).toBe(0);
  });

  it('prints tab-separated findings with their fixes when piped', async () => {
    const dir = configWith({ ...GOOD, key: `${GOOD.key}\n` });
    const result = await runCli(['doctor'], { env: { WXPAY_CONFIG_DIR: dir } });
    expect(result.code).toBe(4);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'fail\tkey_whitespace\tThe API key has leading or trailing whitespace; WeChat signs with the key exactly as written, so every request gets 签名错误.\tRun `wxpay config set key` and paste the API密钥 from 账户中心 > API安全 (masked prompt), or pipe it from a file. Copy it without spaces or line breaks.',
    );
    expect(lines[1]).toMatch(
      /^fail\tkey_length\tThe API key is 33 characters as stored /,
    );
    expect(result.stdout).not.toContain(ESC);
    expect(result.stderr).toContain('2 problem(s), 1 warning(s).');
    expect(result.stderr).not.toContain(ESC);
  });

  it('colours the checklist on a terminal', async () => {
    const dir = configWith(GOOD);
    const result = await runCli(['doctor'], {
      env: { WXPAY_CONFIG_DIR: dir, FORCE_COLOR: '1' },
      tty: true,
    });
    expect(result.stdout).toContain(`${ESC}[32m✓`);
    expect(result.stdout).toContain('Profile "default"');
    expect(result.stdout).toContain(
      '      fix: Run `wxpay config set cert_p12',
    );
  });

  it('colours the summary line of a pipe when FORCE_COLOR asks, never the data lines', async () => {
    const dir = configWith(GOOD);
    const result = await runCli(['doctor'], {
      env: { WXPAY_CONFIG_DIR: dir, FORCE_COLOR: '1' },
    });
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout.split('\n')[0]).toMatch(/^ok\tkey_length\t/);
    expect(result.stderr).toBe(
      `${ESC}[33m0 problem(s), 1 warning(s).${ESC}[39m\n`,
    );
  });

  it('counts a key with a leading space as 33 characters (exit 4)', async () => {
    const dir = configWith({ ...GOOD, key: ` ${GOOD.key}` });
    const { result, byId } = await doctorJson(dir);
    expect(result.code).toBe(4);
    expect(byId.key_whitespace.level).toBe('fail');
    expect(byId.key_length).toMatchObject({ level: 'fail' });
    expect(byId.key_length.message).toContain('33 characters as stored');
  });

  it.each(['base_url', 'backup_base_url', 'mp_base_url'])(
    'fails an unusable %s (exit 4), but only warns about notify_url',
    async (field) => {
      const dir = configWith({
        ...GOOD,
        notify_url: 'https://shop.example/notify?x=1',
        [field]: 'not a url',
      });
      const { result, byId } = await doctorJson(dir);
      expect(result.code).toBe(4);
      expect(byId[field]).toMatchObject({
        level: 'fail',
        message: `${field}: "not a url" is not a URL. No API call can be made with it.`,
      });
      expect(byId.notify_url.level).toBe('warn');
    },
  );

  it('checks the demo profile with --mock, skipping the certificate', async () => {
    const result = await runCli(['--mock', 'doctor', '--json']);
    const document = JSON.parse(result.stdout) as { findings: Finding[] };
    expect(result.code).toBe(0);
    expect(document.findings.find((f) => f.id === 'cert')?.level).toBe('skip');
  });

  it('names the missing profile (exit 4)', async () => {
    const result = await runCli(['doctor']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('wxpay config init');
  });
});

describe('wxpay doctor --online', () => {
  it('reads ORDERNOTEXIST on a random order as proof the key is right', async () => {
    const server = await startFakeWeChat({
      '/pay/orderquery': () => refusal('ORDERNOTEXIST', '订单不存在'),
    });
    const dir = configWith({ ...GOOD, base_url: server.url });
    const { result, byId } = await doctorJson(dir, ['--online']);
    expect(result.code).toBe(0);
    expect(byId.online.level).toBe('ok');
    expect(byId.online.message).toContain('ORDERNOTEXIST');
    const probe = server.requests[0].params.out_trade_no;
    expect(probe).toMatch(/^DR\d{23}$/);
  });

  it('reads SIGNERROR as a wrong key: a configuration problem (exit 4)', async () => {
    const server = await startFakeWeChat({
      '/pay/orderquery': () => ({
        fields: { return_code: 'FAIL', return_msg: '签名错误' },
      }),
    });
    const dir = configWith({ ...GOOD, base_url: server.url });
    const { result, byId } = await doctorJson(dir, ['--online']);
    expect(result.code).toBe(4);
    expect(byId.online.level).toBe('fail');
    expect(byId.online.message).toContain(
      'the API key or the sign type is wrong',
    );
    expect(byId.online.fix).toContain('wxpay config set key');
  });

  it('exits 3 when the API cannot be reached and the profile is otherwise fine', async () => {
    const server = await startFakeWeChat({
      '/pay/orderquery': () => ({ status: 503, raw: 'down' }),
    });
    const dir = configWith({ ...GOOD, base_url: server.url });
    const { result, byId } = await doctorJson(dir, ['--online']);
    expect(result.code).toBe(3);
    expect(byId.online.message).toMatch(/^Could not reach the API/);
  });
});
