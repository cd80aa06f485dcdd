import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBill } from '../../src/core/bill/index.js';
import { InputError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';
import { caseText } from '../helpers/fixtures.js';
import { billText, tempDir, tempFile } from './helpers.js';

const b31 = caseText('B31-bill-all.csv');
/** B31 with its second data row's amount made unreadable. */
const badRow3 = (() => {
  const lines = b31.split('\r\n');
  lines[2] = lines[2].replace(/`0\.\d\d,/, '`0.1x,');
  return lines.join('\r\n');
})();
/** A bill of many rows whose row near the end is unreadable. */
const badLateRow = (() => {
  const lines = billText({ orders: 3000 }).split('\r\n');
  const at = lines.length - 5;
  lines[at] = lines[at].replace(/`\d+\.\d\d,/, '`0.1x,');
  return lines.join('\r\n');
})();
/** B31 cut after its summary header: the totals line is missing. */
const noTotals = b31.slice(0, b31.lastIndexOf('`3,'));

describe('bill parse: output stays well formed when the bill is bad part way', () => {
  it.each([
    ['a bad row', badLateRow, 'BILL_AMOUNT_INVALID'],
    ['a summary header without totals', noTotals, 'BILL_SUMMARY_SHAPE'],
  ])(
    '--json closes the document with an error member (%s, exit 2)',
    async (_name, text, code) => {
      const file = tempFile('bill.csv', text);
      for (const args of [['--json'], ['--format', 'json']]) {
        const result = await runCli(['bill', 'parse', file, ...args]);
        expect(result.code).toBe(2);
        const document = JSON.parse(result.stdout) as {
          rows: unknown[];
          error: { code: string; message: string };
        };
        expect(document.error.code).toBe(code);
        expect(document.error.message).toBe(
          result.stderr.split('\n')[0].replace(/^error: /, ''),
        );
        expect(document.rows.length).toBeGreaterThan(0);
      }
    },
  );

  it('--format ndjson ends with one {"error":…} line, even with --rows-only', async () => {
    const file = tempFile('bill.csv', badRow3);
    for (const extra of [[], ['--rows-only']]) {
      const result = await runCli([
        'bill',
        'parse',
        file,
        '--format',
        'ndjson',
        ...extra,
      ]);
      expect(result.code).toBe(2);
      const lines = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toEqual({
        error: {
          code: 'BILL_AMOUNT_INVALID',
          message: expect.stringContaining('Line 3, column'),
        },
      });
      expect(lines.slice(0, -1).every((line) => 'out_trade_no' in line)).toBe(
        true,
      );
    }
  });

  it('--format csv stops at the error: the rows before it, nothing after', async () => {
    const file = tempFile('bill.csv', badRow3);
    const result = await runCli(['bill', 'parse', file, '--format', 'csv']);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('error');
    expect(result.stderr).toContain('Line 3, column');
  });
});

describe('bill parse: odd line ends and trailing lines', () => {
  it('ignores a line of spaces and tabs after the summary', async () => {
    const bill = await readBill(Buffer.from(`${b31} \t \r\n\t\r\n`));
    expect(bill.kind).toBe('bill');
    if (bill.kind !== 'bill') return;
    expect(bill.row_count).toBe(3);
    expect(bill.checks.ok).toBe(true);
  });

  it.each([
    ['a small file', b31],
    ['a file over the line limit', billText({ orders: 8000 })],
  ])('says so when %s has CR-only line ends', async (_name, text) => {
    const cr = Buffer.from(text.replace(/\r\n/g, '\r'));
    const error = await readBill(cr).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'LINE_ENDS_CR_ONLY' });
    expect((error as Error).message).toMatch(
      /^The (bill|file)'s line endings are CR only \(no LF\), so it cannot be read line by line\.$/,
    );
  });
});

describe('bill reconcile: orders files it cannot read exactly', () => {
  function run(orders: string | Buffer, extra: string[] = []) {
    const dir = tempDir();
    const bill = tempFile('bill.csv', b31);
    const path = join(dir, 'orders.csv');
    writeFileSync(path, orders);
    return runCli([
      'bill',
      'reconcile',
      '--bill',
      bill,
      '--orders',
      path,
      ...extra,
    ]);
  }

  it.each([
    [
      'one cell',
      'out_trade_no,amount,status,refund\nA\n',
      'Line 2 has 1 cell; the header has 4.',
    ],
    [
      'three cells',
      'out_trade_no,amount,status,refund\nA,1,SUCCESS,0\nB,2,SUCCESS\n',
      'Line 3 has 3 cells; the header has 4.',
    ],
    [
      'five cells',
      'out_trade_no,amount,status,refund\nA,1,SUCCESS,0,x\n',
      'Line 2 has 5 cells; the header has 4.',
    ],
  ])('refuses a CSV row with %s (exit 2)', async (_name, orders, message) => {
    const result = await run(orders);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('refuses a --status-map to a state WeChat does not have (exit 2)', async () => {
    const result = await run('out_trade_no,status\nA,paid\n', [
      '--status-map',
      'paid=BOGUS',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--status-map paid=BOGUS: "BOGUS" is not a WeChat trade_state; use one of SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR, ACCEPT.',
    );
  });

  it.each([
    ['{"out_trade_no":{"id":"A"},"amount":1}', 'out_trade_no is a JSON object'],
    ['{"out_trade_no":"A","amount":[1]}', 'amount is a JSON array'],
    ['{"out_trade_no":"A","status":{"s":1}}', 'status is a JSON object'],
  ])('refuses the NDJSON order %s (exit 2)', async (line, message) => {
    const result = await run(`${line}\n`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Line 1: ${message}`);
  });

  it.each([
    [
      'GBK',
      Buffer.from([
        // 订单号,金额 in GBK
        0xb6, 0xa9, 0xb5, 0xa5, 0xba, 0xc5, 0x2c, 0xbd, 0xf0, 0xb6, 0xee, 0x0a,
        0x41, 0x2c, 0x31, 0x0a,
      ]),
      'GBK or another encoding',
    ],
    [
      'UTF-16',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('out_trade_no,amount\nA,1\n', 'utf16le'),
      ]),
      'UTF-16',
    ],
  ])(
    'says a %s orders file is not UTF-8 (exit 2)',
    async (_name, bytes, found) => {
      const result = await run(bytes);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `The orders file is not UTF-8 (line 1 looks like ${found}).`,
      );
      expect(result.stderr).toContain('iconv');
    },
  );
});
