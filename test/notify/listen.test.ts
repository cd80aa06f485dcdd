import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  buildPaymentNotification,
  buildRefundNotification,
  NOTIFY_REPLY_CONTENT_TYPE,
  notifyReply,
  tamperedCopy,
} from '../../src/index.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import { caseText } from '../helpers/fixtures.js';
import { postCutOff } from '../helpers/raw-http.js';
import { reply, startHandler } from './handlers.js';
import { post, startListen } from './listen-helper.js';

const MERCHANT = {
  key: DEMO_PROFILE.key!,
  appid: DEMO_PROFILE.appid!,
  mchId: DEMO_PROFILE.mch_id!,
};
const SUCCESS = notifyReply('SUCCESS');

function payment(n: number, transactionId?: string) {
  return buildPaymentNotification({
    ...MERCHANT,
    outTradeNo: `ORDER${String(n).padStart(6, '0')}`,
    totalFee: 100 + n,
    openid: 'oTESTopenid0000000000000000A',
    transactionId,
  }).body;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- log records
function ndjsonLines(stdout: string): any[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('wxpay notify listen', () => {
  it('answers and counts every one of 200 concurrent posts', async () => {
    const listen = await startListen(['--mock', '--json']);
    // 150 distinct valid payments, 20 retries of earlier ones, 20 forged
    // copies and 10 unreadable bodies, all at once.
    const bodies: { body: string; expect: 'SUCCESS' | 'FAIL' }[] = [];
    const valid = Array.from({ length: 150 }, (_, n) => payment(n));
    for (const body of valid) bodies.push({ body, expect: 'SUCCESS' });
    for (let n = 0; n < 20; n += 1) {
      bodies.push({ body: valid[n * 7], expect: 'SUCCESS' });
      bodies.push({ body: tamperedCopy(valid[n]), expect: 'FAIL' });
    }
    for (let n = 0; n < 10; n += 1) {
      bodies.push({ body: `<xml><a>${n}</b></xml>`, expect: 'FAIL' });
    }
    const replies = await Promise.all(
      bodies.map(({ body }) => post(listen.url, body)),
    );
    expect(replies).toHaveLength(200);
    replies.forEach((answer, n) => {
      expect(answer.body).toContain(
        `<return_code><![CDATA[${bodies[n].expect}]]>`,
      );
      expect(answer.type).toBe(NOTIFY_REPLY_CONTENT_TYPE);
    });
    const result = await listen.stop();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      received: 200,
      valid: 170,
      invalid: 30,
      unreadable: 10,
      duplicates: 20,
      forwarded_ok: 0,
      forwarded_failed: 0,
    });
    // With --json the per-notification lines go to stderr: one each.
    const lines = result.stderr
      .split('\n')
      .filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
    expect(lines).toHaveLength(200);
    expect(
      lines.filter((line) => line.split('\t')[5] === 'duplicate'),
    ).toHaveLength(20);
    expect(result.stderr).toContain(
      'Received 200: 170 valid, 30 invalid (10 unreadable), 20 duplicates; forwarded ok 0, failed 0.',
    );
  });

  it('logs one tab-separated line per notification when piped', async () => {
    const listen = await startListen(['--mock']);
    const body = payment(1, '4200001234202401011234567890');
    expect((await post(listen.url, body)).body).toBe(SUCCESS);
    const refund = buildRefundNotification({
      ...MERCHANT,
      outTradeNo: 'ORDER000001',
      outRefundNo: 'R000001',
      totalFee: 101,
      refundFee: 50,
    }).body;
    expect((await post(listen.url, refund)).body).toBe(SUCCESS);
    expect(
      (await post(listen.url, caseText('B26-notify-no-sign.xml'))).body,
    ).toBe(notifyReply('FAIL', 'SIGNERROR'));
    const result = await listen.stop();
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t').slice(1));
    expect(lines).toEqual([
      ['payment', 'ORDER000001', '101', 'valid', '-', 'ok', 'SUCCESS', '-'],
      ['refund', 'R000001', '50', 'valid', '-', 'ok', 'SUCCESS', '-'],
      [
        'payment',
        '20240101000026',
        '100',
        'invalid',
        '-',
        'sign_missing',
        'FAIL',
        '-',
      ],
    ]);
  });

  it('flags a refund retried with the same out_refund_no as a duplicate', async () => {
    const listen = await startListen(['--mock', '--format', 'ndjson']);
    const refund = (nonce: string) =>
      buildRefundNotification({
        ...MERCHANT,
        outTradeNo: 'ORDER000002',
        outRefundNo: 'R000002',
        totalFee: 100,
        nonceStr: nonce,
      }).body;
    await post(listen.url, refund('a'));
    await post(listen.url, refund('b'));
    const result = await listen.stop();
    const records = ndjsonLines(result.stdout);
    expect(
      records.map((r) => [r.kind, r.out_refund_no, r.valid, r.duplicate]),
    ).toEqual([
      ['refund', 'R000002', true, false],
      ['refund', 'R000002', true, true],
    ]);
    expect(records[0]).toMatchObject({
      amount_fen: 100,
      reply: 'SUCCESS',
      http_status: 200,
    });
  });

  it('survives hostile, oversize and malformed bodies and keeps answering', async () => {
    const listen = await startListen(['--mock']);
    const xxe = await post(listen.url, caseText('B20-xxe-file.xml'));
    expect(xxe.status).toBe(400);
    expect(xxe.body).toBe(notifyReply('FAIL', 'INVALID_XML'));
    expect(
      (await post(listen.url, caseText('B20-xxe-oob-param.xml'))).status,
    ).toBe(400);
    expect(
      (await post(listen.url, caseText('B20-billion-laughs.xml'))).status,
    ).toBe(400);
    expect(
      (await post(listen.url, caseText('B20-oversize-2MB.xml'))).status,
    ).toBe(413);
    expect(
      (await post(listen.url, Buffer.from([0xff, 0xfe, 0x00]))).status,
    ).toBe(400);
    const get = await post(listen.url, '', 'GET');
    expect(get.status).toBe(405);
    expect((await post(listen.url, payment(3))).body).toBe(SUCCESS);
    const result = await listen.stop();
    expect(result.stdout).not.toMatch(/root:|daemon:/);
    expect(result.stderr).toContain(
      'Received 6: 1 valid, 5 invalid (5 unreadable), 0 duplicates',
    );
    const reasons = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t')[6]);
    expect(reasons).toEqual([
      'XML_DOCTYPE_REFUSED',
      'XML_DOCTYPE_REFUSED',
      'XML_DOCTYPE_REFUSED',
      'XML_TOO_LARGE',
      'XML_NOT_UTF8',
      'ok',
    ]);
  });

  it('tells a body cut off by its sender from an oversize one', async () => {
    const listen = await startListen(['--mock']);
    await postCutOff(listen.url, '/wxpay/notify');
    expect((await post(listen.url, payment(4))).body).toBe(SUCCESS);
    const result = await listen.stop();
    const reasons = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t')[6]);
    expect(reasons).toEqual(['BODY_INCOMPLETE', 'ok']);
    expect(result.stdout + result.stderr).not.toContain('over 131072');
  });

  it('relays the exact bytes to --forward-to and judges the handler’s reply', async () => {
    let answer: 'good' | 'http201' = 'good';
    const handler = await startHandler((_body, _req, res) =>
      answer === 'good'
        ? reply(res, 200, NOTIFY_REPLY_CONTENT_TYPE, SUCCESS)
        : reply(res, 201, 'text/xml', SUCCESS),
    );
    const listen = await startListen([
      '--mock',
      '--forward-to',
      handler.url,
      '--format',
      'ndjson',
    ]);
    const body = `  ${payment(4)}\n`;
    expect((await post(listen.url, body)).body).toBe(SUCCESS);
    expect(handler.bodies[0].toString('utf8')).toBe(body);
    // A handler that acknowledges a forged notification fails the check.
    expect((await post(listen.url, tamperedCopy(payment(5)))).body).toBe(
      notifyReply('FAIL', 'SIGNERROR'),
    );
    answer = 'http201';
    // WeChat would retry: the sender is told FAIL although the body is valid.
    expect((await post(listen.url, payment(6))).body).toBe(
      notifyReply('FAIL', 'HANDLER'),
    );
    const result = await listen.stop();
    const records = ndjsonLines(result.stdout);
    expect(
      records.map((r) => [r.valid, r.forward.acknowledged, r.forward.ok]),
    ).toEqual([
      [true, true, true],
      [false, true, false],
      [true, false, false],
    ]);
    expect(records[2].forward.problems[0]).toContain('HTTP 201');
    expect(result.stderr).toContain('forwarded ok 1, failed 2.');
  });

  it('reports a handler that does not answer in time', async () => {
    const handler = await startHandler(() => undefined);
    const listen = await startListen([
      '--mock',
      '--forward-to',
      handler.url,
      '--timeout',
      '200ms',
    ]);
    expect((await post(listen.url, payment(7))).body).toBe(
      notifyReply('FAIL', 'HANDLER'),
    );
    const result = await listen.stop();
    expect(result.stdout).toMatch(/\tFAIL\terror\n$/);
    expect(result.stderr).toContain('forwarded ok 0, failed 1.');
  });

  it('prints decorated lines on a terminal', async () => {
    const listen = await startListen(['--mock'], {
      tty: true,
      env: { FORCE_COLOR: '1' },
    });
    await post(stripVTControlCharacters(listen.url), payment(8));
    const result = await listen.stop();
    const line = stripVTControlCharacters(result.stdout);
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d {2}payment {2}ORDER000008 {2}¥1\.08 {2}✓ valid\n$/,
    );
    expect(result.stdout).not.toBe(line);
  });

  it('refuses a --forward-to that is not http(s), and a bad port', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const url = await runCli([
      'notify',
      'listen',
      '--mock',
      '--forward-to',
      'ftp://x/',
    ]);
    expect(url.code).toBe(2);
    const port = await runCli([
      'notify',
      'listen',
      '--mock',
      '--port',
      '99999',
    ]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port "99999" is not a port');
  });
});
