import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  buildPaymentNotification,
  buildRefundNotification,
} from '../../src/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { caseJson, caseText, fixturePath } from '../helpers/fixtures.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const ENV = {
  WXPAY_KEY: KEY,
  WXPAY_APPID: 'wx0123456789abcdef',
  WXPAY_MCH_ID: '1900000109',
};
const SUCCESS_REPLY =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
const cases = (name: string) => fixturePath('cases', name);

describe('wxpay notify verify', () => {
  it('prints a valid coupon notification as tab-separated fields when piped', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B22-notify-coupon.xml')],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('valid\tpayment\tMD5\tok');
    expect(lines).toContain('total_fee\t100\t1.00');
    expect(lines).toContain('coupon_fee_1\t20\t0.20');
    expect(lines).toContain('fee_type\tCNY');
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
  });

  it('masks a field named Key, piped and in --json', async () => {
    const body =
      '<xml><return_code>SUCCESS</return_code><appid>wx1</appid><Key>SECRETVALUE123456</Key><sign>0F783AB995BC1CFD739CB8444F500160</sign></xml>';
    const piped = await runCli(['notify', 'verify', '-'], {
      env: ENV,
      stdin: body,
    });
    expect(piped.stdout).not.toContain('SECRETVALUE123456');
    const json = await runCli(['notify', 'verify', '-', '--json'], {
      env: ENV,
      stdin: body,
    });
    expect(json.stdout).not.toContain('SECRETVALUE123456');
    expect(JSON.parse(json.stdout).fields.Key).toBe('*************3456');
  });

  it('masks a key-named field of a refund envelope in --json too', async () => {
    const body = buildRefundNotification({
      key: KEY,
      appid: ENV.WXPAY_APPID,
      mchId: ENV.WXPAY_MCH_ID,
      outTradeNo: 'ORDER000001',
      outRefundNo: 'R000001',
      totalFee: 101,
      refundFee: 50,
    }).body.replace('</xml>', '<KEY>SECRET-IN-ENVELOPE-0123456789</KEY></xml>');
    const json = await runCli(['notify', 'verify', '-', '--json'], {
      env: ENV,
      stdin: body,
    });
    expect(json.stdout).not.toContain('SECRET-IN-ENVELOPE');
    expect(JSON.parse(json.stdout).envelope.KEY).toMatch(/^\*+6789$/);
  });

  it('decorates the same result on a terminal', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B22-notify-coupon.xml')],
      { env: { ...ENV, FORCE_COLOR: '1' }, tty: true },
    );
    expect(result.code).toBe(0);
    const plain = stripVTControlCharacters(result.stdout);
    expect(plain).toContain('✓ valid payment notification (MD5)');
    expect(plain).toMatch(/total_fee\s+100 {2}\(¥1\.00\)/);
    expect(result.stdout).not.toBe(plain);
  });

  it('gives one JSON document with amounts in fen and yuan', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B08-notify-hmac-no-sign-type.xml'), '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      kind: 'payment',
      valid: true,
      paid: true,
      reason: 'ok',
      sign_type: 'HMAC-SHA256',
      checks: { appid: 'ok', mch_id: 'ok' },
      amounts: { total_fee: { fen: 1, yuan: '0.01' } },
      causes: [],
    });
    expect(doc.fields.transaction_id).toBe('4200001234202401011234567890');
  });

  it('exits 1 on a notification for another mch_id (B26)', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B26-notify-other-mch.xml'), '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      paid: false,
      reason: 'mch_id_mismatch',
    });
  });

  it('exits 1 without a sign and prints the FAIL reply with --reply (B26)', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B26-notify-no-sign.xml'), '--reply'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[SIGNERROR]]></return_msg></xml>\n',
    );
    expect(result.stderr).toContain('invalid\tpayment\t-\tsign_missing');
    expect(result.stderr).toContain('has no sign');
  });

  it('reads stdin and explains a signature made with the AppSecret', async () => {
    const forged = buildPaymentNotification({
      key: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      appid: ENV.WXPAY_APPID,
      mchId: ENV.WXPAY_MCH_ID,
      outTradeNo: '20240101000099',
      totalFee: 100,
      openid: 'oTESTopenid0000000000000000A',
    });
    const result = await runCli(['notify', 'verify', '-'], {
      env: { ...ENV, WXPAY_APP_SECRET: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
      stdin: forged.body,
    });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(
      'invalid\tpayment\tMD5\tsign_invalid',
    );
    expect(result.stderr).toContain('other_secret_as_key');
  });

  it('decrypts a refund notification and prints its fields (B29)', async () => {
    const expected = caseJson<{ api_key: string }>('B29-expected.json');
    const result = await runCli(
      [
        'notify',
        'verify',
        cases('B29-refund-notify.xml'),
        '--key-file',
        '-',
        '--mch-id',
        '1900000109',
        '--appid',
        'wx0123456789abcdef',
        '--reply',
      ],
      { stdin: `${expected.api_key}\n` },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${SUCCESS_REPLY}\n`);
    expect(result.stderr).toContain('valid\trefund\t-\tok');
    expect(result.stderr).toContain('out_refund_no\tR20240101000029');
    expect(result.stderr).toContain('refund_fee\t1\t0.01');
    expect(result.stderr).not.toContain('req_info');
  });

  it('reports a FAIL refund notification without crashing (B29)', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B29-refund-notify-fail.xml'), '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      kind: 'unknown',
      valid: false,
      reason: 'return_fail',
      return_msg: '参数格式校验错误',
    });
  });

  for (const file of ['B20-xxe-file.xml', 'B20-billion-laughs.xml']) {
    it(`exits 2 on ${file} and prints no file content`, async () => {
      const result = await runCli(['notify', 'verify', cases(file)], {
        env: ENV,
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('DOCTYPE');
      expect(result.stderr).not.toMatch(/root:|daemon:/);
    });
  }

  it('exits 2 on an oversize body before parsing it', async () => {
    const result = await runCli(
      ['notify', 'verify', cases('B20-oversize-2MB.xml')],
      { env: ENV },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('limit is 131072 bytes');
  });

  it('asks for a FILE instead of waiting on a terminal stdin', async () => {
    const result = await runCli(['notify', 'verify'], { env: ENV, tty: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No notification body given.');
  });

  it('exits 4 when no key is configured', async () => {
    const result = await runCli([
      'notify',
      'verify',
      cases('B22-notify-coupon.xml'),
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('No profile named "default"');
    expect(result.stderr).toContain('--mock');
  });

  it('verifies with --key-file alone and warns that appid and mch_id are unchecked', async () => {
    const keyFile = join(tempConfigDir(), 'key.txt');
    writeFileSync(keyFile, `${KEY}\n`);
    const result = await runCli(
      ['notify', 'verify', '-', '--key-file', keyFile],
      {
        stdin: caseText('B26-notify-other-mch.xml'),
      },
    );
    // Without a profile the other merchant's notification cannot be caught.
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'Not checking appid (--appid) or mch_id (--mch-id)',
    );
  });
});
