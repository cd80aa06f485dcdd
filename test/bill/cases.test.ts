import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DETAIL_COLUMNS,
  openBill,
  readBill,
  SUMMARY_COLUMNS,
  type ParsedBill,
} from '../../src/core/bill/index.js';
import { caseJson, fixturePath } from '../helpers/fixtures.js';
import { byteByByte, units } from './helpers.js';

interface B31 {
  expected_rows: Record<string, string>[];
  expected_summary: Record<string, string>;
  expected_checks: {
    sum_of_应结订单金额_fen: number;
    sum_of_退款金额_fen: number;
    'sum_of_手续费_in_1e-5_yuan': number;
  };
}

const b31 = caseJson<B31>('B31-expected.json');
const casePath = (name: string) => fixturePath('cases', name);

/** The expected typed row: Chinese keys mapped, amounts as integers. */
function typed(raw: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [header, value] of Object.entries(raw)) {
    const def = DETAIL_COLUMNS[header];
    row[def.key] =
      def.kind === 'text' ? value : units(value, def.kind === 'fee' ? 5 : 2);
  }
  return row;
}

function typedSummary(raw: Record<string, string>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [header, value] of Object.entries(raw)) {
    const def = SUMMARY_COLUMNS[header];
    summary[def.key] =
      def.kind === 'text'
        ? Number(value)
        : units(value, def.kind === 'fee' ? 5 : 2);
  }
  return summary;
}

function expectB31(bill: ParsedBill) {
  expect(bill.layout).toMatchObject({ bill_type: 'ALL', format: 'current' });
  expect(bill.layout.columns[0].header).toBe('交易时间');
  expect(bill.rows).toEqual(b31.expected_rows.map(typed));
  expect(bill.rows[2].rate_remark).toBe('');
  expect(bill.summary).toEqual(typedSummary(b31.expected_summary));
  const sums = Object.fromEntries(
    bill.checks.checks.map((check) => [check.field, check]),
  );
  expect(bill.checks).toMatchObject({ ok: true, summary_present: true });
  expect(sums.total_count).toMatchObject({ summary: 3, rows: 3, ok: true });
  expect(sums.settlement_total_fee.rows).toBe(
    b31.expected_checks.sum_of_应结订单金额_fen,
  );
  expect(sums.settlement_refund_fee.rows).toBe(
    b31.expected_checks.sum_of_退款金额_fen,
  );
  expect(sums.service_charge).toMatchObject({
    rows: b31.expected_checks['sum_of_手续费_in_1e-5_yuan'],
    unit: '1e-5 yuan',
  });
}

describe('case B31: BOM, backticks, CRLF, summary and fee columns', () => {
  it('reads the rows and summary exactly, amounts as integers', async () => {
    const bill = await readBill(createReadStream(casePath('B31-bill-all.csv')));
    expect(bill.kind).toBe('bill');
    expectB31(bill as ParsedBill);
  });

  it('gives the same result when every byte arrives on its own', async () => {
    const bytes = readFileSync(casePath('B31-bill-all.csv'));
    const bill = await readBill(byteByByte(bytes));
    expectB31(bill as ParsedBill);
  });

  it('keeps ids and amounts exact in the fast reconcile mode', async () => {
    const bill = await openBill(
      createReadStream(casePath('B31-bill-all.csv')),
      { select: ['out_trade_no', 'transaction_id', 'trade_state'] },
    );
    if (bill.kind !== 'bill') throw new Error('expected a bill');
    const rows = [];
    for await (const batch of bill.batches()) rows.push(...batch);
    expect(
      rows.map((r) => [r.out_trade_no, r.transaction_id, r.refund_fee]),
    ).toEqual([
      ['000120240101', '4200001234202401011000000001', 0],
      ['000220240101', '4200001234202401011000000002', 20],
      ['000320240101', '4200001234202401011000000003', 0],
    ]);
    expect(rows[0].body).toBeUndefined();
    expect(bill.totals().checks.ok).toBe(true);
  });
});

describe('case B33: gzip bill', () => {
  it('detects gzip by its magic bytes and reads it exactly like B31', async () => {
    const expected = caseJson<{ uncompressed_sha256: string }>(
      'B33-expected.json',
    );
    const gz = readFileSync(casePath('B33-bill-all.csv.gz'));
    expect(gz.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(createHash('sha256').update(gunzipSync(gz)).digest('hex')).toBe(
      expected.uncompressed_sha256,
    );
    const bill = await readBill(
      createReadStream(casePath('B33-bill-all.csv.gz')),
    );
    expectB31(bill as ParsedBill);
  });

  it('reads gzip fed one byte at a time', async () => {
    const gz = readFileSync(casePath('B33-bill-all.csv.gz'));
    expectB31((await readBill(byteByByte(gz))) as ParsedBill);
  });
});

describe('case B30: XML answer instead of a bill', () => {
  it.each([
    ['B30-nobill.xml', 'No Bill Exist'],
    ['B30-nobill-doc-spelling.xml', 'NO Bill Exist'],
  ])('classifies %s as no bill, not a CSV error', async (name, message) => {
    const answer = await readBill(createReadStream(casePath(name)));
    expect(answer).toEqual({
      kind: 'no_bill',
      return_code: 'FAIL',
      return_msg: message,
      error_code: '20002',
    });
  });

  it('classifies any casing, behind a BOM, in the fast mode too', async () => {
    const body =
      '\uFEFF<xml><return_code>FAIL</return_code><return_msg>no BILL exist</return_msg></xml>';
    const answer = await openBill(Buffer.from(body), {
      select: ['out_trade_no'],
    });
    expect(answer).toMatchObject({
      kind: 'no_bill',
      return_msg: 'no BILL exist',
    });
  });
});
