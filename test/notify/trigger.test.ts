import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  NOTIFY_REPLY_CONTENT_TYPE,
  notifyReply,
  notifyReplyFor,
  parseXml,
  readNotification,
} from '../../src/index.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { reply, startHandler } from './handlers.js';

const PROFILE = {
  key: DEMO_PROFILE.key!,
  appid: DEMO_PROFILE.appid,
  mchId: DEMO_PROFILE.mch_id,
};

/** A correct handler: verifies with the library and answers accordingly. */
function correctHandler(key = PROFILE.key) {
  return startHandler((body, _req, res) => {
    const notification = readNotification(body, { ...PROFILE, key });
    reply(res, 200, NOTIFY_REPLY_CONTENT_TYPE, notifyReplyFor(notification));
  });
}

/** `wxpay notify trigger --mock --to URL …` with the demo merchant. */
function trigger(args: string[], options?: Parameters<typeof runCli>[1]) {
  const [to, ...more] = args;
  return runCli(['notify', 'trigger', '--mock', '--to', to, ...more], options);
}

describe('wxpay notify trigger', () => {
  it('sends a signed payment notification that a correct handler acknowledges', async () => {
    const handler = await correctHandler();
    const result = await trigger([
      handler.url,
      '--out-trade-no',
      '000123456789',
      '--amount',
      '19.99',
      '--attach',
      'k=v&x=1 2',
    ]);
    expect(result.code).toBe(0);
    expect(handler.bodies).toHaveLength(1);
    const fields = parseXml(handler.bodies[0]).fields;
    expect(fields).toMatchObject({
      out_trade_no: '000123456789',
      total_fee: '1999',
      cash_fee: '1999',
      attach: 'k=v&x=1 2',
      appid: DEMO_PROFILE.appid,
      mch_id: DEMO_PROFILE.mch_id,
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
    });
    expect(fields.transaction_id).toMatch(/^4200\d{24}$/);
    expect(fields.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(result.stdout).toMatch(
      /^1\tpayment\tgenuine\t200\t\d+\tacknowledged\tok\n$/,
    );
    expect(result.stderr).toContain('The expectation held.');
  });

  it('repeats the notification and expects a tampered copy to be refused', async () => {
    const handler = await correctHandler();
    const result = await trigger([
      handler.url,
      '--repeat',
      '3',
      '--tamper',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.ok).toBe(true);
    expect(
      doc.sends.map(
        (s: { copy: string; expected: string; acknowledged: boolean }) => [
          s.copy,
          s.expected,
          s.acknowledged,
        ],
      ),
    ).toEqual([
      ['genuine', 'acknowledged', true],
      ['genuine', 'acknowledged', true],
      ['genuine', 'acknowledged', true],
      ['tampered', 'rejected', false],
    ]);
    // The same notification three times, as WeChat retries it.
    expect(handler.bodies[1].equals(handler.bodies[0])).toBe(true);
    expect(handler.bodies[2].equals(handler.bodies[0])).toBe(true);
    const tampered = parseXml(handler.bodies[3]).fields;
    expect(tampered.sign).toBe(parseXml(handler.bodies[0]).fields.sign);
    expect(tampered.total_fee).not.toBe(
      parseXml(handler.bodies[0]).fields.total_fee,
    );
  });

  it('fails when the handler acknowledges a forged notification', async () => {
    const handler = await startHandler((_body, _req, res) =>
      reply(res, 200, 'text/xml', notifyReply('SUCCESS')),
    );
    const result = await trigger([handler.url, '--tamper']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[1]).toMatch(
      /^2\tpayment\ttampered\t200\t\d+\tacknowledged\tFAILED$/,
    );
    expect(result.stderr).toContain('1 of 2 expectations failed');
  });

  const wrongReplies: [string, number, string | undefined, string, string][] = [
    ['HTTP 201', 201, 'text/xml', notifyReply('SUCCESS'), 'HTTP 201'],
    [
      'an HTML page',
      200,
      'text/html',
      '<html><body>支付成功</body></html>',
      'HTML page',
    ],
    [
      'a reply without return_msg',
      200,
      'text/xml',
      '<xml><return_code>SUCCESS</return_code></xml>',
      'no return_msg',
    ],
    ['plain "success"', 200, 'text/plain', 'success', 'plain text'],
    [
      'a FAIL reply',
      200,
      'text/xml',
      notifyReply('FAIL', 'DB DOWN'),
      'return_code is FAIL (DB DOWN)',
    ],
    [
      'no content type',
      200,
      undefined,
      notifyReply('SUCCESS'),
      'Content-Type is missing',
    ],
  ];
  for (const [what, status, type, body, problem] of wrongReplies) {
    it(`exits 1 when the handler answers with ${what}`, async () => {
      const handler = await startHandler((_body, _req, res) =>
        reply(res, status, type, body),
      );
      const result = await trigger([handler.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/\trefused\tFAILED\n$/);
      expect(result.stderr).toContain(problem);
    });
  }

  it('times out on a handler that never answers, with a clear message', async () => {
    const handler = await startHandler(() => undefined);
    const result = await trigger([handler.url, '--timeout', '300ms', '--json']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.sends[0]).toMatchObject({ ok: false, acknowledged: false });
    expect(doc.sends[0].error).toContain('no complete reply within 300 ms');
    expect(result.stderr).toContain('WeChat counts that as a failure');
  });

  it('exits 3 when nothing listens at --to', async () => {
    const handler = await startHandler(() => undefined);
    const url = handler.url.replace(/:\d+\//, ':9/');
    const result = await trigger([url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Cannot reach http://127.0.0.1:9');
  });

  it('sends an encrypted refund notification with --refund', async () => {
    const handler = await correctHandler();
    const result = await trigger([
      handler.url,
      '--refund',
      '--total-fee',
      '500',
      '--refund-amount',
      '1.5',
      '--out-refund-no',
      'R0001',
      '--tamper',
    ]);
    expect(result.code).toBe(0);
    const envelope = parseXml(handler.bodies[0]).fields;
    expect(envelope.sign).toBeUndefined();
    const refund = readNotification(handler.bodies[0], PROFILE);
    expect(refund).toMatchObject({
      kind: 'refund',
      valid: true,
      outRefundNo: 'R0001',
      refundFee: 150,
      totalFee: 500,
      refundStatus: 'SUCCESS',
    });
    expect(readNotification(handler.bodies[1], PROFILE)).toMatchObject({
      valid: false,
      reason: 'req_info_undecryptable',
    });
  });

  it('signs with HMAC-SHA256 and leaves sign_type out, as WeChat does (B08)', async () => {
    const handler = await correctHandler();
    const result = await trigger([
      handler.url,
      '--sign-type',
      'HMAC-SHA256',
      '--coupon',
      '10',
      '--coupon',
      '20:NO_CASH',
      '--amount',
      '1',
    ]);
    expect(result.code).toBe(0);
    const fields = parseXml(handler.bodies[0]).fields;
    expect(fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(fields.sign_type).toBeUndefined();
    expect(fields).toMatchObject({
      total_fee: '100',
      coupon_count: '2',
      coupon_fee: '30',
      coupon_fee_0: '10',
      coupon_type_0: 'CASH',
      coupon_fee_1: '20',
      coupon_type_1: 'NO_CASH',
      cash_fee: '70',
      settlement_total_fee: '80',
    });
  });

  it('replays a captured body byte for byte with --from-file', async () => {
    const b22 = {
      key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
      appid: 'wx0123456789abcdef',
      mchId: '1900000109',
    };
    const handler = await startHandler((body, _req, res) =>
      reply(
        res,
        200,
        NOTIFY_REPLY_CONTENT_TYPE,
        notifyReplyFor(readNotification(body, b22)),
      ),
    );
    const env = {
      WXPAY_KEY: b22.key,
      WXPAY_APPID: b22.appid,
      WXPAY_MCH_ID: b22.mchId,
    };
    const file = fixturePath('cases', 'B22-notify-coupon.xml');
    const result = await runCli(
      ['notify', 'trigger', '--to', handler.url, '--from-file', file],
      { env },
    );
    expect(result.code).toBe(0);
    expect(handler.bodies[0].equals(readFileSync(file))).toBe(true);

    // A capture that does not verify is expected to be refused.
    const forged = fixturePath('cases', 'B26-notify-no-sign.xml');
    const refused = await runCli(
      ['notify', 'trigger', '--to', handler.url, '--from-file', forged],
      { env },
    );
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain('expecting the handler to refuse it');
    expect(refused.stdout).toMatch(/\trefused\tok\n$/);
  });

  it('shows a decorated line on a terminal', async () => {
    const handler = await correctHandler();
    const result = await runCli(
      ['notify', 'trigger', '--mock', '--to', handler.url],
      {
        tty: true,
        env: { FORCE_COLOR: '1' },
      },
    );
    expect(result.code).toBe(0);
    expect(stripVTControlCharacters(result.stdout)).toMatch(
      /^✓ #1 payment +HTTP 200 in \d+ ms: acknowledged, expected acknowledged\n$/,
    );
  });

  it('refuses URLs that are not http(s) and conflicting amounts', async () => {
    const bad = await trigger(['file:///etc/passwd']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to must be an http or https URL');
    const both = await trigger([
      'http://127.0.0.1:9/',
      '--amount',
      '1',
      '--total-fee',
      '100',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
