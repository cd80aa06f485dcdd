import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { verify } from '../../src/core/sign.js';
import { parseXml } from '../../src/core/xml.js';
import {
  sendNotification,
  isLoopbackHost,
  WECHAT_RETRY_SCHEDULE_MS,
  type DeliveryAttempt,
} from '../../src/sim/index.js';
import { createOrder, DEMO, testSimulator } from './helpers.js';

const ACK =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

type Reply = { status: number; body: string };

/** A merchant handler on 127.0.0.1 that answers with the scripted replies. */
async function handler(replies: Reply[]) {
  const bodies: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      const reply = replies[Math.min(bodies.length - 1, replies.length - 1)];
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/wxpay/notify`, bodies };
}

describe('payment notifications (spec 6)', () => {
  it('retries on WeChat schedule until the handler acknowledges, then stops', async () => {
    const merchant = await handler([
      { status: 500, body: 'oops' },
      { status: 201, body: ACK },
      { status: 200, body: '<html>支付成功</html>' },
      { status: 200, body: 'success' },
      {
        status: 200,
        body: '<xml><return_code>FAIL</return_code><return_msg>SIGNERROR</return_msg></xml>',
      },
      { status: 200, body: ACK },
    ]);
    const sim = await testSimulator();
    const no = await createOrder(sim, { notify_url: merchant.url });
    const attempts: DeliveryAttempt[] = [];
    const result = await sim.payOrder(no, {
      delivery: { speed: 100_000, onAttempt: (a) => attempts.push(a) },
    });
    expect(result.delivery).toEqual({ acknowledged: true, attempts: 6 });
    expect(merchant.bodies).toHaveLength(6);
    expect(attempts.map((a) => a.acknowledged)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(attempts.map((a) => a.status)).toEqual([
      500, 201, 200, 200, 200, 200,
    ]);
    expect(attempts.map((a) => a.nextInMs)).toEqual([
      0.15,
      0.15,
      0.3,
      1.8,
      6,
      undefined,
    ]);
    expect(attempts[4].reason).toContain('return_code is FAIL (SIGNERROR)');
    expect(attempts[1].reason).toContain('HTTP 201');
    expect(attempts.every((a) => a.of === 16)).toBe(true);
    // Every attempt carries the same notification.
    expect(new Set(merchant.bodies).size).toBe(1);
  });

  it('follows the documented schedule: 15 retries over 24 h 4 min', () => {
    const total = WECHAT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(WECHAT_RETRY_SCHEDULE_MS).toHaveLength(15);
    expect(total).toBe((24 * 60 + 4) * 60 * 1000);
    expect(WECHAT_RETRY_SCHEDULE_MS.slice(0, 4)).toEqual([
      15000, 15000, 30000, 180000,
    ]);
  });

  it('gives up after 16 attempts when the handler never acknowledges', async () => {
    const merchant = await handler([{ status: 503, body: 'down' }]);
    const result = await sendNotification(
      { kind: 'payment', url: merchant.url, body: '<xml/>', ref: 'X' },
      { speed: 1_000_000 },
    );
    expect(result).toEqual({ acknowledged: false, attempts: 16 });
    expect(merchant.bodies).toHaveLength(16);
  });

  it('stops waiting when aborted', async () => {
    const merchant = await handler([{ status: 500, body: '' }]);
    const controller = new AbortController();
    const result = await sendNotification(
      { kind: 'payment', url: merchant.url, body: '<xml/>', ref: 'X' },
      { signal: controller.signal, onAttempt: () => controller.abort() },
    );
    expect(result).toEqual({
      acknowledged: false,
      attempts: 1,
      stopped: 'aborted',
    });
  });

  it('sends all of spec 6 fields, signed with the order key, MD5 order → MD5 sign', async () => {
    const merchant = await handler([{ status: 200, body: ACK }]);
    const sim = await testSimulator();
    const no = await createOrder(sim, {
      notify_url: merchant.url,
      total_fee: '888',
      attach: '支付测试',
      device_info: 'WEB',
    });
    const result = await sim.payOrder(no, { delivery: { speed: 1000 } });
    const { fields } = parseXml(merchant.bodies[0]);
    expect(fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      appid: DEMO.appid,
      mch_id: DEMO.mch_id,
      device_info: 'WEB',
      openid: 'oTESTopenid0000000000000000A',
      is_subscribe: 'N',
      trade_type: 'JSAPI',
      bank_type: 'OTHERS',
      total_fee: '888',
      fee_type: 'CNY',
      cash_fee: '888',
      transaction_id: result.order.transaction_id,
      out_trade_no: no,
      attach: '支付测试',
      time_end: result.order.time_end,
    });
    expect(fields.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(fields.sign_type).toBeUndefined();
    expect(verify(fields, DEMO.key, { signType: 'MD5' }).valid).toBe(true);
  });

  it('signs the notification of an HMAC-SHA256 order with HMAC and leaves sign_type out (case B08)', async () => {
    const merchant = await handler([{ status: 200, body: ACK }]);
    const sim = await testSimulator();
    const no = await createOrder(
      sim,
      { notify_url: merchant.url },
      { signType: 'HMAC-SHA256' },
    );
    await sim.payOrder(no, { delivery: { speed: 1000 } });
    const { fields } = parseXml(merchant.bodies[0]);
    expect(fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(fields.sign_type).toBeUndefined();
    expect(verify(fields, DEMO.key).valid).toBe(true);
    expect(verify(fields, DEMO.key, { signType: 'MD5' }).valid).toBe(false);
  });

  it('invents a stable payer openid for NATIVE orders', async () => {
    const sim = await testSimulator();
    const no = await createOrder(sim, {
      trade_type: 'NATIVE',
      openid: undefined,
      product_id: 'P1',
    });
    const paid = await sim.payOrder(no, { notify: false });
    const { fields } = parseXml(paid.notification.body);
    expect(fields.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
  });

  it('sends the notification again for an order already paid', async () => {
    const merchant = await handler([{ status: 200, body: ACK }]);
    const sim = await testSimulator();
    const no = await createOrder(sim, { notify_url: merchant.url });
    const first = await sim.payOrder(no, { delivery: { speed: 1000 } });
    const again = await sim.payOrder(no, { delivery: { speed: 1000 } });
    expect(again.order.already_paid).toBe(true);
    expect(again.order.transaction_id).toBe(first.order.transaction_id);
    expect(merchant.bodies).toHaveLength(2);
  });

  it('never posts to a host other than this machine unless allowed', async () => {
    const sim = await testSimulator();
    const no = await createOrder(sim, {
      notify_url: 'https://merchant.example.com/notify',
    });
    const attempts: DeliveryAttempt[] = [];
    const result = await sim.payOrder(no, {
      delivery: { onAttempt: (a) => attempts.push(a) },
    });
    expect(result.delivery).toEqual({
      acknowledged: false,
      attempts: 0,
      stopped: 'refused',
    });
    expect(attempts[0].reason).toMatch(
      /merchant\.example\.com is not this machine/,
    );
  });
});

describe('notify_url hosts', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['api.mch.weixin.qq.com', false],
    ['127.0.0.1.example.com', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
