import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { caseJson } from '../helpers/fixtures.js';
import {
  buildUnifiedOrderFields,
  orderFingerprint,
  prepareUnifiedOrder,
  unifiedOrder,
  type UnifiedOrderInput,
} from '../../src/core/api/unified-order.js';
import {
  FileOrderLedger,
  MemoryOrderLedger,
} from '../../src/core/api/order-ledger.js';
import { InputError } from '../../src/core/errors.js';
import { sign } from '../../src/core/sign.js';
import {
  PRIMARY,
  fieldsOf,
  makeClient,
  mockAgent,
  signedAnswer,
} from '../http/support.js';

interface C16 {
  now_epoch: number;
  expire_after_s: number;
  params: Record<string, string>;
  key: string;
  expected_sign: string;
  expected_sign_hmac_sha256: string;
  expected: {
    time_start: string;
    time_expire: string;
    same_output_under_TZ: string[];
  };
}
interface C18 {
  requests: {
    params: Record<string, string>;
    sign: string;
    fingerprint: string;
  }[];
}

const c16 = caseJson<C16>('C16-pay-timeexpire-utc.json');
const c18 = caseJson<C18>('C18-pay-outtradeno-reuse.json');

function c16Input(): UnifiedOrderInput {
  const p = c16.params;
  return {
    body: p.body,
    totalFee: Number(p.total_fee),
    outTradeNo: p.out_trade_no,
    clientIp: p.spbill_create_ip,
    notifyUrl: p.notify_url,
    openid: p.openid,
    expiresInMs: c16.expire_after_s * 1000,
    now: new Date(c16.now_epoch * 1000),
  };
}

function c18Input(params: Record<string, string>): UnifiedOrderInput {
  return {
    body: params.body,
    totalFee: Number(params.total_fee),
    outTradeNo: params.out_trade_no,
    clientIp: params.spbill_create_ip,
    notifyUrl: params.notify_url,
    openid: params.openid,
    tradeType: params.trade_type as 'JSAPI',
    extra: { time_expire: params.time_expire },
  };
}

describe('case C16: time_start/time_expire in Beijing time', () => {
  it.each(c16.expected.same_output_under_TZ)(
    'gives the same fields and signs under TZ=%s',
    (tz) => {
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        const fields = buildUnifiedOrderFields(c16Input());
        expect(fields.time_start).toBe(c16.expected.time_start);
        expect(fields.time_expire).toBe(c16.expected.time_expire);
        const params = {
          ...fields,
          appid: c16.params.appid,
          mch_id: c16.params.mch_id,
          nonce_str: c16.params.nonce_str,
        };
        expect(params).toEqual(c16.params);
        expect(sign(params, c16.key, 'MD5')).toBe(c16.expected_sign);
        expect(sign(params, c16.key, 'HMAC-SHA256')).toBe(
          c16.expected_sign_hmac_sha256,
        );
      } finally {
        process.env.TZ = saved;
      }
    },
  );

  it('refuses an order that would expire in under 5 minutes', () => {
    expect(() =>
      buildUnifiedOrderFields({ ...c16Input(), expiresInMs: 4 * 60 * 1000 }),
    ).toThrow(expect.objectContaining({ code: 'EXPIRE_TOO_SHORT' }));
    expect(
      buildUnifiedOrderFields({ ...c16Input(), expiresInMs: 5 * 60 * 1000 })
        .time_expire,
    ).toBe('20240610141820');
  });
});

