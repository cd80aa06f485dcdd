import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DISCREPANCY_CATEGORIES,
  openBill,
  openOrders,
  reconcile,
  RECONCILE_FIELDS,
  type DiscrepancyCategory,
  type Finding,
  type OrdersOptions,
} from '../../src/core/bill/index.js';
import type { GenerateOrdersOptions } from '../../src/core/bill/generate.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { caseText } from '../helpers/fixtures.js';
import { billText, ordersText } from './helpers.js';

/** One planted discrepancy per category, with different counts each. */
const inject: Partial<Record<DiscrepancyCategory, number>> = {
  missing_in_orders: 1,
  unpaid_in_orders: 2,
  missing_in_bill: 3,
  amount_mismatch: 4,
  refund_only_in_bill: 5,
  refund_only_in_orders: 6,
  refund_amount_mismatch: 7,
  duplicate_in_bill: 8,
  duplicate_in_orders: 9,
};

const zero = Object.fromEntries(DISCREPANCY_CATEGORIES.map((c) => [c, 0]));

async function run(
  bill: string | Buffer,
  orders: string | Buffer,
  options: OrdersOptions = {},
) {
  const findings: Finding[] = [];
  const report = await reconcile(
    await openBill(Buffer.from(bill), { select: RECONCILE_FIELDS }),
    await openOrders(Buffer.from(orders), options),
    (finding) => {
      findings.push(finding);
    },
  );
  return { report, findings };
}

