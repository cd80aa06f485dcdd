import { describe, expect, it } from 'vitest';
import {
  classifyNotification,
  decryptReqInfo,
  digest,
  InputError,
  notifyReply,
  notifyReplyFor,
  readNotification,
  readRefundNotification,
  sign,
  stringToSign,
  verifyPaymentNotification,
  parseXml,
  type NotifyProfile,
} from '../../src/index.js';
import { caseJson, caseText } from '../helpers/fixtures.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const PROFILE: NotifyProfile = {
  key: KEY,
  appid: 'wx0123456789abcdef',
  mchId: '1900000109',
};

interface SignedCase {
  key: string;
  string_to_sign: string;
  sign_in_xml?: string;
}

describe('B04: empty values in received data', () => {
  const expected = caseJson<{
    files: Record<string, SignedCase & { expected_valid: boolean }>;
    wrong_variant: { sign: string };
  }>('B04-expected.json');

  for (const [file, spec] of Object.entries(expected.files)) {
    it(`accepts ${file}: empty, <x></x> and <x/> elements are left out of the string`, () => {
      const body = caseText(file);
      const result = verifyPaymentNotification(body, PROFILE);
      expect(result.valid).toBe(spec.expected_valid);
      expect(result.reason).toBe('ok');
      expect(result.signType).toBe('MD5');
      expect(stringToSign(result.fields, KEY)).toBe(spec.string_to_sign);
      expect(sign(result.fields, KEY)).toBe('BF5A3DE192F3D8177E0269F408AB873F');
    });
  }

  it('keeping attach= would give the wrong sign of the case', () => {
    const fields = parseXml(caseText('B04-orderquery-empty-attach.xml')).fields;
    expect(fields.attach).toBe('');
    const wrong = expected.files[
      'B04-orderquery-empty-attach.xml'
    ].string_to_sign.replace('&bank_type', '&attach=&bank_type');
    expect(digest(wrong, KEY, 'MD5')).toBe(expected.wrong_variant.sign);
    expect(sign(fields, KEY)).not.toBe(expected.wrong_variant.sign);
  });
});

describe('B08: HMAC-SHA256 notification without sign_type', () => {
  const expected = caseJson<SignedCase & { sign_in_xml: string }>(
    'B08-expected.json',
  );
  const body = caseText('B08-notify-hmac-no-sign-type.xml');

  it('picks HMAC-SHA256 from the 64-hex signature, even when MD5 is configured', () => {
    const result = verifyPaymentNotification(body, {
      ...PROFILE,
      signType: 'MD5',
    });
    expect(result).toMatchObject({
      valid: true,
      paid: true,
      signType: 'HMAC-SHA256',
      reason: 'ok',
    });
    expect(stringToSign(result.fields, KEY)).toBe(expected.string_to_sign);
    expect(sign(result.fields, KEY, 'HMAC-SHA256')).toBe(expected.sign_in_xml);
  });

  it('MD5 over the same string is the wrong variant and is not what it carries', () => {
    const fields = parseXml(body).fields;
    expect(sign(fields, KEY, 'MD5')).toBe('2AC946D58B7AAD954D0229F4520C9EF4');
  });

  it('uses the configured type when the signature length does not tell', () => {
    const fields = parseXml(body).fields;
    const odd = body.replace(fields.sign, 'ABC');
    const result = verifyPaymentNotification(odd, {
      ...PROFILE,
      signType: 'HMAC-SHA256',
    });
    expect(result).toMatchObject({
      valid: false,
      reason: 'sign_invalid',
      signType: 'HMAC-SHA256',
    });
  });

  it('a sign_type element wins over the length (and is signed)', () => {
    const withType = body.replace('<xml>', '<xml><sign_type>MD5</sign_type>');
    const result = verifyPaymentNotification(withType, PROFILE);
    expect(result).toMatchObject({ valid: false, signType: 'MD5' });
  });
});

