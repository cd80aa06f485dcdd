import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beijingToday } from '../../src/core/download/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';

/**
 * The simulator end to end: an order is created and paid, refunded without
 * any certificate, its refunds queried, and the day's bill downloaded.
 */
describe('refunds and bills against the simulator (--mock)', () => {
  it('orders, pays, refunds, queries and downloads offline', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const outTradeNo = 'mock-refund-000001';
    const created = await runCli(
      [
        '--mock',
        'order',
        'create',
        '--body',
        'wxpay test',
        '--amount',
        '10.00',
        '--out-trade-no',
        outTradeNo,
        '--openid',
        'oTESTopenid0000000000000000A',
      ],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const paid = await runCli(
      ['--mock', 'mock', 'pay', outTradeNo, '--no-notify'],
      {
        env,
      },
    );
    expect(paid.code, paid.stderr).toBe(0);

    for (const [refund, no, fen] of [
      ['2.50', 'R-mock-1', '250'],
      ['1.00', 'R-mock-2', '100'],
    ]) {
      const refunded = await runCli(
        [
          '--mock',
          '--json',
          'refund',
          'create',
          '--out-trade-no',
          outTradeNo,
          '--total',
          '10.00',
          '--refund',
          refund,
          '--out-refund-no',
          no,
          '--yes',
        ],
        { env },
      );
      expect(refunded.code, refunded.stderr).toBe(0);
      const doc = JSON.parse(refunded.stdout);
      expect(doc.out_refund_no).toBe(no);
      // WeChat's own fields stay strings; amounts adds fen and yuan, as in
      // order create and query.
      expect(doc.refund_fee).toBe(fen);
      expect(doc.amounts.refund_fee).toEqual({
        fen: Number(doc.refund_fee),
        yuan: refund,
      });
    }

    const queried = await runCli(
      ['--mock', '--json', 'refund', 'query', '--out-trade-no', outTradeNo],
      { env },
    );
    expect(queried.code, queried.stderr).toBe(0);
    const document = JSON.parse(queried.stdout) as {
      total_refund_count: string;
      refunds: { out_refund_no: string; refund_fee: string }[];
    };
    expect(document.total_refund_count).toBe('2');
    expect(
      document.refunds.map((r) => [r.out_refund_no, r.refund_fee]).sort(),
    ).toEqual([
      ['R-mock-1', '250'],
      ['R-mock-2', '100'],
    ]);

    const out = join(dir, 'bills');
    const today = beijingToday(new Date());
    const downloaded = await runCli(
      ['--mock', 'bill', 'download', '--date', today, '--out', out],
      { env },
    );
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(readdirSync(out)).toEqual([`bill-ALL-${today}.csv`]);
    const bill = readFileSync(join(out, `bill-ALL-${today}.csv`), 'utf8');
    expect(bill).toContain(outTradeNo);
    expect(bill).toContain('R-mock-1');
  });

  it('passes doctor --online against the simulator', async () => {
    const result = await runCli(['--mock', '--json', 'doctor', '--online']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as {
      findings: { id: string; level: string; message: string }[];
    };
    const online = document.findings.find((f) => f.id === 'online');
    expect(online?.level).toBe('ok');
    expect(online?.message).toContain('ORDERNOTEXIST');
  });

  it('refuses a refund without --yes in a script, even in mock mode', async () => {
    const result = await runCli([
      '--mock',
      'refund',
      'create',
      '--out-trade-no',
      'mock-refund-000001',
      '--total',
      '1',
      '--refund',
      '1',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
  });
});