describe('reconcile', () => {
  it('finds nothing when bill and orders agree', async () => {
    const plan = { orders: 300, refundEvery: 4 };
    const { report, findings } = await run(billText(plan), ordersText(plan));
    expect(findings).toEqual([]);
    expect(report).toMatchObject({
      clean: true,
      counts: zero,
      bill: { payments: 300, refunds: 75, no_bill: false, bill_type: 'ALL' },
      orders: { rows: 300, paid: 300 },
      notes: [],
    });
  });

  it('reports each planted discrepancy once, in its own category', async () => {
    const plan = { orders: 400, inject };
    const { report, findings } = await run(billText(plan), ordersText(plan));
    expect(report.counts).toEqual({ ...zero, ...inject });
    expect(report.clean).toBe(false);
    expect(findings).toHaveLength(45);
  });

  it('gives each finding its amounts, ids and line', async () => {
    const plan = {
      orders: 10,
      inject: { amount_mismatch: 1, missing_in_orders: 1 },
    };
    const { findings } = await run(billText(plan), ordersText(plan));
    const mismatch = findings.find((f) => f.category === 'amount_mismatch')!;
    expect(mismatch).toMatchObject({
      out_trade_no: 'WX202401010000000002',
      transaction_id: '4200001234202401000000000002',
      order_line: 4,
      difference: -1,
    });
    expect(mismatch.order_amount).toBe(mismatch.bill_amount! + 1);
    expect(
      findings.find((f) => f.category === 'missing_in_orders'),
    ).toMatchObject({
      out_trade_no: 'WX202401010000000007',
      transaction_id: '4200001234202401000000000007',
    });
  });

  it('reads NDJSON orders with a column map, yuan amounts and status words', async () => {
    const plan: GenerateOrdersOptions = {
      orders: 400,
      inject,
      as: 'ndjson',
      columns: {
        out_trade_no: 'order_no',
        amount: 'price',
        status: 'state',
        refund: 'refunded',
      },
      amountUnit: 'yuan',
      statusWords: { SUCCESS: '已支付', REFUND: 'refunded', NOTPAY: 'open' },
    };
    const { report } = await run(billText(plan), ordersText(plan), {
      map: {
        out_trade_no: 'order_no',
        amount: 'price',
        status: 'state',
        refund: 'refunded',
      },
      amountUnit: 'yuan',
      statusMap: { 已支付: 'SUCCESS', refunded: 'REFUND', open: 'NOTPAY' },
    });
    expect(report.counts).toEqual({ ...zero, ...inject });
    expect(report.orders.columns).toEqual({
      out_trade_no: 'order_no',
      amount: 'price',
      status: 'state',
      refund: 'refunded',
    });
  });

  it('reads a gzip bill and gzip orders', async () => {
    const plan = { orders: 200, inject: { amount_mismatch: 2 } };
    const { report } = await run(
      gzipSync(billText(plan)),
      gzipSync(ordersText(plan)),
    );
    expect(report.counts.amount_mismatch).toBe(2);
  });

  it('reports a bill that does not add up to its summary', async () => {
    const plan = { orders: 50, breakSummary: 7 };
    const { findings } = await run(billText(plan), ordersText(plan));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      category: 'bill_summary_mismatch',
      note: expect.stringContaining('(difference 7 fen)'),
    });
  });

  it('compares an empty day (No Bill Exist) with the paid orders', async () => {
    const plan = { orders: 5, refundEvery: 0 };
    const { report } = await run(caseText('B30-nobill.xml'), ordersText(plan));
    expect(report.bill.no_bill).toBe(true);
    expect(report.counts.missing_in_bill).toBe(5);
  });

  it('compares refunds only on a REFUND bill, payments only on a SUCCESS bill', async () => {
    const plan = {
      orders: 100,
      inject: { missing_in_bill: 2, refund_amount_mismatch: 3 },
    };
    const refund = await run(
      billText({ ...plan, billType: 'REFUND' }),
      ordersText(plan),
    );
    expect(refund.report.counts).toMatchObject({
      missing_in_bill: 0,
      refund_amount_mismatch: 3,
    });
    expect(refund.report.notes).toContain(
      'A REFUND bill has no payments: only refunds compared.',
    );
    const success = await run(
      billText({ ...plan, billType: 'SUCCESS' }),
      ordersText(plan),
    );
    expect(success.report.counts).toMatchObject({
      missing_in_bill: 2,
      refund_amount_mismatch: 0,
    });
    expect(success.report.notes).toContain(
      'A SUCCESS bill has no refunds: refunds not compared.',
    );
  });

  it('does not call a payment missing when the bill lists only its refund', async () => {
    const bill = caseText('B31-bill-all.csv');
    const orders =
      'out_trade_no,amount,status,refund\n000120240101,10,SUCCESS,0\n000220240101,50,REFUND,20\n000320240101,20,SUCCESS,0\n';
    const { findings } = await run(bill, orders);
    expect(findings).toEqual([]);
  });

  it('compares refunds by status when there is no refund column', async () => {
    const bill = caseText('B31-bill-all.csv');
    const orders =
      'out_trade_no,status\n000120240101,REFUND\n000220240101,SUCCESS\n000320240101,SUCCESS\n';
    const { findings, report } = await run(bill, orders);
    expect(findings.map((f) => [f.category, f.out_trade_no])).toEqual([
      ['refund_only_in_orders', '000120240101'],
      ['refund_only_in_bill', '000220240101'],
    ]);
    expect(report.notes).toContain(
      'The orders have no amount column: amounts not compared (--map amount=COLUMN).',
    );
  });

  it('keeps out_trade_no leading zeros and reads quoted multi-line CSV cells', async () => {
    const bill = caseText('B31-bill-all.csv');
    const orders =
      '\uFEFFnote,out_trade_no,amount\r\n"two\r\nlines, ""quoted""",000120240101,10\r\ny,000220240101,50\r\nx,000320240101,20\r\n';
    const { findings } = await run(bill, orders);
    expect(findings).toEqual([]);
  });

  it('reads NDJSON with a BOM and non-ASCII text in its first record', async () => {
    const orders =
      '\uFEFF{"out_trade_no":"000120240101","amount":10,"note":"café 测试"}\n' +
      '{"out_trade_no":"000220240101","amount":50}\n{"out_trade_no":"000320240101","amount":20}\n';
    const { findings, report } = await run(
      caseText('B31-bill-all.csv'),
      orders,
    );
    expect(report.orders.rows).toBe(3);
    expect(findings).toEqual([]);
  });

  it.each([
    [
      'an unknown status value',
      'out_trade_no,status\nA1,paid\n',
      {},
      UsageError,
      'order status "paid" is not a WeChat trade_state',
    ],
    [
      'a mapped column that is absent',
      'out_trade_no,amount\nA1,1\n',
      { map: { amount: 'price' } },
      UsageError,
      'no column "price"',
    ],
    [
      'no out_trade_no column',
      'order,amount\nA1,1\n',
      {},
      UsageError,
      'has no out_trade_no column',
    ],
    [
      'yuan amounts read as fen',
      'out_trade_no,amount\nA1,0.10\n',
      {},
      InputError,
      'amount "0.10" is not an amount in fen',
    ],
    [
      'a number too large for JSON',
      '{"out_trade_no":4200001234202401011000000001}\n',
      {},
      InputError,
      'too large to read exactly',
    ],
    [
      'broken JSON',
      '{"out_trade_no":"A1"}\n{"out_trade_no":\n',
      {},
      InputError,
      'Line 2 is not valid JSON.',
    ],
    [
      'an unclosed quote',
      'out_trade_no,note\nA1,"open\n',
      {},
      InputError,
      'opened on line 2 is never closed',
    ],
  ])('refuses %s', async (_name, orders, options, type, message) => {
    const error = await run(
      caseText('B31-bill-all.csv'),
      orders,
      options as OrdersOptions,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
  });

  it('hints at --amount-unit yuan when amounts look like yuan', async () => {
    const error = await run(
      caseText('B31-bill-all.csv'),
      'out_trade_no,amount\nA1,0.10\n',
    ).catch((e: unknown) => e);
    expect((error as InputError).hint).toBe(
      'The amounts look like yuan: add --amount-unit yuan.',
    );
  });
});
