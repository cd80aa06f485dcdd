import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { billStart } from '../../src/core/api/bill-body.js';
import { addDays, beijingToday } from '../../src/core/download/index.js';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { fakeProfileDir, startFakeWeChat } from '../refund/fake-wechat.js';

const B31 = readFileSync(fixturePath('cases', 'B31-bill-all.csv'));
const HTML =
  '<!DOCTYPE html><html><head><title>Portal</title></head><body>Please log in</body></html>';
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';
const xmlAnswer = (msg: string) =>
  `<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[${msg}]]></return_msg></xml>`;

function daysAgo(count: number): string {
  return addDays(beijingToday(new Date()), -count);
}

function setup(url: string, withCert = false) {
  const dir = fakeProfileDir(url, withCert);
  return { env: { WXPAY_CONFIG_DIR: dir }, out: join(dir, 'bills') };
}

/** A server on 127.0.0.1 whose answer the test writes by hand. */
async function startServer(
  answer: (response: ServerResponse) => void | Promise<void>,
): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => void answer(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('bill download: only a bill is saved as a bill', () => {
  it.each([
    ['an HTML page', HTML],
    ['an empty body', ''],
    ['gzip of an HTML page', gzipSync(HTML)],
    ['damaged gzip', Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5])],
    ['XML that is not an error answer', PROLOG + '<html><body/></html>'],
  ])(
    'refuses %s with exit 3, naming the URL, and keeps the earlier file',
    async (_what, body) => {
      const day = daysAgo(1);
      const server = await startFakeWeChat({
        '/pay/downloadbill': () => ({
          raw: body,
          headers: { 'content-type': 'text/html' },
        }),
      });
      const { env, out } = setup(server.url);
      mkdirSync(out, { recursive: true });
      const earlier = join(out, `bill-ALL-${day}.csv`);
      writeFileSync(earlier, B31);
      const result = await runCli(
        ['bill', 'download', '--date', day, '--out', out],
        { env },
      );
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        'The server answered something that is not a bill',
      );
      expect(result.stderr).toContain(`${server.url}/pay/downloadbill`);
      expect(result.stdout).toBe('');
      expect(readFileSync(earlier).equals(B31)).toBe(true);
      expect(readdirSync(out)).toEqual([`bill-ALL-${day}.csv`]);
    },
  );

  it('shows the start of a strange answer on one line, without control characters', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({
        raw: 'oops\u001b[2J\r\nforged line\u202e',
      }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', daysAgo(1), '--out', out],
      { env },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('starting "oops [2J forged line"');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u202e');
  });

  it.each([
    ['an <?xml?> prolog', PROLOG],
    ['a BOM and whitespace', '\uFEFF \r\n\t'],
    ['a BOM, whitespace and a prolog', `\uFEFF\n${PROLOG}\n`],
  ])(
    'reads an XML error answer after %s as WeChat’s refusal',
    async (_what, lead) => {
      const day = daysAgo(1);
      const server = await startFakeWeChat({
        '/pay/downloadbill': () => ({ raw: lead + xmlAnswer('Bill Creating') }),
      });
      const { env, out } = setup(server.url);
      const result = await runCli(
        ['bill', 'download', '--date', day, '--out', out],
        { env },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Bill Creating');
      expect(readdirSync(out)).toEqual([]);
    },
  );

  it('reads "No Bill Exist" after a prolog as an empty day', async () => {
    const day = daysAgo(2);
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: PROLOG + xmlAnswer('No Bill Exist') }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual([`bill-ALL-${day}.nobill`]);
  });

  it('saves a gzip bill whose content is a bill', async () => {
    const day = daysAgo(1);
    const gz = gzipSync(B31);
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: gz }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', day, '--gzip', '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, `bill-ALL-${day}.csv.gz`)).equals(gz)).toBe(
      true,
    );
  });

  it('tells the kinds of answer apart by their first bytes', () => {
    const kinds = [
      B31,
      Buffer.from('交易时间,公众账号ID\r\n'),
      Buffer.from('\uFEFF记账时间,微信支付业务单号\r\n'),
      gzipSync(B31),
      Buffer.from(`${PROLOG}${xmlAnswer('x')}`),
      Buffer.from(`\uFEFF  ${xmlAnswer('x')}`),
      Buffer.from(HTML),
      Buffer.from(' 交易时间'),
      Buffer.from(''),
    ].map(billStart);
    expect(kinds).toEqual([
      'bill',
      'bill',
      'bill',
      'gzip',
      'xml',
      'xml',
      'other',
      'other',
      'other',
    ]);
  });
});

