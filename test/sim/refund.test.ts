import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { decryptReqInfo } from '../../src/core/notify/refund-crypto.js';
import { parseXml } from '../../src/core/xml.js';
import {
  callPay,
  createOrder,
  DEMO,
  paidOrder,
  replyVerifies,
  testSimulator,
} from './helpers.js';

function refundParams(outTradeNo: string, over: Record<string, string> = {}) {
  return {
    out_trade_no: outTradeNo,
    out_refund_no: `R${outTradeNo}`,
    total_fee: '100',
    refund_fee: '30',
    ...over,
  };
}

function refundCall(
  sim: { url: string },
  outTradeNo: string,
  over: Record<string, string> = {},
) {
  return callPay(sim, '/secapi/pay/refund', refundParams(outTradeNo, over));
}

describe('refund (spec 4.4)', () => {
  it('refunds a paid order at once and answers the refund signed', async () => {
    const sim = await testSimulator();
    const { outTradeNo, transactionId } = await paidOrder(sim, {
      total_fee: '100',
    });
    const answer = await refundCall(sim, outTradeNo);
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      transaction_id: transactionId,
      out_trade_no: outTradeNo,
      out_refund_no: `R${outTradeNo}`,
      refund_fee: '30',
      total_fee: '100',
      cash_fee: '100',
    });
    expect(answer.fields.refund_id).toMatch(/^\d{29}$/);
    expect(replyVerifies(answer.fields)).toBe(true);
    const query = await callPay(sim, '/pay/orderquery', {
      out_trade_no: outTradeNo,
    });
    expect(query.fields.trade_state).toBe('REFUND');
  });

  it('answers the same out_refund_no with the same amounts with the same refund, refunding once', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    const first = await refundCall(sim, outTradeNo);
    const retry = await refundCall(sim, outTradeNo);
    expect(retry.fields.result_code).toBe('SUCCESS');
    expect(retry.fields.refund_id).toBe(first.fields.refund_id);
    const list = await callPay(sim, '/pay/refundquery', {
      out_trade_no: outTradeNo,
    });
    expect(list.fields.total_refund_count).toBe('1');
  });

  it('answers the same out_refund_no with other amounts with REFUND_FEE_MISMATCH', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    await refundCall(sim, outTradeNo);
    const changed = await refundCall(sim, outTradeNo, { refund_fee: '31' });
    expect(changed.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'REFUND_FEE_MISMATCH',
    });
  });

  it('keeps the refund total within the amount paid', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    const first = await refundCall(sim, outTradeNo, {
      out_refund_no: 'RA1',
      refund_fee: '60',
    });
    expect(first.fields.result_code).toBe('SUCCESS');
    const over = await refundCall(sim, outTradeNo, {
      out_refund_no: 'RA2',
      refund_fee: '41',
    });
    expect(over.fields).toMatchObject({
      err_code: 'ERROR',
      err_code_des: '累计退款金额大于支付金额',
    });
    const rest = await refundCall(sim, outTradeNo, {
      out_refund_no: 'RA3',
      refund_fee: '40',
    });
    expect(rest.fields.result_code).toBe('SUCCESS');
    const more = await refundCall(sim, outTradeNo, {
      out_refund_no: 'RA4',
      refund_fee: '1',
    });
    expect(more.fields).toMatchObject({
      err_code: 'ERROR',
      err_code_des: '订单已全额退款',
    });
  });

  it('refuses a total_fee other than the order amount', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    const answer = await refundCall(sim, outTradeNo, { total_fee: '99' });
    expect(answer.fields.err_code).toBe('INVALID_REQUEST');
  });

  it('answers ORDERNOTEXIST for unpaid and unknown orders', async () => {
    const sim = await testSimulator();
    const unpaid = await createOrder(sim, { total_fee: '100' });
    const answer = await refundCall(sim, unpaid);
    expect(answer.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERNOTEXIST',
    });
    const unknown = await refundCall(sim, 'NEVERSEEN1');
    expect(unknown.fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('finds the order by transaction_id too', async () => {
    const sim = await testSimulator();
    const { transactionId } = await paidOrder(sim, { total_fee: '100' });
    const answer = await callPay(sim, '/secapi/pay/refund', {
      transaction_id: transactionId,
      out_refund_no: 'RBYTX1',
      total_fee: '100',
      refund_fee: '100',
    });
    expect(answer.fields.result_code).toBe('SUCCESS');
  });

  it.each([
    ['refund_fee', '0.30', 'refund_fee参数格式错误'],
    ['out_refund_no', 'R#1', 'out_refund_no参数格式错误'],
    ['out_refund_no', 'R'.repeat(65), 'out_refund_no参数长度有误'],
  ])('refuses %s=%s', async (name, value, message) => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    const answer = await refundCall(sim, outTradeNo, { [name]: value });
    expect(answer.fields.return_msg).toBe(message);
  });

  it('sends an encrypted refund notification (spec 7) to notify_url', async () => {
    const received: string[] = [];
    const handler = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
        );
      });
    });
    await new Promise<void>((resolve) =>
      handler.listen(0, '127.0.0.1', resolve),
    );
    onTestFinished(
      () => new Promise<void>((resolve) => handler.close(() => resolve())),
    );
    const notifyUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/refund`;
    const sim = await testSimulator();
    const { outTradeNo, transactionId } = await paidOrder(sim, {
      total_fee: '100',
    });
    const answer = await refundCall(sim, outTradeNo, { notify_url: notifyUrl });
    await sim.settled();
    expect(received).toHaveLength(1);
    const outer = parseXml(received[0]).fields;
    expect(outer).toMatchObject({
      return_code: 'SUCCESS',
      appid: DEMO.appid,
      mch_id: DEMO.mch_id,
    });
    expect(outer.sign).toBeUndefined();
    const plain = decryptReqInfo(outer.req_info, DEMO.key);
    const inner = parseXml(plain);
    expect(inner.root).toBe('root');
    expect(inner.fields).toMatchObject({
      out_refund_no: `R${outTradeNo}`,
      out_trade_no: outTradeNo,
      transaction_id: transactionId,
      refund_id: answer.fields.refund_id,
      total_fee: '100',
      refund_fee: '30',
      settlement_refund_fee: '30',
      settlement_total_fee: '100',
      refund_status: 'SUCCESS',
      refund_recv_accout: '支付用户零钱',
      refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
      refund_request_source: 'API',
    });
    expect(inner.fields.success_time).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
  });
});

describe('refundquery (spec 4.5)', () => {
  it('pages an order with 25 refunds 10 at a time through offset', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '2500' });
    for (let i = 0; i < 25; i += 1) {
      const r = await callPay(sim, '/secapi/pay/refund', {
        out_trade_no: outTradeNo,
        out_refund_no: `RP${String(i).padStart(2, '0')}`,
        total_fee: '2500',
        refund_fee: String(i + 1),
      });
      expect(r.fields.result_code).toBe('SUCCESS');
    }
    const pages = [];
    for (const offset of ['0', '10', '20']) {
      pages.push(
        (
          await callPay(sim, '/pay/refundquery', {
            out_trade_no: outTradeNo,
            offset,
          })
        ).fields,
      );
    }
    expect(pages.map((p) => p.total_refund_count)).toEqual(['25', '25', '25']);
    expect(pages.map((p) => p.refund_count)).toEqual(['10', '10', '5']);
    expect(pages[0].out_refund_no_0).toBe('RP00');
    expect(pages[0].out_refund_no_9).toBe('RP09');
    expect(pages[0].out_refund_no_10).toBeUndefined();
    expect(pages[1].out_refund_no_0).toBe('RP10');
    expect(pages[2].out_refund_no_4).toBe('RP24');
    expect(pages[2].refund_fee_4).toBe('25');
    expect(pages[2].refund_status_4).toBe('SUCCESS');
    expect(replyVerifies(pages[2])).toBe(true);
    const beyond = await callPay(sim, '/pay/refundquery', {
      out_trade_no: outTradeNo,
      offset: '26',
    });
    expect(beyond.fields.err_code).toBe('PARAM_ERROR');
  });

  it('answers one refund by out_refund_no or refund_id, without total_refund_count', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim, { total_fee: '100' });
    const made = await refundCall(sim, outTradeNo);
    for (const lookup of [
      { out_refund_no: `R${outTradeNo}` },
      { refund_id: made.fields.refund_id },
    ]) {
      const answer = await callPay(sim, '/pay/refundquery', lookup);
      expect(answer.fields).toMatchObject({
        result_code: 'SUCCESS',
        refund_count: '1',
        out_trade_no: outTradeNo,
        refund_id_0: made.fields.refund_id,
        refund_fee_0: '30',
        refund_recv_accout_0: '支付用户零钱',
      });
      expect(answer.fields.total_refund_count).toBeUndefined();
    }
  });

  it('answers REFUNDNOTEXIST when there is no refund', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim);
    const none = await callPay(sim, '/pay/refundquery', {
      out_trade_no: outTradeNo,
    });
    expect(none.fields.err_code).toBe('REFUNDNOTEXIST');
    const unknown = await callPay(sim, '/pay/refundquery', {
      out_refund_no: 'NOPE',
    });
    expect(unknown.fields.err_code).toBe('REFUNDNOTEXIST');
  });
});
