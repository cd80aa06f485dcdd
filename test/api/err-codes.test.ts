import { describe, expect, it } from 'vitest';
import { caseJson, caseText } from '../helpers/fixtures.js';
import {
  describeRefusal,
  ENDPOINT_ERR_CODES,
  explainErrCode,
  explainMpErrcode,
  explainReturnMsg,
  endpointOf,
  type PayEndpoint,
} from '../../src/core/api/err-codes.js';
import { stringToSign, verify } from '../../src/core/sign.js';
import { parseXml } from '../../src/core/xml.js';

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';

describe('err_code explanations (spec 4)', () => {
  const all = Object.entries(ENDPOINT_ERR_CODES).flatMap(([endpoint, codes]) =>
    codes.map((code) => [endpoint as PayEndpoint, code] as const),
  );

  it.each(all)(
    '%s %s has a class, a meaning and a next action',
    (endpoint, code) => {
      const info = explainErrCode(endpoint, code);
      expect(info.class).not.toBe('unknown');
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.action.length).toBeGreaterThan(10);
    },
  );

  it.each([
    ['unifiedorder', 'SYSTEMERROR', 'system_error', true, true],
    ['refund', 'SYSTEMERROR', 'system_error', true, true],
    ['refund', 'BIZERR_NEED_RETRY', 'concurrency_retry', true, true],
    ['unifiedorder', 'ORDERPAID', 'already_paid', false, false],
    ['closeorder', 'ORDERPAID', 'already_paid', false, false],
    [
      'unifiedorder',
      'OUT_TRADE_NO_USED',
      'out_trade_no_reused_with_different_params',
      false,
      false,
    ],
    ['orderquery', 'ORDERNOTEXIST', 'order_not_found', false, false],
    ['refund', 'FREQUENCY_LIMITED', 'rate_limited', true, false],
    ['refundquery', 'REFUNDNOTEXIST', 'refund_not_found', false, false],
    ['downloadfundflow', 'NO_BILL_EXIST', 'no_bill', false, false],
  ] as const)(
    '%s %s → %s (retryable %s, auto-retry %s)',
    (endpoint, code, cls, retryable, autoRetry) => {
      expect(explainErrCode(endpoint, code)).toMatchObject({
        class: cls,
        retryable,
        autoRetry,
      });
    },
  );

  it('tells refund callers to keep the same out_refund_no on SYSTEMERROR', () => {
    expect(explainErrCode('refund', 'SYSTEMERROR').action).toContain(
      'SAME out_refund_no',
    );
  });

  it.each(['No Bill Exist', 'NO Bill Exist', 'no bill exist'])(
    'matches the downloadbill message %j case-insensitively',
    (msg) => {
      expect(explainErrCode('downloadbill', msg).class).toBe('no_bill');
    },
  );

  it('gives unknown codes a class of their own and the err_code_des', () => {
    expect(
      explainErrCode('unifiedorder', 'NEW_CODE', '新的错误'),
    ).toMatchObject({
      class: 'unknown',
      retryable: false,
      meaning: 'WeChat refused the request: 新的错误',
    });
  });

  it.each([
    ['签名错误', 'signature_error'],
    ['appid和mch_id不匹配', 'merchant_config'],
    ['mch_id参数格式错误', 'merchant_config'],
    ['XML格式错误', 'protocol_error'],
    ['参数格式校验错误', 'invalid_params'],
    ['something else', 'unknown'],
  ])('reads return_msg %j as %s', (msg, cls) => {
    expect(explainReturnMsg('unifiedorder', msg).class).toBe(cls);
  });

  it.each([
    ['/pay/unifiedorder', 'unifiedorder'],
    ['/secapi/pay/refund', 'refund'],
    ['/sandboxnew/pay/orderquery', 'orderquery'],
    ['/sns/jscode2session', undefined],
  ])('endpointOf(%s) is %s', (path, endpoint) => {
    expect(endpointOf(path)).toBe(endpoint);
  });
});

describe('case B42: ORDERPAID, OUTTRADENO_USED, ORDERCLOSED', () => {
  const expected = caseJson<{
    files: Record<string, { string_to_sign: string; class: string }>;
  }>('B42-expected.json');

  it.each(Object.entries(expected.files))(
    '%s verifies and is class %s',
    (file, want) => {
      const { fields } = parseXml(caseText(file));
      expect(stringToSign(fields, KEY)).toBe(want.string_to_sign);
      expect(verify(fields, KEY).valid).toBe(true);
      expect(describeRefusal('unifiedorder', fields).class).toBe(want.class);
    },
  );

  it('says ORDERPAID is not a payment failure', () => {
    const info = explainErrCode('unifiedorder', 'ORDERPAID');
    expect(info.meaning).toContain('not a payment failure');
    expect(info.action).toContain('wxpay order query');
  });
});

describe('case C18: 201 商户订单号重复', () => {
  const c18 = caseJson<{
    expected: { parse_of_fixture: Record<string, unknown> };
  }>('C18-pay-outtradeno-reuse.json');

  it('parses the signed fixture to the expected refusal', () => {
    const { fields } = parseXml(caseText('C18-resp-201.xml'));
    expect(verify(fields, KEY).valid).toBe(true);
    const refusal = describeRefusal('unifiedorder', fields);
    expect(refusal).toMatchObject(c18.expected.parse_of_fixture);
    expect(refusal).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
      desc: '201 商户订单号重复',
      duplicate_out_trade_no: true,
      retryable: false,
      class: 'out_trade_no_reused_with_different_params',
    });
  });

  it('keeps other INVALID_REQUEST refusals apart', () => {
    const refusal = describeRefusal('unifiedorder', {
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: '参数错误',
    });
    expect(refusal).toMatchObject({
      duplicate_out_trade_no: false,
      class: 'invalid_params',
    });
  });
});

describe('jscode2session errcodes (spec 9)', () => {
  it.each([-1, 40029, 40163, 45011, 40226, 40013, 40125, 41002, 41004, 41008])(
    'errcode %i is explained and never retried with the same code',
    (errcode) => {
      const info = explainMpErrcode(errcode);
      expect(info.class).not.toBe('unknown');
      expect(info.retry_same_code).toBe(false);
      expect(info.hint.length).toBeGreaterThan(10);
    },
  );

  it('B35: 40163 is code_already_used and points at a double call', () => {
    const c = caseJson<{ expected: Record<string, unknown> }>(
      'B35-jscode2session-40163.json',
    );
    const info = explainMpErrcode(40163);
    expect(info).toMatchObject({
      errcode: c.expected.errcode,
      class: c.expected.class,
      retry_same_code: c.expected.retry_same_code,
    });
    expect(info.hint).toMatch(/once.*5 minutes.*double call/);
  });

  it('B36: 40029 is invalid_code and names expiry, reuse and appid', () => {
    const c = caseJson<{ expected: Record<string, unknown> }>(
      'B36-jscode2session-40029.json',
    );
    const info = explainMpErrcode(40029);
    expect(info).toMatchObject({
      errcode: c.expected.errcode,
      class: c.expected.class,
      retry_same_code: false,
    });
    expect(info.hint).toMatch(/expired.*consumed.*appid/);
  });

  it('45011 and -1 may be retried later, with a new code', () => {
    expect(explainMpErrcode(45011)).toMatchObject({
      class: 'rate_limited',
      retryable: true,
    });
    expect(explainMpErrcode(-1)).toMatchObject({
      class: 'system_error',
      retryable: true,
    });
  });
});
