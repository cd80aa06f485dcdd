import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  detectSignType,
  digest,
  hasSignedField,
  keyFingerprint,
  maskSecret,
  sign,
  signaturesEqual,
  stringToSign,
  verify,
  type Params,
  type SignType,
} from '../../src/core/sign.js';
import { jsapiPayParams } from '../../src/core/paysign.js';
import { parseXml } from '../../src/core/xml.js';
import { caseJson, caseText } from '../helpers/fixtures.js';

interface SignCase {
  params: Params;
  key: string;
  sign_type: SignType;
  string_to_sign: string;
  expected_sign: string;
  expected_sign_hmac_sha256?: string;
  wrong_variants?: { key?: string; sign?: string; string_to_sign?: string }[];
}

const OFFICIAL_KEY = '192006250b4c09247ec02edce69f6a2d';

describe('official signing vectors (spec 2.4, 2.5, 10)', () => {
  it('reproduces the signing doc example with MD5 and HMAC-SHA256', () => {
    const c = caseJson<SignCase>('REF-official-doc-vector.json');
    expect(stringToSign(c.params, c.key)).toBe(c.string_to_sign);
    expect(sign(c.params, c.key, 'MD5')).toBe(
      '9A0A8659F005D6984697E2CA0A9CF3B7',
    );
    expect(sign(c.params, c.key, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
  });

  it('reproduces the wechatpy library vector', () => {
    const params = { test1: 'test1', test2: 'test2' };
    expect(sign(params, OFFICIAL_KEY)).toBe('1E3A8D73B5A4AEE787C0F68B5DAB8520');
    expect(sign(params, OFFICIAL_KEY, 'HMAC-SHA256')).toBe(
      'EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659',
    );
  });

  it('computes the official mini-program paySign example', () => {
    const pay = jsapiPayParams({
      appid: 'wxd678efh567hg6787',
      prepayId: 'wx2017033010242291fcfe0db70013231072',
      key: 'qazwsxedcrfvtgbyhnujmikolp111111',
      timeStamp: '1490840662',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    });
    expect(pay.paySign).toBe('22D9B4E54AB1950F51E0649E8810ACD6');
    const hmac = jsapiPayParams({
      appid: 'wxd678efh567hg6787',
      prepayId: 'wx2017033010242291fcfe0db70013231072',
      key: 'qazwsxedcrfvtgbyhnujmikolp111111',
      timeStamp: '1490840662',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      signType: 'HMAC-SHA256',
    });
    expect(hmac.paySign).toBe(
      'FB9D1EFB5C509131BBFF729F88A99CA2DE9B724D06D3B3262832A53083862BC0',
    );
  });

  it('signs the indexed-coupon notification vector and skips empty fields', () => {
    const params: Params = {
      appid: 'wx2421b1c4370ec43b',
      attach: '支付测试',
      bank_type: 'CFT',
      cash_fee: '',
      device_info: '',
      coupon_count: '2',
      coupon_fee_0: '100',
      coupon_fee_1: '200',
      coupon_id_0: '10000',
      coupon_id_1: '10001',
      coupon_type_0: 'CASH',
      coupon_type_1: 'NO_CASH',
      fee_type: 'CNY',
      is_subscribe: 'Y',
      mch_id: '10000100',
      nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
      openid: 'oUpF8uMEb4qRXf22hE3X68TekukE',
      out_trade_no: '1409811653',
      result_code: 'SUCCESS',
      return_code: 'SUCCESS',
      time_end: '20140903131540',
      total_fee: '1',
      trade_type: 'JSAPI',
      transaction_id: '1004400740201409030005092168',
    };
    expect(sign(params, OFFICIAL_KEY)).toBe('2877BA2FA6AF8ABA3AC78A3AB78094C6');
    expect(sign(params, OFFICIAL_KEY, 'HMAC-SHA256')).toBe(
      'A0A01ABD00A6BCE1676F19865796FB539A60BDEDB9BAB19A4FB0CE90DEFCC397',
    );
  });
});

describe('signing cases from the field (B01-B17, C16)', () => {
  it.each([
    'B01-sign-wrong-key.json',
    'B03-sign-empty-values.json',
    'B06-sign-field-excluded.json',
    'B10-sign-chinese-body.json',
    'B13-sign-no-urlencode.json',
    'B14-sign-special-chars.json',
    'B17-paysign-jsapi.json',
    'C16-pay-timeexpire-utc.json',
  ])('%s: builds the expected string and signature', (name) => {
    const c = caseJson<SignCase>(name);
    expect(stringToSign(c.params, c.key)).toBe(c.string_to_sign);
    expect(sign(c.params, c.key, c.sign_type)).toBe(c.expected_sign);
    if (c.expected_sign_hmac_sha256) {
      expect(sign(c.params, c.key, 'HMAC-SHA256')).toBe(
        c.expected_sign_hmac_sha256,
      );
    }
  });

  it('B01: a different secret gives exactly the reported wrong signatures', () => {
    const c = caseJson<SignCase>('B01-sign-wrong-key.json');
    for (const variant of c.wrong_variants!) {
      expect(sign(c.params, variant.key!)).toBe(variant.sign);
    }
  });

  it('B03: drops "", null and undefined but keeps "0"', () => {
    const form = canonicalize({ a: '', b: null, c: undefined, d: '0', e: 0 });
    expect(form.stringA).toBe('d=0&e=0');
    expect(form.dropped).toEqual([
      { name: 'a', reason: 'empty' },
      { name: 'b', reason: 'null' },
      { name: 'c', reason: 'null' },
    ]);
  });

  it('B06: drops only sign, keeps sign_type', () => {
    const form = canonicalize({ sign: 'X', sign_type: 'MD5', a: '1' });
    expect(form.stringA).toBe('a=1&sign_type=MD5');
  });

  it('B17: the HMAC paySign variant', () => {
    const c = caseJson<{
      hmac_variant: { params: Params; expected_sign: string };
      key: string;
    }>('B17-paysign-jsapi.json');
    expect(sign(c.hmac_variant.params, c.key, 'HMAC-SHA256')).toBe(
      c.hmac_variant.expected_sign,
    );
  });

  it('B17: jsapiPayParams returns the wx.requestPayment object of the case', () => {
    const c = caseJson<{
      params: Record<string, string>;
      key: string;
      wx_requestPayment_object: Record<string, string>;
    }>('B17-paysign-jsapi.json');
    const pay = jsapiPayParams({
      appid: c.params.appId,
      prepayId: c.params.package.replace('prepay_id=', ''),
      key: c.key,
      timeStamp: c.params.timeStamp,
      nonceStr: c.params.nonceStr,
    });
    expect(pay).toEqual(c.wx_requestPayment_object);
    expect(typeof pay.timeStamp).toBe('string');
  });

  it('sorts names by byte order, so coupon_fee_10 comes before coupon_fee_2', () => {
    expect(
      canonicalize({ coupon_fee_2: 'b', coupon_fee_10: 'a', B: 'c' }).stringA,
    ).toBe('B=c&coupon_fee_10=a&coupon_fee_2=b');
  });
});

describe('verification of received data', () => {
  it('B04: both empty-value spellings verify with the case signature', () => {
    const expected = caseJson<{ key: string }>('B04-expected.json');
    for (const file of [
      'B04-orderquery-empty-attach.xml',
      'B04-orderquery-empty-variants.xml',
    ]) {
      const { fields } = parseXml(caseText(file));
      const result = verify(fields, expected.key);
      expect(result).toMatchObject({
        valid: true,
        signType: 'MD5',
        expected: 'BF5A3DE192F3D8177E0269F408AB873F',
      });
    }
  });

  it('B08: a 64-hex sign without sign_type verifies with HMAC-SHA256', () => {
    const c = caseJson<{ key: string; sign_in_xml: string }>(
      'B08-expected.json',
    );
    const { fields } = parseXml(caseText('B08-notify-hmac-no-sign-type.xml'));
    expect(detectSignType(fields)).toBe('HMAC-SHA256');
    expect(verify(fields, c.key)).toMatchObject({
      valid: true,
      signType: 'HMAC-SHA256',
    });
    expect(sign(fields, c.key, 'MD5')).toBe('2AC946D58B7AAD954D0229F4520C9EF4');
  });

  it('B21: digit strings keep their leading zeros and verify', () => {
    const { fields } = parseXml(caseText('B21-notify-numeric-strings.xml'));
    expect(fields).toMatchObject({
      out_trade_no: '000123456789',
      nonce_str: '0012',
      transaction_id: '4200001234202401011234567890',
      total_fee: '1',
    });
    const result = verify(fields, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6');
    expect(result.valid).toBe(true);
    expect(result.expected).toBe('651FC177443A94C5DAA2C35137C90691');
  });

  it('B22: coupon and settlement fields take part in verification', () => {
    const { fields } = parseXml(caseText('B22-notify-coupon.xml'));
    const result = verify(fields, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6');
    expect(result).toMatchObject({
      valid: true,
      expected: '41B38CBCEF3B6B66C3735CB468DFF5AB',
    });
  });

  it('rejects data without a sign, never passes it', () => {
    expect(verify({ a: '1' }, 'k'.repeat(32)).valid).toBe(false);
  });

  it('rejects a lower-case copy of the right signature', () => {
    const params = { a: '1', sign: sign({ a: '1' }, 'k').toLowerCase() };
    expect(verify(params, 'k').valid).toBe(false);
  });

  it('uses sign_type when present, even against the signature length', () => {
    expect(
      detectSignType({ sign_type: 'HMAC-SHA256', sign: 'A'.repeat(32) }),
    ).toBe('HMAC-SHA256');
    expect(detectSignType({ sign: 'zz' }, 'HMAC-SHA256')).toBe('HMAC-SHA256');
  });
});

describe('properties', () => {
  const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
  const params = fc.dictionary(name, fc.string(), { maxKeys: 12 });

  it('the signature does not depend on the order of the keys', () => {
    fc.assert(
      fc.property(
        params,
        fc.constantFrom<SignType>('MD5', 'HMAC-SHA256'),
        (p, t) => {
          const reversed = Object.fromEntries(Object.entries(p).reverse());
          expect(sign(reversed, 'key', t)).toBe(sign(p, 'key', t));
        },
      ),
    );
  });

  it('a signed set always verifies and any changed value does not', () => {
    fc.assert(
      fc.property(params, fc.string({ minLength: 1 }), (p, extra) => {
        const signed = { ...p, sign: sign(p, 'key') };
        // A set with nothing signed is never valid (tested below).
        fc.pre(hasSignedField(p));
        expect(verify(signed, 'key').valid).toBe(true);
        const tampered = { ...signed, zz_extra: extra };
        expect(verify(tampered, 'key').valid).toBe(false);
      }),
    );
  });
});

describe('plain JavaScript callers', () => {
  it('reads a lower-case sign type and refuses an unknown one', () => {
    const params = { a: '1' };
    expect(sign(params, 'k', 'md5' as SignType)).toBe(sign(params, 'k', 'MD5'));
    expect(() => sign(params, 'k', 'sha1' as SignType)).toThrow(
      /Unknown sign type "sha1"/,
    );
    const signed = { ...params, sign: sign(params, 'k', 'HMAC-SHA256') };
    expect(() =>
      verify(signed, 'k', { signType: 'bogus' as SignType }),
    ).toThrow(/Unknown sign type/);
    expect(
      verify(signed, 'k', { signType: 'hmac-sha256' as SignType }),
    ).toMatchObject({ valid: true, signType: 'HMAC-SHA256' });
  });
});

describe('a set whose every field is dropped', () => {
  it('signs key=KEY alone, the same in every function', () => {
    const params = { a: '', b: null, sign: 'X' };
    expect(stringToSign(params, 'K')).toBe('key=K');
    expect(sign(params, 'K')).toBe(digest('key=K', 'K', 'MD5'));
    expect(canonicalize(params).stringA).toBe('');
  });

  it('never verifies, even with the signature of key=KEY', () => {
    const empty = { a: '', sign: digest('key=K', 'K', 'MD5') };
    expect(verify(empty, 'K').valid).toBe(false);
    expect(verify({ sign: empty.sign }, 'K').valid).toBe(false);
    // sign_type says how to sign; alone, it is still nothing signed.
    const typeOnly = { sign_type: 'MD5' };
    const signed = { ...typeOnly, sign: sign(typeOnly, 'K') };
    expect(hasSignedField(typeOnly)).toBe(false);
    expect(verify(signed, 'K').valid).toBe(false);
  });
});

describe('helpers', () => {
  it('compares signatures exactly', () => {
    expect(signaturesEqual('ABC', 'ABC')).toBe(true);
    expect(signaturesEqual('ABC', 'abc')).toBe(false);
    expect(signaturesEqual('ABC', 'ABCD')).toBe(false);
  });

  it('fingerprints a key without revealing it', () => {
    const fp = keyFingerprint(OFFICIAL_KEY);
    expect(fp).toMatch(/^len=32 sha256:[0-9a-f]{8}$/);
    expect(fp).not.toContain(OFFICIAL_KEY.slice(0, 8));
    expect(maskSecret(OFFICIAL_KEY)).toBe(`${'*'.repeat(28)}6a2d`);
    // Never more than a quarter of a short secret.
    expect(maskSecret('secret12')).toBe('******12');
    expect(maskSecret('abc')).toBe('***');
  });

  it('hashes the UTF-8 bytes (value from Python hashlib)', () => {
    expect(digest('中', 'k', 'MD5')).toBe('AED1DFBC31703955E64806B799B67645');
  });
});
