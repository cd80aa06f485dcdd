import { describe, expect, it } from 'vitest';
import { sign } from '../../src/core/sign.js';
import { buildXml } from '../../src/core/xml.js';
import { caseJson, caseText } from '../helpers/fixtures.js';
import {
  callPay,
  CASE_MERCHANT,
  DEMO,
  orderParams,
  postRaw,
  replyVerifies,
  testSimulator,
} from './helpers.js';

interface C18Case {
  key: string;
  requests: { params: Record<string, string>; sign: string }[];
}

describe('unifiedorder (spec 4.1)', () => {
  it('gives a JSAPI order a prepay_id of WeChat shape', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/unifiedorder', orderParams());
    expect(answer.fields.trade_type).toBe('JSAPI');
    expect(answer.fields.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(answer.fields.code_url).toBeUndefined();
  });

  it('gives NATIVE a code_url, MWEB an mweb_url on this server, APP a prepay_id', async () => {
    const sim = await testSimulator();
    const native = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({
        trade_type: 'NATIVE',
        openid: undefined,
        product_id: 'P1',
      }),
    );
    expect(native.fields.code_url).toMatch(
      /^weixin:\/\/wxpay\/bizpayurl\?pr=[0-9A-Za-z]{7}$/,
    );
    const mweb = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ trade_type: 'MWEB', openid: undefined }),
    );
    expect(mweb.fields.mweb_url).toMatch(
      new RegExp(
        `^${sim.url}/__wxpay/mweb\\?prepay_id=${mweb.fields.prepay_id}`,
      ),
    );
    const page = await fetch(mweb.fields.mweb_url);
    expect(page.status).toBe(200);
    const app = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ trade_type: 'APP', openid: undefined }),
    );
    expect(app.fields).toMatchObject({
      result_code: 'SUCCESS',
      trade_type: 'APP',
    });
    expect(app.fields.prepay_id).toMatch(/^wx/);
    expect(app.fields.code_url).toBeUndefined();
  });

  it('requires openid for JSAPI and product_id for NATIVE', async () => {
    const sim = await testSimulator();
    const jsapi = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ openid: undefined }),
    );
    expect(jsapi.fields).toEqual({
      return_code: 'FAIL',
      return_msg: 'JSAPI支付必须传openid',
    });
    const native = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ trade_type: 'NATIVE', openid: undefined }),
    );
    expect(native.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'LACK_PARAMS',
      err_code_des: '缺少参数product_id',
    });
    expect(replyVerifies(native.fields)).toBe(true);
  });

  it.each([
    'body',
    'out_trade_no',
    'total_fee',
    'spbill_create_ip',
    'notify_url',
    'trade_type',
  ])('answers a missing %s with a signed LACK_PARAMS', async (name) => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ [name]: undefined }),
    );
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'LACK_PARAMS',
      err_code_des: `缺少参数${name}`,
    });
    expect(replyVerifies(answer.fields)).toBe(true);
  });

  it('counts body in UTF-8 bytes: 42 Chinese characters (126 bytes) pass, 43 (129) do not', async () => {
    const sim = await testSimulator();
    const fits = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ body: '测'.repeat(42) }),
    );
    expect(fits.fields.result_code).toBe('SUCCESS');
    const long = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ body: '测'.repeat(43) }),
    );
    expect(long.fields).toEqual({
      return_code: 'FAIL',
      return_msg: 'body参数长度有误',
    });
    const ascii = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ body: 'a'.repeat(128) }),
    );
    expect(ascii.fields.return_msg).toBe('body参数长度有误');
  });

  it('refuses 4-byte UTF-8 characters such as emoji', async () => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ body: '咖啡☕🍩' }),
    );
    expect(answer.fields).toEqual({
      return_code: 'FAIL',
      return_msg: 'body参数格式错误',
    });
    const attach = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ attach: 'ok😀' }),
    );
    expect(attach.fields.return_msg).toBe('attach参数格式错误');
  });

  // XML 1.0 cannot carry raw control characters at all, so the body is not
  // XML: refused before any field is looked at, like any malformed body.
  it('refuses raw control characters as malformed XML (XML格式错误)', async () => {
    const sim = await testSimulator();
    const fields: Record<string, string> = {
      appid: DEMO.appid,
      mch_id: DEMO.mch_id,
      nonce_str: 'abc',
      ...(orderParams({ attach: 'a\u0001b' }) as Record<string, string>),
    };
    fields.sign = sign(fields, DEMO.key);
    const xml = `<xml>${Object.entries(fields)
      .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
      .join('')}</xml>`;
    const answer = await postRaw(`${sim.url}/pay/unifiedorder`, xml);
    expect(answer.fields.return_msg).toBe('XML格式错误');
  });

  it.each([
    ['0.01', 'total_fee参数格式错误'],
    ['0', 'total_fee参数格式错误'],
    ['-1', 'total_fee参数格式错误'],
    ['1e2', 'total_fee参数格式错误'],
  ])('refuses total_fee %s: it is whole fen', async (value, message) => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ total_fee: value }),
    );
    expect(answer.fields.return_msg).toBe(message);
  });

  it.each([
    ['ABC12', 'out_trade_no参数长度有误'],
    ['A'.repeat(33), 'out_trade_no参数长度有误'],
    ['ORDER#0001', 'out_trade_no参数格式错误'],
    ['订单000001', 'out_trade_no参数格式错误'],
  ])('refuses out_trade_no %s', async (value, message) => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ out_trade_no: value }),
    );
    expect(answer.fields.return_msg).toBe(message);
  });

  it('accepts every out_trade_no character WeChat allows', async () => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ out_trade_no: 'aZ09_-|*xy' }),
    );
    expect(answer.fields.result_code).toBe('SUCCESS');
  });

  it.each([
    ['spbill_create_ip', '300.1.1.1', 'invalid spbill_create_ip'],
    ['notify_url', 'https://example.com/notify?x=1', 'notify_url参数格式错误'],
    ['notify_url', 'ftp://example.com/notify', 'notify_url参数格式错误'],
    ['trade_type', 'MICROPAY', 'trade_type参数格式错误'],
    ['fee_type', 'USD', 'fee_type参数格式错误'],
    ['time_expire', '20241332000000', 'time_expire参数格式错误'],
  ])('refuses %s=%s with %s', async (name, value, message) => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ [name]: value }),
    );
    expect(answer.fields.return_msg).toBe(message);
  });

  it('refuses a time_expire less than 5 minutes ahead in Beijing time (case C16)', async () => {
    const now = new Date(1718000000 * 1000);
    const sim = await testSimulator({ now: () => now });
    // A UTC wall clock written as Beijing time is 8 hours in the past.
    const utc = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ time_expire: '20240610081320' }),
    );
    expect(utc.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: 'time_expire时间过短，刷卡至少1分钟，其他5分钟',
    });
    const right = await callPay(
      sim,
      '/pay/unifiedorder',
      orderParams({ time_expire: '20240610161320' }),
    );
    expect(right.fields.result_code).toBe('SUCCESS');
  });
});

