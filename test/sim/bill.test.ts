import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { beijingTime } from '../../src/core/fields.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempConfigDir } from '../helpers/cli.js';
import { callPay, CASE_MERCHANT, paidOrder, testSimulator } from './helpers.js';

const ALL_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUCCESS_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注';
const REFUND_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER =
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

const CASE_APP = CASE_MERCHANT.appids[0];
const OPENID = 'oTESTopenid0000000000000000A';

function order(no: string, over: Record<string, unknown>) {
  return {
    appid: CASE_APP,
    mch_id: CASE_MERCHANT.mch_id,
    out_trade_no: no,
    fingerprint: '',
    sign_type: 'MD5',
    trade_type: 'JSAPI',
    body: '',
    total_fee: 0,
    fee_type: 'CNY',
    notify_url: 'http://127.0.0.1:9/n',
    openid: OPENID,
    trade_state: 'SUCCESS',
    prepay_id: 'wx',
    prepay_at: '2024-01-01T00:00:00.000Z',
    created_at: '2023-12-31T00:00:00.000Z',
    bank_type: 'OTHERS',
    refunded_fee: 0,
    refunds: [],
    ...over,
  };
}

/** The simulator's records behind the bill of case B31. */
function b31State() {
  const orders = {
    '000120240101': order('000120240101', {
      device_info: 'WEB',
      body: '测试商品A',
      attach: 'attach-a',
      total_fee: 10,
      transaction_id: '4200001234202401011000000001',
      paid_at: '2024-01-01T02:00:01.000Z',
    }),
    '000220240101': order('000220240101', {
      trade_type: 'NATIVE',
      body: '测试商品B',
      total_fee: 20,
      bank_type: 'CMB_CREDIT',
      trade_state: 'REFUND',
      transaction_id: '4200001234202401011000000002',
      paid_at: '2023-12-31T10:00:00.000Z',
      refunded_fee: 20,
      refunds: ['R000220240101'],
    }),
    '000320240101': order('000320240101', {
      body: '测试商品C',
      total_fee: 20,
      transaction_id: '4200001234202401011000000003',
      paid_at: '2024-01-01T04:00:03.000Z',
    }),
  };
  const refunds = {
    R000220240101: {
      out_refund_no: 'R000220240101',
      refund_id: '50000000012024010100000000002',
      out_trade_no: '000220240101',
      transaction_id: '4200001234202401011000000002',
      total_fee: 20,
      refund_fee: 20,
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_status: 'SUCCESS',
      created_at: '2024-01-01T03:00:02.000Z',
      success_at: '2024-01-01T03:00:05.000Z',
    },
  };
  return {
    version: 1,
    areas: {
      pay: {
        merchants: {
          [CASE_MERCHANT.mch_id]: {
            orders,
            transactions: {},
            refunds,
            refundIds: { '50000000012024010100000000002': 'R000220240101' },
          },
        },
      },
    },
  };
}

async function b31Simulator() {
  const dir = tempConfigDir();
  const stateFile = join(dir, 'mock', 'state.json');
  mkdirSync(join(dir, 'mock'));
  writeFileSync(stateFile, JSON.stringify(b31State()));
  return testSimulator({ stateFile, merchants: [CASE_MERCHANT] });
}

