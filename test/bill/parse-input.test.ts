import { createReadStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  DiscrepancyError,
  InputError,
} from '../../src/core/errors.js';
import {
  describeFailures,
  readBill,
  summaryMismatchError,
  type ParsedBill,
} from '../../src/core/bill/index.js';
import { caseText, fixturePath } from '../helpers/fixtures.js';
import { billText } from './helpers.js';

const b31 = caseText('B31-bill-all.csv');

async function parsed(text: string | Buffer): Promise<ParsedBill> {
  const bill = await readBill(Buffer.from(text));
  if (bill.kind !== 'bill') throw new Error('expected a bill');
  return bill;
}

async function failure(text: string | Buffer): Promise<unknown> {
  return readBill(Buffer.from(text)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('bill parser: line ends, BOM, cells', () => {
  it('reads LF line ends, no BOM and no final newline like CRLF', async () => {
    const plain = b31
      .replace(/^\uFEFF/, '')
      .replace(/\r\n/g, '\n')
      .trimEnd();
    const a = await parsed(b31);
    const b = await parsed(plain);
    expect(b.rows).toEqual(a.rows);
    expect(b.summary).toEqual(a.summary);
    expect(b.checks.ok).toBe(true);
  });

  it('reads a file that mixes CRLF and LF lines', async () => {
    const lines = b31.split('\r\n');
    const mixed = `${lines.slice(0, 2).join('\n')}\r\n${lines.slice(2).join('\r\n')}`;
    expect((await parsed(mixed)).rows).toEqual((await parsed(b31)).rows);
  });

  it('keeps a comma inside 商品名称 in its cell', async () => {
    const text = b31.replace('测试商品A', '测试商品A,大号');
    const bill = await parsed(text);
    expect(bill.rows[0].body).toBe('测试商品A,大号');
    expect(bill.rows[0].attach).toBe('attach-a');
  });

  it('skips blank lines', async () => {
    const text = b31.replace('\r\n`2024-01-01 11', '\r\n\r\n`2024-01-01 11');
    expect((await parsed(text)).rows).toHaveLength(3);
  });
});

describe('bill parser: summary check', () => {
  it('reports each total that differs from the rows, with the difference', async () => {
    const text = b31.replace('`3,`0.30,`0.20', '`4,`0.31,`0.20');
    const bill = await parsed(text);
    expect(bill.checks.ok).toBe(false);
    const failed = bill.checks.checks.filter((c) => !c.ok);
    expect(failed).toEqual([
      {
        field: 'total_count',
        header: '总交易单数',
        unit: 'rows',
        summary: 4,
        rows: 3,
        difference: 1,
        ok: false,
      },
      {
        field: 'settlement_total_fee',
        header: '应结订单总金额',
        unit: 'fen',
        summary: 31,
        rows: 30,
        difference: 1,
        ok: false,
      },
    ]);
    const error = summaryMismatchError(bill.checks);
    expect(error).toBeInstanceOf(DiscrepancyError);
    expect(error.message).toContain(
      '应结订单总金额: summary 31, rows add up to 30 (difference 1 fen)',
    );
  });

  it('flags an official sample that shows 1 of its 12 rows', async () => {
    const bill = await readBill(
      createReadStream(fixturePath('bill', 'current-excerpt-all.csv')),
    );
    if (bill.kind !== 'bill') throw new Error('expected a bill');
    expect(bill.rows[0]).toMatchObject({
      out_trade_no: '2021WERUN1647840687637',
      transaction_id: '420000612032130748613220688',
      total_fee: 1,
      service_charge: 0,
      rate: '0.90%',
      rate_remark: '',
    });
    expect(describeFailures(bill.checks)).toEqual([
      '总交易单数: summary 12, rows add up to 1 (difference 11 rows)',
      '应结订单总金额: summary 6, rows add up to 1 (difference 5 fen)',
      '退款总金额: summary 6, rows add up to 0 (difference 6 fen)',
      '订单总金额: summary 6, rows add up to 1 (difference 5 fen)',
      '申请退款总金额: summary 6, rows add up to 0 (difference 6 fen)',
    ]);
  });

  it('reports a missing summary as a failed check (a cut-off bill)', async () => {
    const cut = b31.slice(0, b31.indexOf('总交易单数'));
    const bill = await parsed(cut);
    expect(bill.rows).toHaveLength(3);
    expect(bill.checks).toMatchObject({ ok: false, summary_present: false });
    expect(describeFailures(bill.checks)).toEqual([
      'The bill has no summary lines: it may be cut short.',
    ]);
  });

  it('sums negative 5-decimal fees exactly over many rows', async () => {
    const bill = await parsed(billText({ orders: 3000, refundEvery: 2 }));
    expect(bill.checks.ok).toBe(true);
    const fee = bill.checks.checks.find((c) => c.field === 'service_charge')!;
    expect(Number.isInteger(fee.rows)).toBe(true);
    expect(fee.rows).toBe(fee.summary);
  });
});

describe('bill parser: bad input is refused with the line', () => {
  it.each([
    [
      'a row with a cell too many',
      b31.replace('`attach-a,', '`attach-a,`x,'),
      'Line 2 has 28 cells; the header has 27.',
    ],
    [
      'a cut-off row',
      b31.replace(/,`0\.60%,`0\.10,`0\.00,`\r\n/, '\r\n'),
      'Line 2 has 23 cells; the header has 27.',
    ],
    [
      'an amount with 3 decimals',
      b31.replace('`0.10,`0.00,`0,', '`0.105,`0.00,`0,'),
      'Line 2, column 应结订单金额: "0.105" is not an amount',
    ],
    [
      'a float amount',
      b31.replace('`0.10,`0.00,`0,', '`1e-1,`0.00,`0,'),
      '"1e-1" is not an amount',
    ],
    [
      'lines after the summary',
      `${b31}\`1,\`2\r\n`,
      'Line 7 follows the summary',
    ],
    [
      'a summary header without totals',
      b31.slice(0, b31.lastIndexOf('`3,')),
      'has no totals line after it',
    ],
    ['an empty file', '', 'The bill is empty.'],
    [
      'a header that is not a trade bill',
      'a,b,c\r\n`1,`2,`3\r\n',
      'The first line is not a trade-bill header',
    ],
    [
      'a fund-flow bill',
      '记账时间,微信支付业务单号,资金流水单号\r\n',
      'This is a fund-flow bill',
    ],
  ])('%s', async (_name, text, message) => {
    const error = await failure(text);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
  });

  it('refuses a bill whose line breaks were lost (one huge line)', async () => {
    const oneLine = billText({ orders: 5000 }).replace(/\r\n/g, ' ');
    const error = await failure(oneLine);
    expect(error).toMatchObject({ code: 'LINE_TOO_LONG' });
  });

  it('refuses damaged gzip data', async () => {
    const gz = gzipSync(Buffer.from(b31));
    const error = await failure(gz.subarray(0, gz.length - 20));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'GZIP_CORRUPT' });
  });

  it('shows another XML answer verbatim as an API error, with a hint', async () => {
    const xml =
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[Bill Creating]]></return_msg></xml>';
    const error = await failure(xml);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      'WeChat answered FAIL instead of a bill: Bill Creating',
    );
    expect((error as ApiError).hint).toContain('10:00');
  });

  it('refuses hostile XML instead of expanding it', async () => {
    const xml =
      '<!DOCTYPE x [<!ENTITY a "b">]><xml><return_msg>&a;</return_msg></xml>';
    expect(await failure(`<?xml version="1.0"?>${xml}`)).toMatchObject({
      code: 'XML_DOCTYPE_REFUSED',
    });
  });
});