describe('out_trade_no re-entry (spec 8, case C18)', () => {
  const c18 = caseJson<C18Case>('C18-pay-outtradeno-reuse.json');
  const now = () => new Date(1718000000 * 1000);

  function send(sim: { url: string }, index: number, nonce?: string) {
    const { params } = c18.requests[index];
    const fields = { ...params, ...(nonce ? { nonce_str: nonce } : {}) };
    return postRaw(
      `${sim.url}/pay/unifiedorder`,
      buildXml({ ...fields, sign: sign(fields, c18.key) }),
    );
  }

  it('verifies the case requests exactly as signed in the case', () => {
    for (const request of c18.requests) {
      expect(sign(request.params, c18.key)).toBe(request.sign);
    }
  });

  it('gives the identical request the same prepay_id again', async () => {
    const sim = await testSimulator({ merchants: [CASE_MERCHANT], now });
    const first = await send(sim, 0);
    const again = await send(sim, 0, 'C18nonceRetry0000000000000000009');
    expect(first.fields.result_code).toBe('SUCCESS');
    expect(again.fields.prepay_id).toBe(first.fields.prepay_id);
    expect(replyVerifies(again.fields, c18.key)).toBe(true);
  });

  it.each([
    [1, 'another payer (openid)'],
    [2, 'another price (total_fee)'],
  ])(
    'refuses request %i, %s, with INVALID_REQUEST "201 商户订单号重复"',
    async (index) => {
      const sim = await testSimulator({ merchants: [CASE_MERCHANT], now });
      await send(sim, 0);
      const answer = await send(sim, index);
      const expected = caseText('C18-resp-201.xml');
      expect(answer.fields).toMatchObject({
        return_code: 'SUCCESS',
        return_msg: 'OK',
        appid: 'wx0123456789abcdef',
        mch_id: '1900000109',
        result_code: 'FAIL',
        err_code: 'INVALID_REQUEST',
        err_code_des: '201 商户订单号重复',
      });
      expect(expected).toContain(
        '<err_code_des><![CDATA[201 商户订单号重复]]></err_code_des>',
      );
      expect(answer.fields.prepay_id).toBeUndefined();
      expect(replyVerifies(answer.fields, c18.key)).toBe(true);
    },
  );

  it('ignores a new nonce_str, spbill_create_ip or sign_type on re-entry', async () => {
    const sim = await testSimulator();
    const params = orderParams();
    const first = await callPay(sim, '/pay/unifiedorder', params);
    const again = await callPay(
      sim,
      '/pay/unifiedorder',
      { ...params, spbill_create_ip: '10.0.0.2' },
      { signType: 'HMAC-SHA256' },
    );
    expect(again.fields.prepay_id).toBe(first.fields.prepay_id);
  });

  it('answers ORDERPAID once the order is paid and ORDERCLOSED once closed', async () => {
    const sim = await testSimulator();
    const paid = orderParams();
    await callPay(sim, '/pay/unifiedorder', paid);
    await sim.payOrder(paid.out_trade_no!, { notify: false });
    const again = await callPay(sim, '/pay/unifiedorder', paid);
    expect(again.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERPAID',
      err_code_des: '该订单已支付',
    });
    const closed = orderParams();
    await callPay(sim, '/pay/unifiedorder', closed);
    await callPay(sim, '/pay/closeorder', {
      out_trade_no: closed.out_trade_no,
    });
    const reopened = await callPay(sim, '/pay/unifiedorder', closed);
    expect(reopened.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERCLOSED',
    });
  });

  it('issues a fresh prepay_id for the same order after 2 hours', async () => {
    let clock = new Date('2024-06-10T06:00:00Z');
    const sim = await testSimulator({ now: () => clock });
    const params = orderParams();
    const first = await callPay(sim, '/pay/unifiedorder', params);
    clock = new Date(clock.getTime() + 2 * 60 * 60 * 1000);
    const later = await callPay(sim, '/pay/unifiedorder', params);
    expect(later.fields.result_code).toBe('SUCCESS');
    expect(later.fields.prepay_id).not.toBe(first.fields.prepay_id);
  });
});