async function download(
  sim: { url: string },
  params: Record<string, string>,
  key = CASE_MERCHANT.key,
) {
  const { nonceStr } = await import('../../src/core/fields.js');
  const { sign } = await import('../../src/core/sign.js');
  const { buildXml } = await import('../../src/core/xml.js');
  const fields: Record<string, string> = {
    appid: CASE_APP,
    mch_id: CASE_MERCHANT.mch_id,
    nonce_str: nonceStr(),
    ...params,
  };
  fields.sign = sign(fields, key);
  const response = await fetch(`${sim.url}/pay/downloadbill`, {
    method: 'POST',
    body: buildXml(fields),
  });
  return {
    status: response.status,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

describe('downloadbill (spec 4.6, 5)', () => {
  it('writes the ALL bill of case B31 byte for byte from the same records', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, {
      bill_date: '20240101',
      bill_type: 'ALL',
    });
    expect(
      bytes.equals(readFileSync(fixturePath('cases', 'B31-bill-all.csv'))),
    ).toBe(true);
  });

  it('gzips the same bytes with tar_type=GZIP (case B33)', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, {
      bill_date: '20240101',
      bill_type: 'ALL',
      tar_type: 'GZIP',
    });
    expect(bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
    const plain = gunzipSync(bytes);
    expect(createHash('sha256').update(plain).digest('hex')).toBe(
      'f79fa98f4c35738f0170f465ec35819b73119707f506fa344d86038debef3baa',
    );
  });

  it('writes the SUCCESS bill: payments only, 20 columns, 7-column summary', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, {
      bill_date: '20240101',
      bill_type: 'SUCCESS',
    });
    const lines = bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe(SUCCESS_HEADER);
    expect(lines[1]).toBe(
      '`2024-01-01 10:00:01,`wx0123456789abcdef,`1900000109,`0,`WEB,`4200001234202401011000000001,`000120240101,`oTESTopenid0000000000000000A,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.10,`0.00,`测试商品A,`attach-a,`0.00060,`0.60%,`0.10,`',
    );
    expect(lines[2]).toMatch(/^`2024-01-01 12:00:03,/);
    expect(lines[3]).toBe(SUMMARY_HEADER);
    expect(lines[4]).toBe('`2,`0.30,`0.00,`0.00,`0.00180,`0.30,`0.00');
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
  });

  it('writes the REFUND bill: refunds of the day with application and success times', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, {
      bill_date: '20240101',
      bill_type: 'REFUND',
    });
    const lines = bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe(REFUND_HEADER);
    expect(lines[1]).toBe(
      '`2024-01-01 11:00:02,`wx0123456789abcdef,`1900000109,`0,`,`4200001234202401011000000002,`000220240101,`oTESTopenid0000000000000000A,`NATIVE,`REFUND,`CMB_CREDIT,`CNY,`0.00,`0.00,`2024-01-01 11:00:02,`2024-01-01 11:00:05,`50000000012024010100000000002,`R000220240101,`0.20,`0.00,`ORIGINAL,`SUCCESS,`测试商品B,`,`-0.00120,`0.60%,`0.00,`0.20,`',
    );
    expect(lines[2]).toBe(SUMMARY_HEADER);
    expect(lines[3]).toBe('`1,`0.00,`0.20,`0.00,`-0.00120,`0.00,`0.20');
  });

  it('answers a day without trades with No Bill Exist and error_code 20002 (case B30)', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, { bill_date: '20240102' });
    expect(bytes.toString('utf8')).toBe(
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[No Bill Exist]]></return_msg><error_code>20002</error_code></xml>',
    );
    const recharge = await download(sim, {
      bill_date: '20240101',
      bill_type: 'RECHARGE_REFUND',
    });
    expect(recharge.bytes.toString('utf8')).toContain('No Bill Exist');
  });

  it.each([
    [{ bill_date: '2024-01-01' }, 'data format error'],
    [{ bill_date: '20240230' }, 'data format error'],
    [{}, 'missing parameter'],
    [{ bill_date: '20240101', bill_type: 'EVERYTHING' }, 'invalid bill_type'],
  ])('answers %j with %s', async (params, message) => {
    const sim = await b31Simulator();
    const { bytes } = await download(sim, params as Record<string, string>);
    expect(bytes.toString('utf8')).toContain(
      `<return_msg><![CDATA[${message}]]></return_msg>`,
    );
  });

  it('answers a bad signature with SIGN ERROR', async () => {
    const sim = await b31Simulator();
    const { bytes } = await download(
      sim,
      { bill_date: '20240101' },
      'f'.repeat(32),
    );
    expect(bytes.toString('utf8')).toContain('SIGN ERROR');
  });

  it("builds today's bill from orders paid and refunded through the simulator", async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, {
      total_fee: '250',
      body: '含逗号,的商品',
    });
    await callPay(sim, '/secapi/pay/refund', {
      out_trade_no: outTradeNo,
      out_refund_no: 'RTODAY1',
      total_fee: '250',
      refund_fee: '50',
    });
    const day = beijingTime(new Date()).slice(0, 8);
    const answer = await callPay(sim, '/pay/downloadbill', { bill_date: day });
    const lines = answer.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(ALL_HEADER);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(`\`${outTradeNo},`);
    expect(lines[1]).toContain('`SUCCESS,');
    expect(lines[2]).toContain('`RTODAY1,`0.50,');
    expect(lines[4]).toBe('`2,`2.50,`0.50,`0.00,`0.01200,`2.50,`0.50');
  });
});

describe('downloadfundflow (spec 4.7)', () => {
  it('accepts HMAC-SHA256 only', async () => {
    const sim = await testSimulator();
    const md5 = await callPay(sim, '/pay/downloadfundflow', {
      bill_date: '20240101',
      account_type: 'Basic',
    });
    expect(md5.fields.return_code).toBe('FAIL');
    expect(md5.fields.return_msg).toContain('HMAC-SHA256');
  });

  it('lists the day of the Basic account with a running balance and a SHA-1 digest', async () => {
    const sim = await testSimulator();
    await paidOrder(sim, { total_fee: '300' });
    const { outTradeNo } = await paidOrder(sim, { total_fee: '200' });
    await callPay(sim, '/secapi/pay/refund', {
      out_trade_no: outTradeNo,
      out_refund_no: 'RFLOW1',
      total_fee: '200',
      refund_fee: '50',
      refund_desc: '缺货',
    });
    const day = beijingTime(new Date()).slice(0, 8);
    const response = await callPay(
      sim,
      '/pay/downloadfundflow',
      { bill_date: day, account_type: 'Basic' },
      { signType: 'HMAC-SHA256' },
    );
    const lines = response.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号',
    );
    expect(
      lines.slice(1, 4).map((l) => l.split(',').slice(5, 8).join(',')),
    ).toEqual(['`收入,`3.00,`3.00', '`收入,`2.00,`5.00', '`支出,`0.50,`4.50']);
    expect(lines[3]).toContain('`缺货,`REF');
    expect(lines[4]).toBe('资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额');
    expect(lines[5]).toBe('`3.0,`2.0,`5.00,`1.0,`0.50');
    const empty = await callPay(
      sim,
      '/pay/downloadfundflow',
      { bill_date: '20240101', account_type: 'Basic' },
      { signType: 'HMAC-SHA256' },
    );
    expect(empty.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'NO_BILL_EXIST',
    });
  });
});