describe('bill download streams the bill to the file', () => {
  it('saves an answer larger than 64 MiB whole, byte for byte', async () => {
    const day = daysAgo(1);
    const header = B31.subarray(0, B31.indexOf(0x0a) + 1);
    const row = Buffer.from(
      '`2024-01-01 00:00:00,`wx0123456789abcdef,`1900000109,`0,`,`4200000000000000000000000001,`20240101000000000001\r\n'.repeat(
        8192,
      ),
    );
    const rows = Math.ceil((65 * 1024 * 1024) / row.length);
    const summary = Buffer.from(
      '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00\r\n',
    );
    const expected = createHash('sha256').update(header);
    for (let i = 0; i < rows; i++) expected.update(row);
    expected.update(summary);
    const size = header.length + rows * row.length + summary.length;
    const url = await startServer(async (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(header);
      for (let i = 0; i < rows; i++) {
        if (!response.write(row)) {
          await new Promise((resolve) => response.once('drain', resolve));
        }
      }
      response.end(summary);
    });
    const { env, out } = setup(url);
    const result = await runCli(
      ['--json', 'bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const path = join(out, `bill-ALL-${day}.csv`);
    expect(statSync(path).size).toBe(size);
    const document = JSON.parse(result.stdout) as {
      days: { bytes: number; sha256: string }[];
    };
    expect(document.days[0]).toMatchObject({
      bytes: size,
      sha256: expected.digest('hex'),
    });
    expect(readdirSync(out)).toEqual([`bill-ALL-${day}.csv`]);
  });

  it('keeps the earlier file when a complete-looking answer has no summary (exit 3)', async () => {
    const day = daysAgo(1);
    const cut = Buffer.from('\ufeff交易时间,公众账号ID,商户号\r\n`2026');
    const url = await startServer(async (response) => {
      response.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': String(cut.length),
      });
      response.end(cut);
    });
    const { env, out } = setup(url);
    const path = join(out, `bill-ALL-${day}.csv`);
    mkdirSync(out, { recursive: true });
    writeFileSync(path, B31);
    const result = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('without its summary lines');
    expect(readFileSync(path)).toEqual(B31);
  });

  it('keeps the earlier file when the connection breaks mid-bill (exit 3)', async () => {
    const day = daysAgo(1);
    const url = await startServer((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(B31.subarray(0, 2000));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const { env, out } = setup(url);
    mkdirSync(out, { recursive: true });
    const earlier = join(out, `bill-ALL-${day}.csv`);
    writeFileSync(earlier, 'the bill saved before');
    const result = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(3);
    expect(readFileSync(earlier, 'utf8')).toBe('the bill saved before');
    expect(readdirSync(out)).toEqual([`bill-ALL-${day}.csv`]);
  });
});

describe('--timeout on downloads and refunds', () => {
  /** Answers after 2 s: the default 10 s waits, --timeout 200ms does not. */
  async function slowServer(): Promise<string> {
    return startServer((response) => {
      setTimeout(() => {
        if (!response.destroyed) response.end(B31);
      }, 2000);
    });
  }

  it.each([
    [['bill', 'download', '--date', daysAgo(1)], false],
    [['fundflow', 'download', '--date', daysAgo(1)], true],
    [
      [
        'refund',
        'create',
        '--out-trade-no',
        'T20240101000001',
        '--total-fee',
        '100',
        '--refund-fee',
        '100',
        '--out-refund-no',
        'R20240101000001',
        '--yes',
      ],
      true,
    ],
    [['refund', 'query', '--out-refund-no', 'R20240101000001'], false],
  ])('%j takes --timeout', async (args, cert) => {
    const url = await slowServer();
    const { env, out } = setup(url, cert);
    const extra = args[1] === 'download' ? ['--out', out] : [];
    const result = await runCli([...args, ...extra, '--timeout', '200ms'], {
      env,
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('timed out after 200 ms');
  });
});

describe('empty days and today', () => {
  it('records an empty day that reconcile --date reads as an empty bill', async () => {
    const day = daysAgo(1);
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: xmlAnswer('No Bill Exist') }),
    });
    const { env, out } = setup(server.url);
    const download = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(download.code).toBe(0);
    expect(download.stdout).toBe('');
    const marker = join(out, `bill-ALL-${day}.nobill`);
    expect(readdirSync(out)).toEqual([`bill-ALL-${day}.nobill`]);

    const orders = join(out, '..', 'orders.csv');
    writeFileSync(
      orders,
      'out_trade_no,amount,status\nA1,100,SUCCESS\nA2,5,NOTPAY\n',
    );
    const reconciled = await runCli(
      [
        'bill',
        'reconcile',
        '--date',
        day,
        '--dir',
        out,
        '--orders',
        orders,
        '--json',
      ],
      { env },
    );
    expect(reconciled.code, reconciled.stderr).toBe(1);
    const report = JSON.parse(reconciled.stdout) as {
      findings: { category: string; out_trade_no: string }[];
    };
    expect(report.findings.map((f) => [f.category, f.out_trade_no])).toEqual([
      ['missing_in_bill', 'A1'],
    ]);

    const parsed = await runCli(['bill', 'parse', marker, '--json'], { env });
    expect(parsed.code).toBe(0);
    expect(JSON.parse(parsed.stdout)).toMatchObject({
      no_bill: true,
      return_msg: 'No Bill Exist',
      rows: [],
    });
  });

  it('replaces the empty-day marker when the day later has a bill', async () => {
    const day = daysAgo(1);
    let answer: string | Buffer = xmlAnswer('No Bill Exist');
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: answer }),
    });
    const { env, out } = setup(server.url);
    await runCli(['bill', 'download', '--date', day, '--out', out], { env });
    answer = B31;
    const result = await runCli(
      ['bill', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual([`bill-ALL-${day}.csv`]);
  });

  it('writes a marker for an empty fund-flow day too', async () => {
    const day = daysAgo(3);
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({
        fields: {
          result_code: 'FAIL',
          err_code: 'NO_BILL_EXIST',
          err_code_des: 'No Bill Exist',
        },
      }),
    });
    const { env, out } = setup(server.url, true);
    const result = await runCli(
      ['fundflow', 'download', '--date', day, '--out', out],
      { env },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${day}: no fund-flow bill (No Bill Exist)`,
    );
    expect(readdirSync(out)).toEqual([`fundflow-Basic-${day}.nobill`]);
  });

  it('allows today against a simulator on a loopback base_url', async () => {
    const today = beijingToday(new Date());
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B31 }),
    });
    const { env, out } = setup(server.url);
    const result = await runCli(
      ['bill', 'download', '--date', today, '--out', out],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0].params.bill_date).toBe(today);
  });
});

describe('which base_url may ask for today', () => {
  it('is a loopback host only', async () => {
    const { isLocalUrl } =
      await import('../../src/cli/commands/download/days.js');
    expect(
      [
        'http://127.0.0.1:8080',
        'http://localhost:3000/',
        'http://[::1]:9000',
        'https://api.mch.weixin.qq.com',
        'http://10.0.0.5:8080',
        'not a url',
        undefined,
      ].map(isLocalUrl),
    ).toEqual([true, true, true, false, false, false, false]);
  });
});