describe('B20: hostile notification bodies', () => {
  const files = [
    'B20-xxe-file.xml',
    'B20-xxe-oob-param.xml',
    'B20-billion-laughs.xml',
    'B20-oversize-2MB.xml',
  ];
  for (const file of files) {
    it(`refuses ${file} with an InputError, no expansion and no file content`, () => {
      const body = caseText(file);
      let error: unknown;
      try {
        verifyPaymentNotification(body, PROFILE);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputError);
      const code = (error as InputError).code;
      expect(code).toBe(
        file.includes('oversize') ? 'XML_TOO_LARGE' : 'XML_DOCTYPE_REFUSED',
      );
      expect((error as Error).message).not.toContain('root:');
      expect(() => readRefundNotification(body, PROFILE)).toThrow(InputError);
      expect(() => classifyNotification(body)).toThrow(InputError);
    });
  }

  it('caps notification bodies at 128 KiB, well under the 2 MB case', () => {
    const body = `<xml><attach>${'a'.repeat(128 * 1024)}</attach></xml>`;
    expect(() => verifyPaymentNotification(body, PROFILE)).toThrow(
      /limit is 131072 bytes/,
    );
  });
});

describe('B21: digit strings stay strings', () => {
  const expected = caseJson<
    SignedCase & { expected_values: Record<string, string> }
  >('B21-expected.json');

  it('keeps leading zeros and the 28-digit transaction_id, and verifies', () => {
    const result = verifyPaymentNotification(
      caseText('B21-notify-numeric-strings.xml'),
      PROFILE,
    );
    expect(result.valid).toBe(true);
    for (const [name, value] of Object.entries(expected.expected_values)) {
      expect(result.fields[name]).toBe(value);
    }
    expect(result.transactionId).toBe('4200001234202401011234567890');
    expect(result.outTradeNo).toBe('000123456789');
    expect(result.totalFee).toBe(1);
    expect(result.fields.sign).toBe('651FC177443A94C5DAA2C35137C90691');
    expect(stringToSign(result.fields, KEY)).toBe(expected.string_to_sign);
  });

  it('the coerced values would sign differently', () => {
    const fields = parseXml(caseText('B21-notify-numeric-strings.xml')).fields;
    const coerced = {
      ...fields,
      out_trade_no: '123456789',
      nonce_str: '12',
      transaction_id: '4.200001234202401e+27',
    };
    expect(sign(coerced, KEY)).toBe('CBB1997884AADFB2F809DA8227683C40');
  });
});

describe('B22: coupon fields are verified like every other field', () => {
  const expected = caseJson<SignedCase>('B22-expected.json');

  it('verifies with coupon_* and settlement_total_fee in the string', () => {
    const result = verifyPaymentNotification(
      caseText('B22-notify-coupon.xml'),
      PROFILE,
    );
    expect(result).toMatchObject({ valid: true, paid: true, totalFee: 100 });
    expect(result.fields.sign).toBe('41B38CBCEF3B6B66C3735CB468DFF5AB');
    expect(stringToSign(result.fields, KEY)).toBe(expected.string_to_sign);
  });

  it('a known-fields-only string gives the wrong sign of the case', () => {
    const fields = parseXml(caseText('B22-notify-coupon.xml')).fields;
    const known = Object.fromEntries(
      Object.entries(fields).filter(
        ([name]) =>
          !name.startsWith('coupon_') && name !== 'settlement_total_fee',
      ),
    );
    expect(sign(known, KEY)).toBe('6CC32F6D8480B0856058EDB8D27592B6');
  });
});

