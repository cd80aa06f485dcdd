import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diagnose, type CauseId } from '../../src/core/diagnose/index.js';
import type { Params } from '../../src/core/sign.js';
import { parseXml } from '../../src/core/xml.js';
import { caseJson, caseText } from '../helpers/fixtures.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const APP_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const md5 = (text: string) =>
  createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const hmac = (text: string, key = KEY) =>
  createHmac('sha256', key).update(text, 'utf8').digest('hex').toUpperCase();

const BASE: Params = {
  appid: 'wx0123456789abcdef',
  mch_id: '1900000109',
  nonce_str: 'abc',
  body: 'Test order',
  total_fee: '1',
};
const BASE_A =
  'appid=wx0123456789abcdef&body=Test order&mch_id=1900000109&nonce_str=abc&total_fee=1';

function causesOf(params: Params, signature: string, extra = {}): CauseId[] {
  const result = diagnose({ params, key: KEY, signature, ...extra });
  expect(result.matches).toBe(false);
  return result.causes.map((c) => c.cause);
}

describe('sign diagnose: each known mistake is recognised', () => {
  it('says the signature matches when it is right', () => {
    const result = diagnose({
      params: BASE,
      key: KEY,
      signature: md5(`${BASE_A}&key=${KEY}`),
    });
    expect(result).toMatchObject({ matches: true, causes: [] });
  });

  it('wrong algorithm (B08: MD5 over an HMAC notification)', () => {
    const c = caseJson<{ key: string }>('B08-expected.json');
    const { fields } = parseXml(caseText('B08-notify-hmac-no-sign-type.xml'));
    const result = diagnose({
      params: { ...fields, sign: undefined },
      key: c.key,
      signature: '2AC946D58B7AAD954D0229F4520C9EF4',
      signType: 'HMAC-SHA256',
    });
    expect(result.causes.map((x) => x.cause)).toContain('wrong_sign_type');
  });

  it('empty values signed (B03, B04)', () => {
    const b03 = caseJson<{
      params: Params;
      wrong_variants: { sign: string }[];
    }>('B03-sign-empty-values.json');
    expect(causesOf(b03.params, b03.wrong_variants[0].sign)).toContain(
      'empty_values_signed',
    );
    const { fields } = parseXml(caseText('B04-orderquery-empty-attach.xml'));
    expect(causesOf(fields, '6D45CF48C633859681566F53E2CA0C28')).toContain(
      'empty_values_signed',
    );
  });

  it('null signed as the text "null" (B03) and as "undefined"', () => {
    const b03 = caseJson<{
      params: Params;
      wrong_variants: { sign: string }[];
    }>('B03-sign-empty-values.json');
    expect(causesOf(b03.params, b03.wrong_variants[1].sign)).toContain(
      'null_signed_as_text',
    );
    const params = { ...BASE, attach: undefined };
    const wrong = md5(
      `appid=wx0123456789abcdef&attach=undefined&body=Test order&mch_id=1900000109&nonce_str=abc&total_fee=1&key=${KEY}`,
    );
    expect(causesOf(params, wrong)).toContain('null_signed_as_text');
  });

  it('sign included in its own string (B06)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign: string }[] }>(
      'B06-sign-field-excluded.json',
    );
    expect(causesOf(c.params, c.wrong_variants[0].sign)).toContain(
      'sign_field_included',
    );
  });

  it('sign_type dropped from, or added to, the string', () => {
    const withType = { ...BASE, sign_type: 'MD5' };
    expect(causesOf(withType, md5(`${BASE_A}&key=${KEY}`))).toContain(
      'sign_type_dropped',
    );
    const added = md5(
      `${BASE_A.replace('&total_fee', '&sign_type=MD5&total_fee')}&key=${KEY}`,
    );
    expect(causesOf(BASE, added)).toContain('sign_type_added');
  });

  it('URL-encoded values, %20 and + styles (B13)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign: string }[] }>(
      'B13-sign-no-urlencode.json',
    );
    expect(causesOf(c.params, c.wrong_variants[0].sign)).toContain(
      'url_encoded',
    );
    expect(causesOf(c.params, c.wrong_variants[1].sign)).toContain(
      'form_encoded',
    );
  });

  it('HTML entities left in values', () => {
    const params = { ...BASE, attach: 'a&b' };
    const wrong = md5(
      `appid=wx0123456789abcdef&attach=a&amp;b&body=Test order&mch_id=1900000109&nonce_str=abc&total_fee=1&key=${KEY}`,
    );
    expect(causesOf(params, wrong)).toContain('html_entities');
  });

  it('CDATA markers signed as part of values (B14)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign: string }[] }>(
      'B14-sign-special-chars.json',
    );
    expect(causesOf(c.params, c.wrong_variants[0].sign)).toContain(
      'cdata_markers',
    );
  });

  it('CDATA markers signed around every value, digits included', () => {
    const wrapped = Object.keys(BASE)
      .sort()
      .map((name) => `${name}=<![CDATA[${BASE[name]}]]>`)
      .join('&');
    expect(causesOf(BASE, md5(`${wrapped}&key=${KEY}`))).toContain(
      'cdata_markers',
    );
  });

  it('the right signature with whitespace around it', () => {
    const right = md5(`${BASE_A}&key=${KEY}`);
    const result = diagnose({
      params: BASE,
      key: KEY,
      signature: ` ${right}\n`,
    });
    expect(result.matches).toBe(false);
    expect(result.causes.map((c) => c.cause)).toEqual(['sign_whitespace']);
  });

  it('a body with nothing signed, whatever its signature', () => {
    const result = diagnose({
      params: { a: '', sign_type: 'MD5' },
      key: KEY,
      signature: md5(`key=${KEY}`),
    });
    expect(result.matches).toBe(false);
    expect(result.causes.map((c) => c.cause)).toEqual(['nothing_signed']);
  });

  it('lower-case hex', () => {
    expect(causesOf(BASE, md5(`${BASE_A}&key=${KEY}`).toLowerCase())).toEqual([
      'lowercase_hex',
    ]);
  });

  it('key with surrounding whitespace, on either side', () => {
    expect(causesOf(BASE, md5(`${BASE_A}&key=${KEY}\n`))).toContain(
      'key_whitespace',
    );
    const result = diagnose({
      params: BASE,
      key: ` ${KEY}`,
      signature: md5(`${BASE_A}&key=${KEY}`),
    });
    expect(result.causes.map((c) => c.cause)).toContain('key_whitespace');
  });

  it('key missing, or appended without key= (B01 empty key)', () => {
    const b01 = caseJson<{
      params: Params;
      wrong_variants: { sign: string }[];
    }>('B01-sign-wrong-key.json');
    expect(causesOf(b01.params, b01.wrong_variants[1].sign)).toContain(
      'key_missing',
    );
    expect(causesOf(BASE, md5(BASE_A))).toContain('key_missing');
    expect(causesOf(BASE, md5(`${BASE_A}&${KEY}`))).toContain(
      'key_without_prefix',
    );
    expect(causesOf(BASE, md5(`${BASE_A}${KEY}`))).toContain(
      'key_without_prefix',
    );
  });

  it('parameters in insertion order or natural order', () => {
    const given = { total_fee: '1', appid: 'wx0123456789abcdef', body: 'x' };
    const insertion = md5(
      `total_fee=1&appid=wx0123456789abcdef&body=x&key=${KEY}`,
    );
    expect(causesOf(given, insertion)).toContain('insertion_order');
    const coupons = { coupon_fee_10: 'a', coupon_fee_2: 'b' };
    const natural = md5(`coupon_fee_2=b&coupon_fee_10=a&key=${KEY}`);
    expect(causesOf(coupons, natural)).toContain('natural_order');
  });

  it('another stored secret used as the key (B01 AppSecret, sandbox key)', () => {
    const b01 = caseJson<{
      params: Params;
      wrong_variants: { sign: string }[];
    }>('B01-sign-wrong-key.json');
    const causes = causesOf(b01.params, b01.wrong_variants[0].sign, {
      otherSecrets: [{ label: 'AppSecret (app_secret)', value: APP_SECRET }],
    });
    expect(causes).toContain('other_secret_as_key');
    const sandbox = 'sandboxkey0000000000000000000001';
    expect(
      causesOf(BASE, hmac(`${BASE_A}&key=${sandbox}`, sandbox), {
        signType: 'HMAC-SHA256',
        otherSecrets: [{ label: 'sandbox key', value: sandbox }],
      }),
    ).toContain('other_secret_as_key');
  });

  it('amounts written as yuan decimals', () => {
    const wrong = md5(
      `${BASE_A.replace('total_fee=1', 'total_fee=0.01')}&key=${KEY}`,
    );
    expect(causesOf(BASE, wrong)).toContain('amount_as_decimal');
  });

  it('digit strings coerced to numbers (B21)', () => {
    const { fields } = parseXml(caseText('B21-notify-numeric-strings.xml'));
    const params = { ...fields, sign: undefined };
    const coerced = {
      ...params,
      out_trade_no: '123456789',
      nonce_str: '12',
      transaction_id: '4.200001234202401e+27',
    };
    // Lost zeros cannot be recovered from the coerced side.
    expect(causesOf(coerced, '651FC177443A94C5DAA2C35137C90691')).toEqual([]);
    expect(causesOf(params, 'CBB1997884AADFB2F809DA8227683C40')).toContain(
      'digits_coerced',
    );
  });

  it('Chinese text hashed as Latin-1 (B10)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign: string }[] }>(
      'B10-sign-chinese-body.json',
    );
    expect(causesOf(c.params, c.wrong_variants[0].sign)).toContain('not_utf8');
  });

  it('Chinese text hashed as GBK (B10)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign: string }[] }>(
      'B10-sign-chinese-body.json',
    );
    const result = diagnose({
      params: c.params,
      key: KEY,
      signature: c.wrong_variants[1].sign,
    });
    expect(result.causes.map((x) => x.cause)).toEqual(['not_utf8']);
    expect(result.causes[0].message).toContain('GBK');
  });

  it('paySign with wrong field names or milliseconds (B17)', () => {
    const c = caseJson<{ params: Params; wrong_variants: { sign?: string }[] }>(
      'B17-paysign-jsapi.json',
    );
    expect(causesOf(c.params, c.wrong_variants[0].sign!)).toContain(
      'paysign_field_names',
    );
    expect(causesOf(c.params, c.wrong_variants[1].sign!)).toContain(
      'paysign_field_names',
    );
    expect(causesOf(c.params, c.wrong_variants[2].sign!)).toContain(
      'paysign_milliseconds',
    );
  });

  it('reports nothing for an unrelated signature', () => {
    expect(causesOf(BASE, 'F'.repeat(32))).toEqual([]);
  });

  it('combines a mistake with the wrong algorithm', () => {
    const wrong = hmac(
      `${BASE_A.replace('body=Test order', 'body=Test%20order')}&key=${KEY}`,
    );
    const result = diagnose({
      params: BASE,
      key: KEY,
      signature: wrong,
      signType: 'MD5',
    });
    expect(result.causes[0].cause).toBe('url_encoded');
    expect(result.causes[0].message).toContain('HMAC-SHA256');
  });
});

describe('sign diagnose on tampered or hostile data', () => {
  it('does not blame a changed amount on yuan formatting (1 fen became 100)', () => {
    const original = { ...BASE, total_fee: '1' };
    const signature = md5(`${BASE_A}&key=${KEY}`);
    const tampered = { ...original, total_fee: '100' };
    const result = diagnose({ params: tampered, key: KEY, signature });
    expect(result.causes.map((c) => c.cause)).not.toContain(
      'amount_as_decimal',
    );
  });

  it('does not search thousands of fields', () => {
    const params = Object.fromEntries(
      Array.from({ length: 8000 }, (_, i) => [`f${i}`, '1']),
    );
    const result = diagnose({ params, key: KEY, signature: '0'.repeat(32) });
    expect(result).toMatchObject({
      matches: false,
      searched: false,
      notSearchedBecause: 'too-many-fields',
      causes: [],
    });
  });

  it('says when the signature is not hex at all', () => {
    const result = diagnose({
      params: { a: '1' },
      key: KEY,
      signature: 'hello',
    });
    expect(result).toMatchObject({
      searched: false,
      notSearchedBecause: 'signature-not-hex',
    });
  });
});
