import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  readBill,
  type BillFormat,
  type BillType,
  type ParsedBill,
} from '../../src/core/bill/index.js';
import { DETAIL_HEADERS } from '../../src/core/bill/headers.js';
import { fixturePath } from '../helpers/fixtures.js';
import { billText } from './helpers.js';

async function parsed(text: string | Buffer): Promise<ParsedBill> {
  const bill = await readBill(Buffer.from(text));
  if (bill.kind !== 'bill') throw new Error('expected a bill');
  return bill;
}

const variants: [BillFormat, BillType, number][] = [
  ['current', 'ALL', 27],
  ['current', 'SUCCESS', 20],
  ['current', 'REFUND', 29],
  ['legacy', 'ALL', 24],
  ['legacy', 'SUCCESS', 18],
  ['legacy', 'REFUND', 26],
];

/** 12 orders, every 3rd refunded: 12 payments and 4 refunds. */
const plan = { orders: 12, refundEvery: 3 };

describe('bill header variants (spec §5.1, §5.2)', () => {
  it.each(variants)(
    'reads the %s %s header (%i columns) by name and checks its summary',
    async (format, billType, columns) => {
      expect(DETAIL_HEADERS[format][billType].split(',')).toHaveLength(columns);
      const bill = await parsed(billText({ ...plan, format, billType }));
      expect(bill.layout).toMatchObject({
        format,
        bill_type: billType,
        notes: [],
      });
      expect(bill.layout.columns.every((c) => c.known)).toBe(true);
      const expectedRows = { ALL: 16, SUCCESS: 12, REFUND: 4 }[billType];
      expect(bill.rows).toHaveLength(expectedRows);
      expect(bill.checks.ok).toBe(true);
      expect(bill.checks.checks[0]).toMatchObject({
        field: 'total_count',
        summary: expectedRows,
        rows: expectedRows,
      });
    },
  );

  it('maps legacy names onto the current keys', async () => {
    const bill = await parsed(
      billText({ ...plan, format: 'legacy', billType: 'REFUND' }),
    );
    const refund = bill.rows[0];
    expect(refund).toMatchObject({
      out_trade_no: 'WX202401010000000002',
      trade_state: 'REFUND',
      sub_mch_id: '0',
      settlement_total_fee: 0,
      coupon_fee: 0,
      coupon_refund_fee: 0,
      refund_channel: 'ORIGINAL',
      refund_status: 'SUCCESS',
      out_refund_no: 'RWX202401010000000002',
    });
    expect(refund.refund_apply_time).toMatch(/^2024-01-01 /);
    expect(refund.settlement_refund_fee).toBeGreaterThan(0);
    // Legacy bills have neither 订单金额 nor 申请退款金额.
    expect(refund.total_fee).toBeUndefined();
    expect(refund.refund_fee).toBeUndefined();
    expect(Object.keys(bill.summary!).sort()).toEqual([
      'coupon_refund_fee',
      'service_charge',
      'settlement_refund_fee',
      'settlement_total_fee',
      'total_count',
    ]);
  });

  it('reads the 4-column SUCCESS summary', async () => {
    const bill = await parsed(billText({ ...plan, billType: 'SUCCESS' }));
    expect(Object.keys(bill.summary!).sort()).toEqual([
      'service_charge',
      'settlement_total_fee',
      'total_count',
      'total_fee',
    ]);
    expect(bill.checks.unchecked).toEqual([]);
  });

  it('reads a 7-column summary on a SUCCESS bill, leaving refund totals unchecked', async () => {
    const bill = await parsed(
      billText({ ...plan, billType: 'SUCCESS', summaryShape: 'seven' }),
    );
    expect(bill.checks.ok).toBe(true);
    expect(bill.checks.unchecked).toEqual([
      '退款总金额',
      '充值券退款总金额',
      '申请退款总金额',
    ]);
    expect(bill.checks.checks.map((c) => c.field)).toEqual([
      'total_count',
      'settlement_total_fee',
      'service_charge',
      'total_fee',
    ]);
  });

  it('reads the official legacy example verbatim (LF, no BOM, 0.0 and 0 amounts)', async () => {
    const bill = await readBill(
      createReadStream(fixturePath('bill', 'legacy-official-all.csv')),
    );
    if (bill.kind !== 'bill') throw new Error('expected a bill');
    expect(bill.layout).toMatchObject({ format: 'legacy', bill_type: 'ALL' });
    expect(bill.rows[0]).toMatchObject({
      trade_time: '2014-11-10 16:33:45',
      appid: 'wx2421b1c4370ec43b',
      mch_id: '10000100',
      device_info: '1000',
      transaction_id: '1001690740201411100005734289',
      out_trade_no: '1415640626',
      trade_type: 'MICROPAY',
      settlement_total_fee: 1,
      coupon_fee: 0,
      refund_id: '0',
      settlement_refund_fee: 0,
      body: '被扫支付测试',
      attach: '订单额外描述',
      service_charge: 0,
      rate: '0.60%',
    });
    expect(bill.summary).toEqual({
      total_count: 2,
      settlement_total_fee: 2,
      settlement_refund_fee: 0,
      coupon_refund_fee: 0,
      service_charge: 0,
    });
    expect(bill.checks.ok).toBe(true);
  });

  it('keeps unknown columns under extra and says so', async () => {
    const text = billText({ orders: 2, refundEvery: 0, noBom: true })
      .replace('费率备注\r\n', '费率备注,新列\r\n')
      .replace(/,`\r\n`/g, ',`,`x\r\n`')
      .replace(/,`\r\n总/, ',`,`x\r\n总');
    const bill = await parsed(text);
    expect(bill.layout.notes).toEqual([
      'Unknown columns kept under "extra": 新列.',
    ]);
    expect(bill.rows.map((r) => r.extra)).toEqual([
      { 新列: 'x' },
      { 新列: 'x' },
    ]);
  });
});
