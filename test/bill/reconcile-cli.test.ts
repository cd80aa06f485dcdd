import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DiscrepancyCategory } from '../../src/core/bill/index.js';
import { runCli } from '../helpers/cli.js';
import { billText, ordersText, tempDir, tempFile } from './helpers.js';

const inject: Partial<Record<DiscrepancyCategory, number>> = {
  missing_in_orders: 1,
  unpaid_in_orders: 1,
  missing_in_bill: 1,
  amount_mismatch: 1,
  refund_only_in_bill: 1,
  refund_only_in_orders: 1,
  refund_amount_mismatch: 1,
  duplicate_in_bill: 1,
  duplicate_in_orders: 1,
};

function files(plan = { orders: 60, inject }) {
  const dir = tempDir();
  const bill = join(dir, 'bill.csv');
  const orders = join(dir, 'orders.csv');
  writeFileSync(bill, billText(plan));
  writeFileSync(orders, ordersText(plan));
  return { dir, bill, orders };
}

/** Runs `bill reconcile --bill B --orders O` with extra flags. */
function reconcileCli(
  paths: { bill: string; orders: string },
  extra: string[] = [],
  options: Parameters<typeof runCli>[1] = {},
) {
  return runCli(
    [
      'bill',
      'reconcile',
      '--bill',
      paths.bill,
      '--orders',
      paths.orders,
      ...extra,
    ],
    options,
  );
}

describe('wxpay bill reconcile', () => {
  it('exits 0 and says so when everything matches', async () => {
    const paths = files({ orders: 40, inject: {} });
    const result = await reconcileCli(paths);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('No discrepancies.');
  });

  it('prints tab-separated findings in a pipe and exits 1', async () => {
    const paths = files();
    const result = await reconcileCli(paths);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    const mismatch = lines
      .find((l) => l.startsWith('amount_mismatch\t'))!
      .split('\t');
    expect(mismatch).toHaveLength(9);
    expect(mismatch[6]).toBe('-1');
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
    expect(result.stderr).toContain(
      'Discrepancies: missing_in_orders 1, unpaid_in_orders 1,',
    );
  });

  it('prints CSV with a header for --csv', async () => {
    const paths = files();
    const result = await reconcileCli(paths, ['--csv']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'category,out_trade_no,transaction_id,out_refund_no,bill_amount,order_amount,difference,order_line,note',
    );
    expect(lines).toHaveLength(10);
    expect(result.code).toBe(1);
  });

  it('prints one JSON document for --json, with every finding and the counts', async () => {
    const paths = files();
    const result = await reconcileCli(paths, ['--json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.findings).toHaveLength(9);
    expect(document.clean).toBe(false);
    expect(document.counts).toMatchObject(inject);
    expect(document.bill).toMatchObject({ bill_type: 'ALL', no_bill: false });
  });

  it('prints a clean --json document with an empty findings list', async () => {
    const paths = files({ orders: 10, inject: {} });
    const result = await reconcileCli(paths, ['--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      findings: [],
      clean: true,
    });
  });

  it('shows counts and the first findings per category on a terminal', async () => {
    const paths = files({
      orders: 60,
      inject: { amount_mismatch: 3, missing_in_bill: 1 },
    });
    const result = await reconcileCli(paths, ['--limit', '2'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^ALL bill: 59 payments \(\d+\.\d\d yuan\), \d+ refunds/,
    );
    expect(result.stdout).toMatch(/amount_mismatch +3 +paid amount differs/);
    expect(result.stdout).toContain('… 1 more (--csv or --json lists all)');
    expect(result.stdout).toContain('missing_in_bill (1)');
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
  });

  it('finds the bill that bill download saved for --date', async () => {
    const { dir, orders } = files({
      orders: 20,
      inject: { amount_mismatch: 1 },
    });
    writeFileSync(
      join(dir, 'bill-ALL-20240101.csv.gz'),
      gzipSync(billText({ orders: 20, inject: { amount_mismatch: 1 } })),
    );
    const result = await runCli([
      'bill',
      'reconcile',
      '--date',
      '20240101',
      '--dir',
      dir,
      '--orders',
      orders,
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).counts.amount_mismatch).toBe(1);
  });

  it('reads the orders from stdin', async () => {
    const { bill } = files({ orders: 10, inject: {} });
    const result = await runCli(
      ['bill', 'reconcile', '--bill', bill, '--orders', '-'],
      {
        stdin: ordersText({ orders: 10 }),
      },
    );
    expect(result.code).toBe(0);
  });

  it.each([
    [[], 'Give your orders with --orders FILE'],
    [['--orders', 'o.csv'], 'Give --bill FILE or --date YYYYMMDD'],
    [
      ['--orders', 'o.csv', '--bill', 'b.csv', '--date', '20240101'],
      '--bill and --date both name a bill',
    ],
    [
      ['--orders', 'o.csv', '--date', '20240101', '--dir', '/nonexistent'],
      'No downloaded bill for 20240101 in /nonexistent',
    ],
    [
      ['--orders', 'o.csv', '--bill', '/no/bill.csv'],
      'Cannot read --bill /no/bill.csv: no such file.',
    ],
    [
      ['--orders', 'o.csv', '--bill', 'b.csv', '--map', 'price'],
      '--map: "price" is not name=value.',
    ],
    [
      ['--orders', 'o.csv', '--bill', 'b.csv', '--map', 'price=amount'],
      '--map price=…: price is not an order field.',
    ],
    [
      ['--orders', 'o.csv', '--bill', 'b.csv', '--amount-unit', 'cents'],
      '--amount-unit cents: use fen or yuan.',
    ],
    [
      ['--orders', 'o.csv', '--bill', 'b.csv', '--csv', '--json'],
      '--json and --csv ask for two outputs',
    ],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const result = await runCli(['bill', 'reconcile', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 when an order status is unknown, naming the fix', async () => {
    const { bill } = files({ orders: 5, inject: {} });
    const orders = tempFile(
      'o.csv',
      'out_trade_no,status\nWX202401010000000000,paid\n',
    );
    const result = await reconcileCli({ bill, orders });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'hint: Map your values, e.g. --status-map paid=SUCCESS',
    );
  });

  it('has examples in its help', async () => {
    const result = await runCli(['bill', 'reconcile', '--help']);
    expect(result.stdout).toContain('Examples:');
  });
});
