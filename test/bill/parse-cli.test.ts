import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { caseText, fixturePath } from '../helpers/fixtures.js';
import { tempFile } from './helpers.js';

const b31 = fixturePath('cases', 'B31-bill-all.csv');
const b33 = fixturePath('cases', 'B33-bill-all.csv.gz');
const nobill = fixturePath('cases', 'B30-nobill.xml');

describe('wxpay bill parse', () => {
  it('streams NDJSON in a pipe by default: rows, then one summary line', async () => {
    const result = await runCli(['bill', 'parse', b31]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatchObject({
      out_trade_no: '000220240101',
      trade_state: 'REFUND',
      refund_fee: 20,
      service_charge: -120,
    });
    expect(lines[3]).toMatchObject({
      bill_type: 'ALL',
      format: 'current',
      row_count: 3,
      summary: { total_count: 3, settlement_total_fee: 30 },
      checks: { ok: true },
    });
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
    expect(result.stderr).toBe('');
  });

  it('leaves the summary line out with --rows-only', async () => {
    const result = await runCli([
      'bill',
      'parse',
      b31,
      '--format',
      'ndjson',
      '--rows-only',
    ]);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('prints one JSON document with --json and with --format json', async () => {
    for (const flags of [['--json'], ['--format', 'json']]) {
      const result = await runCli(['bill', 'parse', b33, ...flags]);
      expect(result.code).toBe(0);
      const document = JSON.parse(result.stdout);
      expect(document.rows).toHaveLength(3);
      expect(document).toMatchObject({
        bill_type: 'ALL',
        row_count: 3,
        summary: { service_charge: 60 },
        checks: { ok: true, summary_present: true },
      });
    }
  });

  it('writes normalised CSV: English keys, integer amounts', async () => {
    const text = caseText('B31-bill-all.csv').replace(
      '测试商品A',
      '测试"商品",A',
    );
    const result = await runCli([
      'bill',
      'parse',
      tempFile('b.csv', text),
      '--format',
      'csv',
    ]);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^trade_time,appid,mch_id,sub_mch_id,device_info,transaction_id,out_trade_no,/,
    );
    expect(lines[0]).toMatch(
      /,body,attach,service_charge,rate,total_fee,refund_fee,rate_remark$/,
    );
    expect(lines[1]).toBe(
      '2024-01-01 10:00:01,wx0123456789abcdef,1900000109,0,WEB,4200001234202401011000000001,000120240101,oTESTopenid0000000000000000A,JSAPI,SUCCESS,OTHERS,CNY,10,0,0,0,0,0,,,"测试""商品"",A",attach-a,60,0.60%,10,0,',
    );
  });

  it('reads stdin with -', async () => {
    const result = await runCli(
      ['bill', 'parse', '-', '--format', 'ndjson', '--rows-only'],
      {
        stdin: caseText('B31-bill-all.csv'),
      },
    );
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('shows a short readable view on a terminal', async () => {
    const result = await runCli(['bill', 'parse', b31], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ALL bill, current format\n3 rows (amounts in yuan)',
    );
    expect(result.stdout).toMatch(/000220240101 +REFUND +0\.00 +0\.20/);
    expect(result.stdout).toMatch(/service_charge +0\.00060 +0\.00060 +✓/);
    expect(stripVTControlCharacters(result.stdout)).toBe(result.stdout);
  });

  it('treats No Bill Exist as an empty day: exit 0 and a notice', async () => {
    const piped = await runCli(['bill', 'parse', nobill]);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual({
      no_bill: true,
      return_code: 'FAIL',
      return_msg: 'No Bill Exist',
      error_code: '20002',
    });
    expect(piped.stderr).toContain('No bill');
    const json = await runCli(['bill', 'parse', nobill, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ no_bill: true, rows: [] });
    const tty = await runCli(['bill', 'parse', nobill], { tty: true });
    expect(tty.stdout).toContain('No bill for that day (No Bill Exist)');
  });

  it('exits 1 with the difference when the summary does not match', async () => {
    const text = caseText('B31-bill-all.csv').replace(
      '`3,`0.30,`0.20',
      '`3,`0.29,`0.20',
    );
    const result = await runCli([
      'bill',
      'parse',
      tempFile('b.csv', text),
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).checks.ok).toBe(false);
    expect(result.stderr).toContain(
      '应结订单总金额: summary 29, rows add up to 30 (difference -1 fen)',
    );
  });

  it.each([
    [
      ['bill', 'parse', '/no/such/bill.csv'],
      'Cannot read FILE /no/such/bill.csv: no such file.',
    ],
    [
      ['bill', 'parse', b31, '--format', 'xml'],
      '--format xml is not one of json, ndjson, csv.',
    ],
    [
      ['bill', 'parse', b31, '--json', '--format', 'csv'],
      '--json and --format csv ask for two outputs',
    ],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 on a damaged bill, naming the line', async () => {
    const text = caseText('B31-bill-all.csv').replace(
      '`0.10,`0.00,`0,',
      '`0.1x,`0.00,`0,',
    );
    const result = await runCli(['bill', 'parse', tempFile('b.csv', text)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Line 2, column 应结订单金额: "0.1x" is not an amount',
    );
  });

  it('has examples in its help', async () => {
    const result = await runCli(['bill', 'parse', '--help']);
    expect(result.stdout).toContain('Examples:');
  });
});
