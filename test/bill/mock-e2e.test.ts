import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays, beijingToday } from '../../src/core/download/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';

/**
 * The daily routine offline: orders paid and refunded in the simulator,
 * the day's bill downloaded, then parsed and reconciled by --date.
 */
describe('bill parse and reconcile against the simulator (--mock)', () => {
  it('reconciles a downloaded day with the merchant records', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const cli = async (...args: string[]) => {
      const result = await runCli(['--mock', ...args], { env });
      expect(result.code, result.stderr).toBeLessThan(2);
      return result;
    };
    for (const [no, amount] of [
      ['e2e-order-001', '1.21'],
      ['e2e-order-002', '1.22'],
      ['e2e-order-003', '1.23'],
    ]) {
      await cli(
        'order',
        'create',
        '--body',
        '测试,商品',
        '--amount',
        amount,
        '--out-trade-no',
        no,
        '--openid',
        'oTESTopenid0000000000000000A',
      );
    }
    await cli('mock', 'pay', 'e2e-order-001', '--no-notify');
    await cli('mock', 'pay', 'e2e-order-002', '--no-notify');
    await cli(
      'refund',
      'create',
      '--out-trade-no',
      'e2e-order-002',
      '--total',
      '1.22',
      '--refund',
      '0.50',
      '--out-refund-no',
      'R-e2e-2',
      '--yes',
    );
    const day = beijingToday(new Date());
    const bills = join(dir, 'bills');
    await cli('bill', 'download', '--date', day, '--out', bills);

    const parsed = await cli(
      'bill',
      'parse',
      join(bills, `bill-ALL-${day}.csv`),
      '--json',
    );
    const document = JSON.parse(parsed.stdout);
    expect(parsed.code).toBe(0);
    expect(document.checks.ok).toBe(true);
    expect(
      document.rows.map(
        (r: { out_trade_no: string; trade_state: string }) =>
          `${r.out_trade_no} ${r.trade_state}`,
      ),
    ).toEqual([
      'e2e-order-001 SUCCESS',
      'e2e-order-002 SUCCESS',
      'e2e-order-002 REFUND',
    ]);

    const orders = join(dir, 'orders.csv');
    writeFileSync(
      orders,
      [
        '订单号,金额,状态,已退款',
        'e2e-order-001,1.20,已支付,0',
        'e2e-order-002,1.22,已退款,0.50',
        'e2e-order-003,1.23,待支付,0',
        'e2e-order-004,9.99,已支付,0',
        '',
      ].join('\n'),
    );
    const reconciled = await runCli(
      [
        'bill',
        'reconcile',
        '--date',
        day,
        '--dir',
        bills,
        '--orders',
        orders,
        '--map',
        'out_trade_no=订单号,amount=金额,status=状态,refund=已退款',
        '--amount-unit',
        'yuan',
        '--status-map',
        '已支付=SUCCESS,已退款=REFUND,待支付=NOTPAY',
        '--json',
      ],
      { env },
    );
    expect(reconciled.code, reconciled.stderr).toBe(1);
    const report = JSON.parse(reconciled.stdout);
    expect(
      report.findings.map((f: { category: string; out_trade_no: string }) => [
        f.category,
        f.out_trade_no,
      ]),
    ).toEqual([
      ['amount_mismatch', 'e2e-order-001'],
      ['missing_in_bill', 'e2e-order-004'],
    ]);
    expect(report.findings[0]).toMatchObject({
      bill_amount: 121,
      order_amount: 120,
      difference: 1,
    });
  });

  it('runs the README daily script on an empty day: download, then reconcile --date', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const day = addDays(beijingToday(new Date()), -1);
    const bills = join(dir, 'bills');
    const download = await runCli(
      ['--mock', 'bill', 'download', '--date', day, '--out', bills],
      { env },
    );
    expect(download.code, download.stderr).toBe(0);
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'out_trade_no,amount,status\nA1,100,SUCCESS\n');
    const reconciled = await runCli(
      [
        '--mock',
        'bill',
        'reconcile',
        '--date',
        day,
        '--dir',
        bills,
        '--orders',
        orders,
        '--csv',
      ],
      { env },
    );
    expect(reconciled.code, reconciled.stderr).toBe(1);
    expect(reconciled.stdout.split('\n')[1]).toBe(
      'missing_in_bill,A1,,,,100,,2,',
    );
  });
});
