import { createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  buildTriggerPush,
  callPushHandler,
  decodeEncodingAesKey,
  describeNetworkCode,
  judgeForgedPush,
  judgeForgedVerification,
  judgeIncompleteAnswer,
  judgePushAnswer,
  judgeVerification,
  sampleMessage,
  type Judgement,
} from '../../src/core/kf/index.js';
import { runCli } from '../helpers/cli.js';
import { KF_AES, KF_APPID, KF_ENV as ENV, KF_TOKEN } from './helpers.js';

const ECHOSTR = '7391046285019283746';
const ROUNDED = String(Number(ECHOSTR));
const message = sampleMessage({
  kind: 'text',
  openid: 'oUser000000000000000000000001',
  toUserName: 'gh_0123456789ab',
  createTime: '1718000300',
  msgId: '7386519283746501300',
});
const secrets = {
  token: KF_TOKEN,
  aesKey: decodeEncodingAesKey(KF_AES),
  appid: KF_APPID,
};
const plainTransferXml =
  '<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oUser000000000000000000000001]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[news]]></MsgType></xml>';

/** Every judgement a wrong answer can produce, for the sentence checks. */
function allJudgements(): Judgement[] {
  const safeJson = { message, format: 'json' as const, safe: true };
  const event = sampleMessage({
    kind: 'enter',
    openid: 'oUser000000000000000000000001',
    toUserName: 'gh_0123456789ab',
    createTime: '1718000300',
  });
  return [
    judgeVerification(ECHOSTR, { status: 500, body: ECHOSTR }),
    judgeVerification(ECHOSTR, { status: 200, body: `${ECHOSTR}\n` }),
    judgeVerification(ECHOSTR, { status: 200, body: `"${ECHOSTR}"` }),
    judgeVerification(ECHOSTR, { status: 200, body: `{"e":"${ECHOSTR}"}` }),
    judgeVerification(ECHOSTR, { status: 200, body: ROUNDED }),
    judgeVerification(ECHOSTR, { status: 200, body: '' }),
    judgeVerification(ECHOSTR, {
      status: 200,
      body: 'nope',
      contentType: 'text/html',
    }),
    judgeForgedVerification(ECHOSTR, { status: 200, body: ECHOSTR }),
    judgeForgedPush({ status: 200, body: 'success' }),
    judgePushAnswer({ status: 502, body: '' }, safeJson, secrets),
    judgePushAnswer({ status: 200, body: ' success ' }, safeJson, secrets),
    judgePushAnswer({ status: 200, body: '<html/>' }, safeJson, secrets),
    judgePushAnswer({ status: 200, body: plainTransferXml }, safeJson, secrets),
    judgePushAnswer({ status: 200, body: '{"Encrypt":"AAAA"}' }, safeJson, {
      token: KF_TOKEN,
      appid: KF_APPID,
    }),
    judgePushAnswer(
      { status: 200, body: plainTransferXml },
      { message: event, format: 'xml', safe: false },
      secrets,
    ),
    ...(['timeout', 'too-large', 'closed'] as const).map((kind) =>
      judgeIncompleteAnswer(
        kind === 'too-large'
          ? { kind, status: 200, bytesRead: 2_000_000, elapsedMs: 1 }
          : { kind, bytesRead: 0, elapsedMs: 1 },
        { waitMs: 5000, maxAnswerBytes: 1024 * 1024 },
      ),
    ),
  ];
}

describe('judging a handler answer', () => {
  it('every problem and note is a whole sentence: a capital first, a full stop last, never "Your handler the …"', () => {
    const sentences = allJudgements().flatMap((j) => [
      ...j.problems,
      ...j.notes,
    ]);
    expect(sentences.length).toBeGreaterThan(20);
    for (const sentence of sentences) {
      expect(sentence).toMatch(/^[A-Z]/);
      expect(sentence).toMatch(/[.)]$/);
      expect(sentence).not.toMatch(/^Your handler (the|transfer)\b/);
    }
  });

  it('names the three echostr mistakes in proper sentences', () => {
    expect(
      judgeVerification(ECHOSTR, { status: 200, body: `"${ECHOSTR}"` })
        .problems,
    ).toEqual(['The echostr is quoted (res.json?); answer the bare text.']);
    expect(
      judgeVerification(ECHOSTR, { status: 200, body: ROUNDED }).problems,
    ).toEqual([
      `The echostr went through a number: ${ROUNDED} came back instead of 7391046285019283746; keep it a string.`,
    ]);
    expect(
      judgePushAnswer(
        { status: 200, body: plainTransferXml },
        { message, format: 'xml', safe: true },
        secrets,
      ).problems[0],
    ).toBe(
      'The reply is not encrypted; in safe mode every reply except success must be.',
    );
  });

  it('kf trigger prints each problem as its own sentence', async () => {
    const server = createServer((request, response) =>
      response.end(
        JSON.stringify(
          new URL(request.url ?? '', 'http://x').searchParams.get('echostr'),
        ),
      ),
    );
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    onTestFinished(
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const { port } = server.address() as AddressInfo;
    const result = await runCli(
      [
        'kf',
        'trigger',
        '--to',
        `http://127.0.0.1:${port}/`,
        '--type',
        'verify',
      ],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      '  - The echostr is quoted (res.json?); answer the bare text.\n',
    );
    expect(result.stderr).not.toMatch(/Your handler the/);
  });
});

describe('callPushHandler', () => {
  const url = new URL('http://handler.test/kf');
  const failing =
    (code: string): LookupFunction =>
    (_host, _options, callback) => {
      const error = Object.assign(new Error(code), { code });
      (callback as (error: Error) => void)(error);
    };

  it.each([
    ['ENOTFOUND', 'host name not found (DNS) (ENOTFOUND)'],
    ['EAI_AGAIN', 'host name lookup failed (DNS) (EAI_AGAIN)'],
    ['EHOSTUNREACH', 'no route to host (EHOSTUNREACH)'],
    ['ENETUNREACH', 'network unreachable (ENETUNREACH)'],
  ])('a %s failure is unreachable, named in words', async (code, words) => {
    const outcome = await callPushHandler(
      url,
      { method: 'GET' },
      { lookup: failing(code) },
    );
    expect(outcome).toMatchObject({ kind: 'unreachable', code });
    expect(describeNetworkCode(code)).toBe(words);
  });

  it('no connection within the wait is unreachable (ETIMEDOUT), not a timed-out answer', async () => {
    const never: LookupFunction = () => undefined;
    const outcome = await callPushHandler(
      url,
      { method: 'GET' },
      { lookup: never, waitMs: 50 },
    );
    expect(outcome).toMatchObject({ kind: 'unreachable', code: 'ETIMEDOUT' });
  });

  it('reads no further than the cap', async () => {
    const server = createServer((_request, response) => {
      response.end(Buffer.alloc(10_000, 0x61));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    onTestFinished(
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const { port } = server.address() as AddressInfo;
    const target = new URL(`http://127.0.0.1:${port}/`);
    const push = buildTriggerPush(message, {
      format: 'xml',
      safe: false,
      token: KF_TOKEN,
      appid: KF_APPID,
      timestamp: '1',
      nonce: '2',
    });
    expect(
      await callPushHandler(
        target,
        { method: 'POST', body: push.body },
        { maxAnswerBytes: 1000 },
      ),
    ).toMatchObject({ kind: 'too-large', status: 200 });
    expect(
      await callPushHandler(
        target,
        { method: 'POST', body: push.body },
        { maxAnswerBytes: 10_000 },
      ),
    ).toMatchObject({ kind: 'answered', status: 200 });
  });
});
