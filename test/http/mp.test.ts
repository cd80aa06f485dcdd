import { describe, expect, it } from 'vitest';
import { caseJson } from '../helpers/fixtures.js';
import { InputError } from '../../src/core/errors.js';
import { WeChatApiError } from '../../src/core/http/errors.js';
import { APP_SECRET, APPID, MP, makeClient, mockAgent } from './support.js';

interface MpCase {
  request: { query: Record<string, string> };
  response_body: string;
  response_headers: Record<string, string>;
  expected: { errcode: number; class: string; retry_same_code: boolean };
  bad_input?: { js_code: string };
}

const B35 = caseJson<MpCase>('B35-jscode2session-40163.json');
const B36 = caseJson<MpCase>('B36-jscode2session-40029.json');

describe('PayClient.jscode2session', () => {
  it('GETs /sns/jscode2session with appid, secret, js_code and grant_type', async () => {
    const agent = mockAgent();
    let query: URLSearchParams | undefined;
    agent
      .get(MP)
      .intercept({
        path: (p) => p.startsWith('/sns/jscode2session?'),
        method: 'GET',
      })
      .reply(
        200,
        (opts) => {
          query = new URL(opts.path, MP).searchParams;
          return JSON.stringify({
            openid: 'oUser1',
            session_key: 'sk==',
            unionid: 'uUnion1',
          });
        },
        { headers: { 'content-type': 'application/json' } },
      );
    const { client } = makeClient({ dispatcher: agent });
    const session = await client.jscode2session(
      '0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P',
    );
    expect(session).toEqual({
      openid: 'oUser1',
      session_key: 'sk==',
      unionid: 'uUnion1',
    });
    expect(Object.fromEntries(query!)).toEqual({
      appid: APPID,
      secret: APP_SECRET,
      js_code: '0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P',
      grant_type: 'authorization_code',
    });
  });

  it.each([
    ['B35', B35],
    ['B36', B36],
  ])(
    '%s: reads a text/plain errcode answer into its class, and sends the code once',
    async (_id, c) => {
      const agent = mockAgent();
      let calls = 0;
      agent
        .get(MP)
        .intercept({
          path: (p) => p.startsWith('/sns/jscode2session?'),
          method: 'GET',
        })
        .reply(
          200,
          () => {
            calls += 1;
            return c.response_body;
          },
          { headers: c.response_headers },
        )
        .persist();
      const { client, sleeps } = makeClient({ dispatcher: agent, retries: 5 });
      const error = await client
        .jscode2session(c.request.query.js_code)
        .catch((e) => e);
      expect(error).toBeInstanceOf(WeChatApiError);
      expect(error.errCode).toBe(String(c.expected.errcode));
      expect(error.errorClass).toBe(c.expected.class);
      expect(error.details).toMatchObject({
        class: c.expected.class,
        retryable: false,
      });
      expect(calls).toBe(1);
      expect(sleeps).toEqual([]);
    },
  );

  it('B36: refuses a js_code that is a JSON string before sending anything', async () => {
    const agent = mockAgent();
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .jscode2session(B36.bad_input!.js_code)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('JS_CODE_INVALID');
  });

  it.each(['', 'a b', 'code"', '{x}', 'a&secret=x'])(
    'refuses the js_code %j',
    async (code) => {
      const { client } = makeClient({ dispatcher: mockAgent() });
      await expect(client.jscode2session(code)).rejects.toMatchObject({
        code: 'JS_CODE_INVALID',
      });
    },
  );

  it('needs the AppSecret', async () => {
    const { client } = makeClient({
      dispatcher: mockAgent(),
      appSecret: undefined,
    });
    await expect(client.jscode2session('abc')).rejects.toMatchObject({
      code: 'APP_SECRET_MISSING',
    });
  });

  it('does not retry after a timeout-like failure, since the code may be spent', async () => {
    const agent = mockAgent();
    agent
      .get(MP)
      .intercept({
        path: (p) => p.startsWith('/sns/jscode2session?'),
        method: 'GET',
      })
      .replyWithError(
        Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      );
    const { client } = makeClient({ dispatcher: agent });
    const error = await client.jscode2session('abc123').catch((e) => e);
    expect(error).toMatchObject({ attempts: 1 });
    expect(error.hint).toContain('fresh one from wx.login()');
    expect(error.message).not.toContain(APP_SECRET);
  });
});
