import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import { addDays, beijingToday } from '../../src/core/download/index.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import {
  fakeProfileDir,
  startFakeWeChat,
  type FakeHandler,
} from '../refund/fake-wechat.js';

const B31 = readFileSync(fixturePath('cases', 'B31-bill-all.csv'));
const B33 = readFileSync(fixturePath('cases', 'B33-bill-all.csv.gz'));
const NO_BILL = readFileSync(fixturePath('cases', 'B30-nobill.xml'));
const NO_BILL_DOC = readFileSync(
  fixturePath('cases', 'B30-nobill-doc-spelling.xml'),
);

/** Days counted back from yesterday in Beijing (always downloadable). */
function daysAgo(count: number): string {
  return addDays(beijingToday(new Date()), -count);
}

function setup(url: string, withCert = false) {
  const dir = fakeProfileDir(url, withCert);
  return { env: { WXPAY_CONFIG_DIR: dir }, out: join(dir, 'bills') };
}

/** Answers each bill_date from a table; unknown days get "No Bill Exist". */
function byDay(table: Record<string, FakeHandler>): FakeHandler {
  return (params, index) =>
    (table[params.bill_date] ?? (() => ({ raw: NO_BILL })))(params, index);
}

describe('wxpay bill download', () => {
  it('saves the bill byte-exact and prints its path', async () => {
    const day = daysAgo(1);
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B31 }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    const path = join(out, `bill-ALL-${day}.csv`);
    expect(result.stdout).toBe(`${path}\n`);
    expect(readFileSync(path).equals(B31)).toBe(true);
    expect(server.requests[0].params).toMatchObject({
      bill_date: day,
      bill_type: 'ALL',
    });
  });

  it('keeps a gzip bill as the .gz bytes received (B33)', async () => {
    const day = daysAgo(2);
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B33 }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      [
        'bill',
        'download',
        '--date',
        day,
        '--gzip',
        '--type',
        'refund',
        '--out',
        out,
      ],
      { env },
    );
    expect(result.code).toBe(0);
    expect(server.requests[0].params).toMatchObject({
      tar_type: 'GZIP',
      bill_type: 'REFUND',
    });
    expect(
      readFileSync(join(out, `bill-REFUND-${day}.csv.gz`)).equals(B33),
    ).toBe(true);
  });

  it('records "No Bill Exist" days (any casing, B30) as empty days with a notice', async () => {
    const [d3, d2, d1] = [daysAgo(3), daysAgo(2), daysAgo(1)];
    const server = await startFakeWeChat({
      '/pay/downloadbill': byDay({
        [d3]: () => ({ raw: B31 }),
        [d2]: () => ({ raw: NO_BILL_DOC }),
        [d1]: () => ({ raw: NO_BILL }),
      }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--from', d3, '--to', d1, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(out, `bill-ALL-${d3}.csv`)}\n`);
    expect(result.stderr).toContain(`${d2}: no bill (NO Bill Exist)`);
    expect(result.stderr).toContain(`${d1}: no bill (No Bill Exist)`);
    expect(result.stderr).toContain('1 bill(s) saved, 2 day(s) without a bill');
    expect(result.stderr).toContain(
      `recorded as an empty day in bill-ALL-${d1}.nobill`,
    );
    expect(readdirSync(out).sort()).toEqual(
      [
        `bill-ALL-${d3}.csv`,
        `bill-ALL-${d2}.nobill`,
        `bill-ALL-${d1}.nobill`,
      ].sort(),
    );
  });

  it('gives one JSON document listing every day', async () => {
    const [d2, d1] = [daysAgo(2), daysAgo(1)];
    const server = await startFakeWeChat({
      '/pay/downloadbill': byDay({ [d2]: () => ({ raw: B31 }) }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['--json', 'bill', 'download', '--from', d2, '--to', d1, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as {
      bill_type: string;
      days: Record<string, unknown>[];
    };
    expect(document.bill_type).toBe('ALL');
    expect(document.days).toEqual([
      {
        bill_date: d2,
        status: 'saved',
        path: join(out, `bill-ALL-${d2}.csv`),
        bytes: B31.length,
        gzip: false,
        sha256:
          'f79fa98f4c35738f0170f465ec35819b73119707f506fa344d86038debef3baa',
      },
      {
        bill_date: d1,
        status: 'no_bill',
        message: 'No Bill Exist',
        path: join(out, `bill-ALL-${d1}.nobill`),
      },
    ]);
  });

  it('stops at a failing day without touching files saved before (atomic writes)', async () => {
    const [d3, d2, d1] = [daysAgo(3), daysAgo(2), daysAgo(1)];
    const server = await startFakeWeChat({
      '/pay/downloadbill': byDay({
        [d3]: () => ({ raw: B31 }),
        [d2]: () => ({ status: 502, raw: 'bad gateway' }),
        [d1]: () => ({ raw: B31 }),
      }),
    });
    const { env, out } = setup(server.url);
    mkdirSync(out, { recursive: true });
    const earlier = join(out, `bill-ALL-${d2}.csv`);
    writeFileSync(earlier, 'the bill saved by yesterday’s run');
    const result = await runCli(
      ['bill', 'download', '--from', d3, '--to', d1, '--out', out],
      { env },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${d2}: `);
    expect(result.stderr).toContain('The 1 day(s) before it are saved.');
    expect(readFileSync(earlier, 'utf8')).toBe(
      'the bill saved by yesterday’s run',
    );
    expect(readFileSync(join(out, `bill-ALL-${d3}.csv`)).equals(B31)).toBe(
      true,
    );
    expect(readdirSync(out).sort()).toEqual(
      [`bill-ALL-${d2}.csv`, `bill-ALL-${d3}.csv`].sort(),
    );
    expect(result.stdout).toBe(`${join(out, `bill-ALL-${d3}.csv`)}\n`);
  });

  it('still prints one JSON document when a day fails', async () => {
    const [d2, d1] = [daysAgo(2), daysAgo(1)];
    const server = await startFakeWeChat({
      '/pay/downloadbill': byDay({
        [d2]: () => ({ raw: B31 }),
        [d1]: () => ({ status: 503, raw: 'down' }),
      }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['--json', 'bill', 'download', '--from', d2, '--to', d1, '--out', out],
      { env },
    );
    expect(result.code).toBe(3);
    const document = JSON.parse(result.stdout) as {
      days: { bill_date: string; status: string }[];
      error: { code: string };
    };
    expect(document.days.map((d) => [d.bill_date, d.status])).toEqual([
      [d2, 'saved'],
    ]);
    expect(document.error.code).toBeTruthy();
  });

  it('stops after the current day on Ctrl-C, keeping what was saved (exit 130)', async () => {
    const [d3, d1] = [daysAgo(3), daysAgo(1)];
    const server = await startFakeWeChat({
      '/pay/downloadbill': (params) => {
        if (params.bill_date === d3) dispatchInterrupt();
        return { raw: B31 };
      },
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--from', d3, '--to', d1, '--out', out],
      { env },
    );
    expect(result.code).toBe(130);
    expect(server.requests).toHaveLength(1);
    expect(readdirSync(out)).toEqual([`bill-ALL-${d3}.csv`]);
    expect(result.stdout).toBe(`${join(out, `bill-ALL-${d3}.csv`)}\n`);
  });

  it('explains Bill Creating (exit 1)', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({
        raw: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[Bill Creating]]></return_msg></xml>',
      }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', daysAgo(1), '--out', out],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Bill Creating');
    expect(result.stderr).toContain('10:00');
  });

  it('refuses days WeChat no longer keeps, and impossible days, before any request (exit 2)', async () => {
    const server = await startFakeWeChat({});
    const { env, out } = setup(server.url);
    for (const date of [daysAgo(120), daysAgo(-1), '20240231']) {
      const result = await runCli(
        ['bill', 'download', '--date', date, '--out', out],
        { env },
      );
      expect(result.code, date).toBe(2);
    }
    const missing = await runCli(['bill', 'download'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing --date YYYYMMDD');
    expect(server.requests).toHaveLength(0);
  });

  it('draws a progress bar on a terminal for a range, never when piped', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B31 }),
    });
    const { env, out } = setup(server.url);
    const args = [
      'bill',
      'download',
      '--from',
      daysAgo(3),
      '--to',
      daysAgo(2),
      '--out',
      out,
    ];
    const tty = await runCli(args, { env, tty: true });
    expect(tty.stderr).toContain('2/2');
    expect(tty.stdout.trimEnd().split('\n')).toHaveLength(2);
    const piped = await runCli(args, { env });
    expect(piped.stderr).not.toContain('1/2');
  });
});

describe('wxpay fundflow download', () => {
  const FLOW = Buffer.from(
    '记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号\r\n' +
      '资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n`0,`0,`0.00,`0,`0.00\r\n',
  );

  it('signs with HMAC-SHA256, uses the certificate and saves the bill', async () => {
    const day = daysAgo(5);
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({ raw: FLOW }),
    });
    const { env, out } = setup(server.url, true);
    const result = await runCli(
      [
        'fundflow',
        'download',
        '--date',
        day,
        '--account-type',
        'operation',
        '--out',
        out,
      ],
      { env },
    );
    expect(result.code).toBe(0);
    expect(server.requests[0].params).toMatchObject({
      sign_type: 'HMAC-SHA256',
      account_type: 'Operation',
      bill_date: day,
    });
    const path = join(out, `fundflow-Operation-${day}.csv`);
    expect(result.stdout).toBe(`${path}\n`);
    expect(readFileSync(path).equals(FLOW)).toBe(true);
  });

  it('needs the certificate (exit 4)', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({ raw: FLOW }),
    });
    const { env, out } = setup(server.url, false);
    const result = await runCli(
      ['fundflow', 'download', '--date', daysAgo(5), '--out', out],
      { env },
    );
    expect(result.code).toBe(4);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts days back to 2017-06-01, older than trade bills', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({
        fields: {
          result_code: 'FAIL',
          err_code: 'NO_BILL_EXIST',
          err_code_des: 'no bill',
        },
      }),
    });
    const { env, out } = setup(server.url, true);
    const result = await runCli(
      ['fundflow', 'download', '--date', '20170601', '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      '20170601: no fund-flow bill (no bill): no money moved on the Basic account that day',
    );
    expect(result.stderr).not.toContain('(OK)');
  });
});