describe('B26: unsigned or forged notifications', () => {
  it('rejects a notification without sign and never marks it paid', () => {
    const result = verifyPaymentNotification(
      caseText('B26-notify-no-sign.xml'),
      PROFILE,
    );
    expect(result).toMatchObject({
      valid: false,
      paid: false,
      reason: 'sign_missing',
    });
    expect(notifyReplyFor(result)).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[SIGNERROR]]></return_msg></xml>',
    );
  });

  it('rejects it even with no appid/mch_id configured', () => {
    const result = verifyPaymentNotification(
      caseText('B26-notify-no-sign.xml'),
      { key: KEY },
    );
    expect(result).toMatchObject({ valid: false, reason: 'sign_missing' });
  });

  it('treats return_code FAIL as not paid, without crashing', () => {
    const body = caseText('B26-notify-return-fail.xml');
    const result = verifyPaymentNotification(body, PROFILE);
    expect(result).toMatchObject({
      valid: false,
      paid: false,
      reason: 'return_fail',
      returnCode: 'FAIL',
      returnMsg: '签名失败',
    });
    expect(readNotification(body, PROFILE)).toMatchObject({
      kind: 'unknown',
      valid: false,
      reason: 'return_fail',
    });
  });

  it('rejects a correctly signed notification for another mch_id', () => {
    const body = caseText('B26-notify-other-mch.xml');
    expect(sign(parseXml(body).fields, KEY)).toBe(
      '3810102CAC57AF71439E08D9E1E48C07',
    );
    const result = verifyPaymentNotification(body, PROFILE);
    expect(result).toMatchObject({
      valid: false,
      paid: false,
      reason: 'mch_id_mismatch',
      checks: { mchId: 'mismatch', appid: 'ok' },
    });
    expect(result.message).toContain('1900000999');
  });

  it('rejects an appid that is not the profile’s', () => {
    const result = verifyPaymentNotification(
      caseText('B22-notify-coupon.xml'),
      { ...PROFILE, appid: 'wxffffffffffffffff' },
    );
    expect(result).toMatchObject({ valid: false, reason: 'appid_mismatch' });
  });
});

describe('B27: the reply that stops WeChat retrying', () => {
  const expected = caseJson<{
    expected_success_reply: { body: string; content_type: string };
    expected_failure_reply: { body: string };
  }>('B27-notify-reply.json');

  it('builds the exact SUCCESS and FAIL bodies', () => {
    expect(notifyReply('SUCCESS')).toBe(expected.expected_success_reply.body);
    expect(notifyReply('SUCCESS', 'OK')).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
    expect(notifyReply('FAIL', 'SIGNERROR')).toBe(
      expected.expected_failure_reply.body,
    );
  });
});

describe('B29: refund notification req_info', () => {
  const expected = caseJson<{
    api_key: string;
    expected_fields: Record<string, string>;
  }>('B29-expected.json');
  const body = caseText('B29-refund-notify.xml');

  it('decrypts req_info into the expected plaintext exactly', () => {
    const reqInfo = parseXml(body).fields.req_info;
    // The fixture file ends with a newline that the plaintext does not have.
    expect(decryptReqInfo(reqInfo, expected.api_key)).toBe(
      caseText('B29-refund-notify-plain.xml').replace(/\n$/, ''),
    );
  });

  it('returns the decrypted fields as a valid refund', () => {
    expect(classifyNotification(body)).toBe('refund');
    const result = readRefundNotification(body, {
      ...PROFILE,
      key: expected.api_key,
    });
    expect(result).toMatchObject({
      kind: 'refund',
      valid: true,
      refunded: true,
      reason: 'ok',
      outRefundNo: 'R20240101000029',
      refundFee: 1,
    });
    expect(result.fields).toMatchObject(expected.expected_fields);
    expect(result.envelope.mch_id).toBe('1900000109');
  });

  it('with another key it is rejected, not thrown', () => {
    const result = readRefundNotification(body, PROFILE);
    expect(result).toMatchObject({
      valid: false,
      refunded: false,
      reason: 'req_info_undecryptable',
    });
  });

  it('a FAIL refund notification carries no req_info and does not crash', () => {
    const fail = caseText('B29-refund-notify-fail.xml');
    const result = readRefundNotification(fail, {
      key: expected.api_key,
    });
    expect(result).toMatchObject({
      valid: false,
      refunded: false,
      reason: 'return_fail',
      returnMsg: '参数格式校验错误',
      fields: {},
    });
  });

  it('readNotification routes a refund to decryption', () => {
    const result = readNotification(body, { key: expected.api_key });
    expect(result.kind).toBe('refund');
    expect(result.valid).toBe(true);
  });
});
