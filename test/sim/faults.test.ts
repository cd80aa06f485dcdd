import { describe, expect, it } from 'vitest';
import { parseFault, type RequestLog } from '../../src/sim/index.js';
import { SimulatorAdminClient } from '../../src/sim/admin-client.js';
import {
  callPay,
  DEMO,
  orderParams,
  replyVerifies,
  testSimulator,
} from './helpers.js';

describe('fault injection', () => {
  it('answers the next 2 unifiedorders with a signed SYSTEMERROR that creates nothing, then recovers', async () => {
    const sim = await testSimulator();
    await sim.addFault({
      path: '/pay/unifiedorder',
      errCode: 'SYSTEMERROR',
      count: 2,
    });
    const params = orderParams();
    const first = await callPay(sim, '/pay/unifiedorder', params);
    expect(first.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'SYSTEMERROR',
      err_code_des: '系统超时',
    });
    expect(replyVerifies(first.fields)).toBe(true);
    const query = await callPay(sim, '/pay/orderquery', {
      out_trade_no: params.out_trade_no,
    });
    expect(query.fields.err_code).toBe('ORDERNOTEXIST');
    const second = await callPay(sim, '/pay/unifiedorder', params);
    expect(second.fields.err_code).toBe('SYSTEMERROR');
    const third = await callPay(sim, '/pay/unifiedorder', params);
    expect(third.fields.result_code).toBe('SUCCESS');
    expect(await sim.simulator.listFaults()).toEqual([]);
  });

  it('does not spend a scripted error on a request that fails its signature', async () => {
    const sim = await testSimulator();
    await sim.addFault({
      path: '/pay/orderquery',
      errCode: 'SYSTEMERROR',
      count: 1,
    });
    const forged = await callPay(
      sim,
      '/pay/orderquery',
      { out_trade_no: 'ABCDEF1' },
      { key: 'x'.repeat(32) },
    );
    expect(forged.fields.return_msg).toBe('签名错误');
    const real = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(real.fields.err_code).toBe('SYSTEMERROR');
  });

  it('applies a prefix path to every matching path only', async () => {
    const sim = await testSimulator();
    await sim.addFault({
      path: '/pay/*',
      errCode: 'BIZERR_NEED_RETRY',
      errCodeDes: '稍后重试',
    });
    const query = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(query.fields).toMatchObject({
      err_code: 'BIZERR_NEED_RETRY',
      err_code_des: '稍后重试',
    });
    const refund = await callPay(sim, '/secapi/pay/refund', {
      out_trade_no: 'ABCDEF1',
      out_refund_no: 'R1',
      total_fee: '1',
      refund_fee: '1',
    });
    expect(refund.fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('drops the connection, then answers normally', async () => {
    const sim = await testSimulator();
    await sim.addFault({ path: '/pay/orderquery', drop: true, count: 1 });
    await expect(
      callPay(sim, '/pay/orderquery', { out_trade_no: 'ABCDEF1' }),
    ).rejects.toThrow();
    const after = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(after.fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('answers with an HTTP 5xx status', async () => {
    const sim = await testSimulator();
    await sim.addFault({ httpStatus: 503, count: 1 });
    const failed = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(failed.status).toBe(503);
    const after = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(after.status).toBe(200);
  });

  it('adds latency before answering', async () => {
    const log: RequestLog[] = [];
    const sim = await testSimulator({ onRequest: (entry) => log.push(entry) });
    await sim.addFault({ latencyMs: 250, count: 1 });
    await callPay(sim, '/pay/orderquery', { out_trade_no: 'ABCDEF1' });
    await callPay(sim, '/pay/orderquery', { out_trade_no: 'ABCDEF1' });
    expect(log[0].ms).toBeGreaterThanOrEqual(245);
  });

  it('scripts a numeric errcode for jscode2session', async () => {
    const sim = await testSimulator();
    await sim.addFault({
      path: '/sns/jscode2session',
      errCode: '-1',
      count: 1,
    });
    const query = new URLSearchParams({
      appid: DEMO.appid,
      secret: DEMO.app_secret,
      js_code: 'faultcode0001',
      grant_type: 'authorization_code',
    });
    const busy = await (
      await fetch(`${sim.url}/sns/jscode2session?${query}`)
    ).json();
    expect(busy.errcode).toBe(-1);
    const ok = await (
      await fetch(`${sim.url}/sns/jscode2session?${query}`)
    ).json();
    expect(ok.openid).toBeDefined();
  });

  it('is set, listed and cleared over HTTP by the admin client', async () => {
    const sim = await testSimulator();
    const admin = new SimulatorAdminClient(sim.url);
    const [added] = await admin.addFaults([
      { path: '/pay/closeorder', errCode: 'SYSTEMERROR', count: 3 },
    ]);
    expect(added).toMatchObject({
      kind: 'err_code',
      path: '/pay/closeorder',
      remaining: 3,
    });
    expect(await admin.listFaults()).toHaveLength(1);
    expect(await admin.clearFaults()).toBe(1);
    expect(await admin.listFaults()).toEqual([]);
    await expect(
      admin.addFaults([{ path: 'nope', drop: true }]),
    ).rejects.toMatchObject({
      code: 'FAULT_INVALID',
    });
  });

  it('refuses a bad admin body with 400 and adds nothing', async () => {
    const sim = await testSimulator();
    const response = await fetch(`${sim.url}/__wxpay/faults`, {
      method: 'POST',
      body: '[{"drop":true},{"latencyMs":-1}]',
    });
    expect(response.status).toBe(400);
    expect(await sim.simulator.listFaults()).toEqual([]);
    const notJson = await fetch(`${sim.url}/__wxpay/faults`, {
      method: 'POST',
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it.each([
    [{}, 'no effect'],
    [{ drop: true, httpStatus: 500 }, 'One effect'],
    [{ httpStatus: 404 }, '500 to 599'],
    [{ errCode: 'lower' }, 'err_code'],
    [{ drop: true, count: 0 }, 'count'],
    [{ drop: true, extra: 1 }, 'Unknown fault field'],
  ])('refuses the fault %j', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(message);
  });

  it('close() delivers the answer already in flight before it stops', async () => {
    const sim = await testSimulator();
    await sim.addFault({ path: '/pay/orderquery', latencyMs: 1000 });
    const answer = callPay(sim, '/pay/orderquery', {
      out_trade_no: 'NOSUCH000001',
    });
    // Let the request reach the simulator, then stop it mid-latency.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sim.close();
    expect((await answer).fields.err_code).toBe('ORDERNOTEXIST');
  });
});
