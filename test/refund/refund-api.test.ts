import { describe, expect, it } from 'vitest';
import { refund } from '../../src/core/api/refund.js';
import { refundQuery, refundsOf } from '../../src/core/api/refund-query.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import type { PayClient } from '../../src/core/http/client.js';
import { verify } from '../../src/core/sign.js';
import {
  FAKE_MERCHANT,
  fakeClient,
  refusal,
  startFakeWeChat,
  type FakeHandler,
} from './fake-wechat.js';

function clientFor(url: string): PayClient {
  return fakeClient(url);
}

/** A refundquery answer holding refunds `from`..`to-1` of `total`. */
function page(total: number, from: number, to: number): Record<string, string> {
  const fields: Record<string, string> = {
    out_trade_no: 'order-000001',
    transaction_id: '4200000000000000000000000001',
    total_fee: '10000',
    cash_fee: '10000',
    total_refund_count: String(total),
    refund_count: String(to - from),
  };
  for (let i = from; i < to; i += 1) {
    const n = i - from;
    fields[`out_refund_no_${n}`] = `R${String(i).padStart(4, '0')}`;
    fields[`refund_id_${n}`] =
      `5030000000000000000000${String(i).padStart(4, '0')}`;
    fields[`refund_fee_${n}`] = '100';
    fields[`refund_status_${n}`] = i % 2 === 0 ? 'SUCCESS' : 'PROCESSING';
  }
  return fields;
}

describe('refund (core)', () => {
  it('sends the signed refund fields and reads the accepted answer', async () => {
    const server = await startFakeWeChat({
      '/secapi/pay/refund': (params) => ({
        fields: {
          out_trade_no: params.out_trade_no,
          out_refund_no: params.out_refund_no,
          refund_id: '50300000000000000000000001',
          refund_fee: params.refund_fee,
          total_fee: params.total_fee,
        },
      }),
    });
    const accepted = await refund(clientFor(server.url), {
      order: { out_trade_no: 'order-000001' },
      out_refund_no: 'R20240101',
      total_fee: 1000,
      refund_fee: 250,
      refund_desc: '缺货',
    });
    expect(accepted).toMatchObject({
      out_refund_no: 'R20240101',
      refund_id: '50300000000000000000000001',
      refund_fee: 250,
      total_fee: 1000,
      attempts: 1,
    });
    const sent = server.requests[0].params;
    expect(sent).toMatchObject({
      out_trade_no: 'order-000001',
      out_refund_no: 'R20240101',
      total_fee: '1000',
      refund_fee: '250',
      refund_desc: '缺货',
    });
    expect(verify(sent, FAKE_MERCHANT.key).valid).toBe(true);
  });

  it('retries SYSTEMERROR with the same out_refund_no', async () => {
    const handler: FakeHandler = (params, index) =>
      index === 0
        ? refusal('SYSTEMERROR', '系统超时')
        : { fields: { out_refund_no: params.out_refund_no, refund_fee: '1' } };
    const server = await startFakeWeChat({ '/secapi/pay/refund': handler });
    const accepted = await refund(clientFor(server.url), {
      order: { transaction_id: '4200000000000000000000000001' },
      out_refund_no: 'R-retry-1',
      total_fee: 1,
      refund_fee: 1,
    });
    expect(accepted.out_refund_no).toBe('R-retry-1');
    expect(server.requests.map((r) => r.params.out_refund_no)).toEqual([
      'R-retry-1',
      'R-retry-1',
    ]);
    // The identical signed body: same nonce_str and sign on both attempts.
    expect(server.requests[0].params).toEqual(server.requests[1].params);
  });

  it('refuses a refund larger than the order, before sending', async () => {
    await expect(
      refund(clientFor('http://127.0.0.1:9'), {
        order: { out_trade_no: 'order-000001' },
        out_refund_no: 'R1',
        total_fee: 100,
        refund_fee: 101,
      }),
    ).rejects.toThrow(InputError);
  });
});

describe('refund query (core)', () => {
  it('follows offset until every refund of the order is read', async () => {
    const server = await startFakeWeChat({
      '/pay/refundquery': (params) => {
        const offset = Number(params.offset ?? 0);
        return { fields: page(23, offset, Math.min(offset + 10, 23)) };
      },
    });
    const result = await refundQuery(clientFor(server.url), {
      out_trade_no: 'order-000001',
    });
    expect(result.pages).toBe(3);
    expect(result.total_refund_count).toBe(23);
    expect(result.refunds).toHaveLength(23);
    expect(server.requests.map((r) => r.params.offset)).toEqual([
      undefined,
      '10',
      '20',
    ]);
    expect(result.refunds[22]).toMatchObject({
      out_refund_no: 'R0022',
      refund_status: 'SUCCESS',
      refund_status_meaning:
        'refunded: the money is on its way back to the payer',
    });
    expect(result.order.total_fee).toBe('10000');
  });

  it('stops when a server ignores offset', async () => {
    const server = await startFakeWeChat({
      '/pay/refundquery': () => ({ fields: page(23, 0, 10) }),
    });
    const result = await refundQuery(clientFor(server.url), {
      transaction_id: '4200000000000000000000000001',
    });
    expect(result.refunds).toHaveLength(10);
    expect(result.pages).toBe(2);
  });

  it('asks once when querying by a refund number', async () => {
    const server = await startFakeWeChat({
      '/pay/refundquery': () => ({ fields: page(1, 0, 1) }),
    });
    const result = await refundQuery(clientFor(server.url), {
      out_refund_no: 'R0000',
    });
    expect(result.pages).toBe(1);
    expect(server.requests[0].params.out_refund_no).toBe('R0000');
  });

  it('wants exactly one number', async () => {
    const client = clientFor('http://127.0.0.1:9');
    await expect(refundQuery(client, {})).rejects.toThrow(UsageError);
    await expect(
      refundQuery(client, { out_trade_no: 'a', refund_id: 'b' }),
    ).rejects.toThrow('Give one number, not out_trade_no and refund_id.');
  });

  it('groups coupon fields per refund and explains each status', () => {
    const refunds = refundsOf({
      out_refund_no_0: 'R1',
      refund_status_0: 'CHANGE',
      coupon_refund_id_0_1: 'C9',
      out_refund_no_1: 'R2',
      refund_status_1: 'REFUNDCLOSE',
      refund_count: '2',
    });
    expect(refunds[0]).toEqual({
      out_refund_no: 'R1',
      refund_status: 'CHANGE',
      coupon_refund_id_1: 'C9',
      refund_status_meaning:
        'abnormal: the money could not reach the payer (card cancelled or frozen); handle it by hand in the merchant platform',
    });
    expect(refunds[1].refund_status_meaning).toBe(
      'closed: the refund failed and will not be paid',
    );
  });
});
