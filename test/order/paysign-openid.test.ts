import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { caseJson } from '../helpers/fixtures.js';
import { tempConfigDir } from '../helpers/cli.js';
import { localServer } from '../http/support.js';
import {
  cli,
  configWith,
  expectPlain,
  localProfile,
  tabFields,
} from './support.js';

interface B17 {
  params: Record<string, string>;
  key: string;
  wx_requestPayment_object: Record<string, string>;
  hmac_variant: { expected_sign: string };
}
const b17 = caseJson<B17>('B17-paysign-jsapi.json');
const prepayId = b17.params.package.replace('prepay_id=', '');
const fixed = [
  '--timestamp',
  b17.params.timeStamp,
  '--nonce-str',
  b17.params.nonceStr,
];

function b17Config(): string {
  return configWith('shop', {
    appid: b17.params.appId,
    mch_id: '1900000109',
    key: b17.key,
  });
}

describe('wxpay paysign', () => {
  it('B17: rebuilds the wx.requestPayment object with the known paySign', async () => {
    const result = await cli(b17Config(), [
      'paysign',
      '--prepay-id',
      prepayId,
      ...fixed,
    ]);
    expect(result.code).toBe(0);
    expectPlain(result);
    expect(JSON.parse(result.stdout)).toEqual(b17.wx_requestPayment_object);
    expect(result.stderr).toContain('signed but not passed');
  });

  it('B17: HMAC-SHA256 gives the case HMAC paySign', async () => {
    const result = await cli(b17Config(), [
      'paysign',
      '--prepay-id',
      prepayId,
      ...fixed,
      '--sign-type',
      'HMAC-SHA256',
      '--json',
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      signType: 'HMAC-SHA256',
      paySign: b17.hmac_variant.expected_sign,
    });
  });

  it('prints indented JSON on a terminal', async () => {
    const result = await cli(
      b17Config(),
      ['paysign', '--prepay-id', prepayId, ...fixed],
      true,
    );
    expect(result.stdout).toContain(
      '\n  "paySign": "61FA91392996F7DB3D5EB4C8E92C6682"',
    );
  });

  it('builds APP parameters with lower-case names', async () => {
    const result = await cli(b17Config(), [
      'paysign',
      '--prepay-id',
      prepayId,
      '--type',
      'app',
      '--json',
    ]);
    expect(Object.keys(JSON.parse(result.stdout))).toEqual([
      'appid',
      'partnerid',
      'prepayid',
      'package',
      'noncestr',
      'timestamp',
      'sign',
    ]);
  });

  it.each([
    [['--prepay-id', 'prepay_id=wx1'], 'not a prepay_id'],
    [['--prepay-id', 'wx1', '--timestamp', '1700000000000'], '10 digits'],
    [[], '--prepay-id'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await cli(b17Config(), ['paysign', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('wxpay openid', () => {
  it('prints the openid and a masked session_key, piped', async () => {
    const dir = tempConfigDir();
    const result = await cli(dir, ['openid', '--mock', 'code1234']);
    expect(result.code).toBe(0);
    expectPlain(result);
    const out = tabFields(result.stdout);
    expect(out.openid).toMatch(/^o/);
    expect(out.session_key).toMatch(/^\*+.{4}$/);
    expect(result.stderr).toContain('--show-secrets');
    const again = await cli(dir, ['openid', '--mock', 'code5678']);
    expect(tabFields(again.stdout).openid).not.toBe(out.openid);
  });

  it('reveals the session_key with --show-secrets, in one JSON document', async () => {
    const result = await cli(tempConfigDir(), [
      'openid',
      '--mock',
      'code1234',
      '--show-secrets',
      '--json',
    ]);
    const doc = JSON.parse(result.stdout);
    expect(doc.session_key).not.toContain('*');
    expect(doc.session_key.length).toBeGreaterThan(8);
  });

  it('lays it out for people on a terminal', async () => {
    const result = await cli(
      tempConfigDir(),
      ['openid', '--mock', 'code1234'],
      true,
    );
    expect(stripVTControlCharacters(result.stdout)).toMatch(
      /^openid\s+o\S+\nunionid\s+.+\nsession_key\s+\*+/,
    );
  });

  it('B35: a second use of a code is 40163 with the double-call hint, exit 1', async () => {
    const dir = tempConfigDir();
    await cli(dir, ['openid', '--mock', 'code1234']);
    const result = await cli(dir, ['openid', '--mock', 'code1234']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('40163');
    expect(result.stderr).toMatch(/hint: .*once.*double call/);
  });

  it('B36: refuses a JSON string as the code with exit 2', async () => {
    const result = await cli(tempConfigDir(), [
      'openid',
      '--mock',
      '{"jsCode":"0a1B2c3D"}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bare token');
  });

  describe('against a real profile', () => {
    it('B36: reads a text/plain 40029 answer and explains it', async () => {
      const c = caseJson<{ response_body: string }>(
        'B36-jscode2session-40029.json',
      );
      const server = await localServer(() => ({ body: c.response_body }));
      const result = await cli(configWith('shop', localProfile(server.url)), [
        'openid',
        '0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P',
        '--verbose',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('40029');
      expect(result.stderr).toMatch(/hint: .*expired/);
      expect(result.stderr).not.toContain('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].path).toContain(
        'secret=0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      );
    });
  });
});