describe('unifiedorder field rules', () => {
  const base: UnifiedOrderInput = {
    body: 'Test',
    totalFee: 1,
    notifyUrl: 'https://example.com/notify',
    openid: 'oUser',
  };

  it.each([
    ['JSAPI without openid', { openid: undefined }, 'OPENID_REQUIRED'],
    ['an emoji in body', { body: 'Tea 🍵' }, 'FOUR_BYTE_CHAR'],
    ['a body over 127 bytes', { body: '茶'.repeat(43) }, 'BODY_TOO_LONG'],
    [
      'a notify_url with a query',
      { notifyUrl: 'https://example.com/n?a=1' },
      'NOTIFY_URL_QUERY',
    ],
    ['a bad client IP', { clientIp: '1.2.3' }, 'CLIENT_IP_INVALID'],
    [
      'MWEB without the payer IP',
      { tradeType: 'MWEB' as const },
      'CLIENT_IP_REQUIRED',
    ],
    ['a zero amount', { totalFee: 0 }, 'AMOUNT_INVALID'],
    ['a bad out_trade_no', { outTradeNo: 'a b' }, 'OUT_TRADE_NO_INVALID'],
    [
      'an unknown trade_type',
      { tradeType: 'MICROPAY' as never },
      'TRADE_TYPE_INVALID',
    ],
  ])('refuses %s', (_what, change, code) => {
    expect(() => buildUnifiedOrderFields({ ...base, ...change })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('generates an out_trade_no and gives NATIVE a product_id', () => {
    const fields = buildUnifiedOrderFields({
      ...base,
      openid: undefined,
      tradeType: 'NATIVE',
    });
    expect(fields.out_trade_no).toMatch(/^\d{23}$/);
    expect(fields.product_id).toBe(fields.out_trade_no);
    expect(fields.spbill_create_ip).toBe('127.0.0.1');
    expect(fields.time_expire).toBeUndefined();
  });
});

describe('case C18: an out_trade_no reused with other parameters', () => {
  it('computes the fingerprints of the case', () => {
    const [r1, r2, r3] = c18.requests.map((r) => orderFingerprint(r.params));
    expect([r1, r2, r3]).toEqual(c18.requests.map((r) => r.fingerprint));
    expect(r1).not.toBe(r2);
    expect(r1).not.toBe(r3);
  });

  it('signs r1 as the case does and refuses r2 and r3 before calling', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/unifiedorder', method: 'POST' })
      .reply(200, (opts) => {
        const sent = fieldsOf(opts.body);
        expect(sent.sign).toBe(c18.requests[0].sign);
        return signedAnswer({
          prepay_id: 'wx10141320C18prepay',
          trade_type: 'JSAPI',
        });
      });
    const ledger = new MemoryOrderLedger();
    let nonce = c18.requests[0].params.nonce_str;
    const { client } = makeClient({ dispatcher: agent, nonce: () => nonce });
    const first = await unifiedOrder(client, c18Input(c18.requests[0].params), {
      ledger,
    });
    expect(first).toMatchObject({
      prepay_id: 'wx10141320C18prepay',
      reentry: false,
    });

    for (const [index, changed] of [
      [1, 'openid'],
      [2, 'total_fee'],
    ] as const) {
      nonce = c18.requests[index].params.nonce_str;
      const error = await unifiedOrder(
        client,
        c18Input(c18.requests[index].params),
        { ledger },
      ).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({
        code: 'OUT_TRADE_NO_REUSED',
        details: {
          changed: [changed],
          class: 'out_trade_no_reused_with_different_params',
        },
      });
      expect(error.message).toContain('201 商户订单号重复');
    }
  });

  it('re-sends an identical order and keeps the first time window', async () => {
    const agent = mockAgent();
    const sent: Record<string, string>[] = [];
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/unifiedorder', method: 'POST' })
      .reply(200, (opts) => {
        sent.push(fieldsOf(opts.body));
        return signedAnswer({ prepay_id: 'wxSamePrepay', trade_type: 'JSAPI' });
      })
      .times(2);
    const ledger = new MemoryOrderLedger();
    const { client } = makeClient({ dispatcher: agent });
    const input = { ...c16Input(), expiresInMs: 30 * 60 * 1000 };
    await unifiedOrder(client, input, { ledger });
    const later = { ...input, now: new Date(input.now!.getTime() + 60_000) };
    const again = await unifiedOrder(client, later, { ledger });
    expect(again).toMatchObject({
      reentry: true,
      keptTimeWindow: true,
      prepay_id: 'wxSamePrepay',
    });
    expect(sent[1].time_expire).toBe(sent[0].time_expire);
    expect(sent[1].time_start).toBe(sent[0].time_start);
  });

  it('remembers an order whose outcome is unknown (timeout), so a retry must match it', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/unifiedorder', method: 'POST' })
      .replyWithError(
        Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      );
    const ledger = new MemoryOrderLedger();
    const { client } = makeClient({ dispatcher: agent });
    const input = c18Input(c18.requests[0].params);
    await expect(unifiedOrder(client, input, { ledger })).rejects.toMatchObject(
      { code: 'NETWORK' },
    );
    await expect(
      prepareUnifiedOrder(client, { ...input, totalFee: 1 }, { ledger }),
    ).rejects.toMatchObject({ code: 'OUT_TRADE_NO_REUSED' });
  });

  it('does not remember an order WeChat refused for good', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/unifiedorder', method: 'POST' })
      .reply(
        200,
        signedAnswer({
          result_code: 'FAIL',
          err_code: 'LACK_PARAMS',
          err_code_des: '缺少参数',
        }),
      );
    const ledger = new MemoryOrderLedger();
    const { client } = makeClient({ dispatcher: agent });
    const input = c18Input(c18.requests[0].params);
    await expect(unifiedOrder(client, input, { ledger })).rejects.toMatchObject(
      { errorClass: 'missing_params' },
    );
    const prepared = await prepareUnifiedOrder(
      client,
      { ...input, totalFee: 1 },
      { ledger },
    );
    expect(prepared.reentry).toBe(false);
  });
});

describe('FileOrderLedger', () => {
  it('writes a 0600 file atomically and reads records back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpay-ledger-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'sub', 'orders.json');
    const ledger = new FileOrderLedger(path);
    const record = {
      fingerprint: 'a=1',
      fields: { a: '1' },
      created_at: new Date().toISOString(),
    };
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ledger.put(`k${i}`, { ...record, fingerprint: `a=${i}` }),
      ),
    );
    expect(
      Object.keys(JSON.parse(readFileSync(path, 'utf8')).orders).sort(),
    ).toEqual(Array.from({ length: 8 }, (_, i) => `k${i}`));
    expect(await new FileOrderLedger(path).get('k3')).toMatchObject({
      fingerprint: 'a=3',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
