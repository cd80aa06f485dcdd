import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/sign.js';
import { parseXml } from '../../src/core/xml.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { cli, configWith, DEMO_PROFILE, OPENID, tabFields } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});

interface Received {
  fields: Record<string, string>;
  valid: boolean;
}

/** The merchant's notify_url handler: verifies, then acknowledges. */
async function notifyHandler(received: Received[]): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { fields } = parseXml(Buffer.concat(chunks));
      const valid = verify(fields, DEMO_PROFILE.key!).valid;
      received.push({ fields, valid });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        valid
          ? '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>'
          : '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[bad sign]]></return_msg></xml>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/wxpay/notify`;
}

describe('end to end: mock serve, order create, pay, notification, order query', () => {
  it('creates an order over HTTP, the payment notification verifies, and the query shows SUCCESS', async () => {
    const sim: RunningSimulator = await startSimulator({ port: 0 });
    cleanups.push(() => sim.close());
    const received: Received[] = [];
    const notifyUrl = await notifyHandler(received);
    const dir = configWith('sim', {
      ...DEMO_PROFILE,
      base_url: sim.url,
      mp_base_url: sim.url,
      notify_url: notifyUrl,
    });

    const created = await cli(dir, [
      'order',
      'create',
      '--body',
      '端到端测试',
      '--amount',
      '0.01',
      '--openid',
      OPENID,
      '--json',
    ]);
    expect(created.code).toBe(0);
    const order = JSON.parse(created.stdout);
    expect(order.prepay_id).toMatch(/^wx/);

    const before = await cli(dir, [
      'order',
      'query',
      '--out-trade-no',
      order.out_trade_no,
    ]);
    expect(tabFields(before.stdout).trade_state).toBe('NOTPAY');

    const paid = await sim.payOrder(order.out_trade_no, {
      delivery: { speed: 1000 },
    });
    await sim.settled();
    expect(paid.delivery?.acknowledged).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0].valid).toBe(true);
    expect(received[0].fields).toMatchObject({
      out_trade_no: order.out_trade_no,
      total_fee: '1',
      result_code: 'SUCCESS',
      openid: OPENID,
      appid: DEMO_PROFILE.appid,
    });

    const after = await cli(dir, [
      'order',
      'query',
      '--out-trade-no',
      order.out_trade_no,
      '--json',
    ]);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({
      trade_state: 'SUCCESS',
      total_fee: '1',
      transaction_id: received[0].fields.transaction_id,
    });
  });
});
