import { describe, expect, it } from 'vitest';
import {
  callPay,
  createOrder,
  paidOrder,
  replyVerifies,
  testSimulator,
} from './helpers.js';

describe('orderquery (spec 4.2)', () => {
  it('answers ORDERNOTEXIST for an order it never saw, signed', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'NEVERSEEN1',
    });
    expect(answer.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'ORDERNOTEXIST',
    });
    expect(replyVerifies(answer.fields)).toBe(true);
  });

  it('shows a new order as NOTPAY', async () => {
    const sim = await testSimulator();
    const no = await createOrder(sim, { attach: 'a&b<c>' });
    const answer = await callPay(sim, '/pay/orderquery', { out_trade_no: no });
    expect(answer.fields).toMatchObject({
      result_code: 'SUCCESS',
      out_trade_no: no,
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      attach: 'a&b<c>',
    });
    expect(answer.fields.transaction_id).toBeUndefined();
    expect(replyVerifies(answer.fields)).toBe(true);
  });

  it('shows a paid order as SUCCESS with its payment fields, by out_trade_no or transaction_id', async () => {
    const now = new Date('2024-06-10T06:13:20Z');
    const sim = await testSimulator({ now: () => now });
    const no = await createOrder(sim, { total_fee: '690' });
    const paid = await sim.payOrder(no, { notify: false });
    expect(paid.order.transaction_id).toMatch(/^\d{28}$/);
    expect(paid.order.time_end).toBe('20240610141320');
    for (const lookup of [
      { out_trade_no: no },
      { transaction_id: paid.order.transaction_id },
    ]) {
      const answer = await callPay(sim, '/pay/orderquery', lookup);
      expect(answer.fields).toMatchObject({
        result_code: 'SUCCESS',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        total_fee: '690',
        cash_fee: '690',
        fee_type: 'CNY',
        bank_type: 'OTHERS',
        trade_type: 'JSAPI',
        openid: 'oTESTopenid0000000000000000A',
        transaction_id: paid.order.transaction_id,
        out_trade_no: no,
        time_end: '20240610141320',
      });
    }
  });

  it('prefers transaction_id over out_trade_no', async () => {
    const sim = await testSimulator();
    const one = await paidOrder(sim);
    const other = await createOrder(sim);
    const answer = await callPay(sim, '/pay/orderquery', {
      transaction_id: one.transactionId,
      out_trade_no: other,
    });
    expect(answer.fields.out_trade_no).toBe(one.outTradeNo);
  });

  it('needs one of transaction_id and out_trade_no', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/orderquery', {});
    expect(answer.fields.err_code).toBe('LACK_PARAMS');
  });

  it('keeps orders of different merchants apart', async () => {
    const sim = await testSimulator({
      merchants: [
        {
          appids: ['wx1111111111111111'],
          mch_id: '1230000109',
          key: 'k'.repeat(32),
        },
      ],
    });
    const no = await createOrder(sim);
    const other = await callPay(
      sim,
      '/pay/orderquery',
      { appid: 'wx1111111111111111', mch_id: '1230000109', out_trade_no: no },
      { key: 'k'.repeat(32) },
    );
    expect(other.fields.err_code).toBe('ORDERNOTEXIST');
  });
});

describe('closeorder (spec 4.3)', () => {
  it('closes an unpaid order: SUCCESS, then orderquery shows CLOSED', async () => {
    const sim = await testSimulator();
    const no = await createOrder(sim);
    const answer = await callPay(sim, '/pay/closeorder', { out_trade_no: no });
    expect(answer.fields).toMatchObject({
      result_code: 'SUCCESS',
      result_msg: 'OK',
    });
    expect(replyVerifies(answer.fields)).toBe(true);
    const query = await callPay(sim, '/pay/orderquery', { out_trade_no: no });
    expect(query.fields.trade_state).toBe('CLOSED');
  });

  it('refuses to close a paid order (ORDERPAID), a closed one (ORDERCLOSED) and an unknown one (ORDERNOTEXIST)', async () => {
    const sim = await testSimulator();
    const { outTradeNo } = await paidOrder(sim);
    const paid = await callPay(sim, '/pay/closeorder', {
      out_trade_no: outTradeNo,
    });
    expect(paid.fields.err_code).toBe('ORDERPAID');
    const no = await createOrder(sim);
    await callPay(sim, '/pay/closeorder', { out_trade_no: no });
    const twice = await callPay(sim, '/pay/closeorder', { out_trade_no: no });
    expect(twice.fields.err_code).toBe('ORDERCLOSED');
    const unknown = await callPay(sim, '/pay/closeorder', {
      out_trade_no: 'NEVERSEEN1',
    });
    expect(unknown.fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('needs out_trade_no', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/closeorder', {});
    expect(answer.fields.err_code).toBe('LACK_PARAMS');
  });

  it('will not let a closed order be paid', async () => {
    const sim = await testSimulator();
    const no = await createOrder(sim);
    await callPay(sim, '/pay/closeorder', { out_trade_no: no });
    await expect(sim.payOrder(no, { notify: false })).rejects.toMatchObject({
      code: 'ORDERCLOSED',
    });
  });

  it('will not let an expired order be paid', async () => {
    let clock = new Date('2024-06-10T06:13:20Z');
    const sim = await testSimulator({ now: () => clock });
    const no = await createOrder(sim, { time_expire: '20240610142320' });
    clock = new Date('2024-06-10T06:30:00Z');
    await expect(sim.payOrder(no, { notify: false })).rejects.toMatchObject({
      code: 'ORDER_EXPIRED',
    });
  });
});
