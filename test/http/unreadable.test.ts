import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/core/errors.js';
import { PayNetworkError } from '../../src/core/http/transport.js';
import {
  BACKUP,
  PRIMARY,
  answer,
  localServer,
  makeClient,
  mockAgent,
  signedAnswer,
} from './support.js';
import { cli, configWith, localProfile } from '../order/support.js';

const PATH = '/pay/orderquery';
const URL_NAMED = `${PRIMARY}${PATH}`;

/** Words written for a local file or for a refusal: never for these. */
const FILE_HINTS =
  /re-save|Remove the DOCTYPE|WeChat refused|refused:|The XML body is empty|^Malformed XML/;

async function failureOf(body: string | Buffer, status = 200) {
  const agent = mockAgent();
  agent
    .get(PRIMARY)
    .intercept({ path: PATH, method: 'POST' })
    .reply(status, body);
  const { client } = makeClient({ dispatcher: agent });
  return client
    .call(PATH, { out_trade_no: 'A123456' })
    .then(() => undefined)
    .catch((e: unknown) => e as PayNetworkError);
}

/** `wxpay order query` against a local server that always answers `reply`. */
async function queryAgainst(reply: { status?: number; body: string }) {
  const server = await localServer(() => reply);
  const dir = configWith('local', localProfile(server.url));
  const result = await cli(dir, [
    'order',
    'query',
    '--out-trade-no',
    'A123456',
  ]);
  return { server, result };
}

describe('an answer that is not a WeChat answer', () => {
  it.each([
    [
      'binary garbage',
      Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28]),
      'a body that is not UTF-8 text',
    ],
    [
      'a DOCTYPE',
      '<!DOCTYPE xml [<!ENTITY x "y">]><xml><return_code>SUCCESS</return_code></xml>',
      'XML carrying a DOCTYPE or ENTITY declaration (refused as hostile)',
    ],
    ['JSON', '{"code":"PARAM_ERROR","message":"x"}', 'JSON'],
    ['an empty body', '', 'an empty body'],
    [
      'duplicate elements',
      '<xml><return_code>SUCCESS</return_code><return_code>FAIL</return_code></xml>',
      'unreadable XML (',
    ],
    [
      'an HTML page',
      '<!DOCTYPE html><html><head><title>502</title></head><body>Bad gateway</body></html>',
      'an HTML page',
    ],
    ['a flat HTML page', '<html><title>Login</title></html>', 'an HTML page'],
    [
      'XML without return_code',
      '<xml><title>hello</title></xml>',
      'XML without a return_code',
    ],
  ])(
    '%s is a NetworkError that names the URL and what came',
    async (_name, body, what) => {
      const error = await failureOf(body);
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toBeInstanceOf(PayNetworkError);
      expect(error!.code).toBe('ANSWER_UNREADABLE');
      expect(error!.message).toContain(
        `${URL_NAMED} answered HTTP 200 with ${what}`,
      );
      expect(error!.message).toContain('not a WeChat Pay answer');
      expect(error!.message).not.toMatch(FILE_HINTS);
      expect(error!.hint).toMatch(/^Check base_url/);
      expect(error!.hint).not.toMatch(FILE_HINTS);
    },
  );

  it('keeps the parser message in details', async () => {
    const error = await failureOf(Buffer.from([0xff, 0xfe, 0x41]));
    expect(error!.details).toMatchObject({
      failures: [
        {
          url: URL_NAMED,
          unreadable: true,
          detail: 'The XML body is not valid UTF-8.',
        },
      ],
    });
  });

  it('shows control characters in a reason as escapes', async () => {
    const error = await failureOf(
      '<xml><return_code>OK\u009b31m\n</return_code></xml>',
    );
    expect(error!.message).toContain(
      'XML whose return_code is "OK\\x9b31m\\n"',
    );
    expect(error!.message).not.toMatch(/[\n\u009b]/);
  });

  it('fails over to the backup host when the primary answers an HTML page', async () => {
    const agent = mockAgent();
    answer(agent, '<html><body><h1>502 Bad Gateway</h1></body></html>');
    answer(agent, signedAnswer({ trade_state: 'NOTPAY' }), PATH, BACKUP);
    const { client, events } = makeClient({
      dispatcher: agent,
      backupBaseUrl: BACKUP,
    });
    const result = await client.call(PATH, { out_trade_no: 'A123456' });
    expect(result.baseUrl).toBe(BACKUP);
    expect(result.attempts).toBe(2);
    expect(events.find((e) => e.type === 'failover')).toMatchObject({
      reason: 'answered HTTP 200 with an HTML page, not a WeChat Pay answer',
    });
  });

  it('a 302 redirect is exit 3 from the CLI, naming the URL', async () => {
    const { server, result } = await queryAgainst({ status: 302, body: '' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `error: No usable answer: ${server.url}/pay/orderquery answered HTTP 302 with an empty body, not a WeChat Pay answer.`,
    );
    expect(result.stderr).not.toMatch(FILE_HINTS);
  });

  it('an HTML page with status 200 is exit 3 from the CLI, never "WeChat refused"', async () => {
    const { result } = await queryAgainst({
      body: '<html><head><title>Portal</title></head><body>Sign in</body></html>',
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'with an HTML page, not a WeChat Pay answer',
    );
    expect(result.stderr).not.toMatch(/refused/);
  });
});

describe('a jscode2session answer that is not one', () => {
  async function sessionFailure(body: string) {
    const agent = mockAgent();
    agent
      .get('https://mp.wxpay.test')
      .intercept({
        path: (p) => p.startsWith('/sns/jscode2session?'),
        method: 'GET',
      })
      .reply(200, body);
    const { client } = makeClient({ dispatcher: agent });
    return client
      .jscode2session('code1234')
      .then(() => undefined)
      .catch((e: unknown) => e as PayNetworkError);
  }

  it.each([
    ['{"errcode":"x","openid":42}', 'an errcode that is not a number'],
    ['{"openid":42,"session_key":"k"}', 'an openid that is not a string'],
    ['{"openid":"o1","session_key":7}', 'a session_key that is not a string'],
    ['{"errcode":40029,"errmsg":5}', 'an errmsg that is not a string'],
    ['[1,2]', 'JSON that is not an object'],
    ['null', 'JSON that is not an object'],
    ['{}', 'no openid and no errcode'],
    ['<html>oops</html>', 'a body that is not JSON'],
    ['', 'an empty body'],
  ])('%s is unreadable (exit 3), never a refusal', async (body, what) => {
    const error = await sessionFailure(body);
    expect(error).toBeInstanceOf(PayNetworkError);
    expect(error!.code).toBe('ANSWER_UNREADABLE');
    expect(error!.message).toContain(
      `answered HTTP 200 with ${what}, not a jscode2session answer`,
    );
    expect(error!.message).toContain(
      'https://mp.wxpay.test/sns/jscode2session?',
    );
    expect(error!.message).not.toContain('NaN');
    expect(error!.message).not.toMatch(/refused/);
  });

  it('openid against {"errcode":"x","openid":42} exits 3 instead of "refused: NaN"', async () => {
    const server = await localServer(() => ({
      body: '{"errcode":"x","openid":42}',
    }));
    const dir = configWith('local', localProfile(server.url));
    const result = await cli(dir, ['openid', 'code1234']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'with an errcode that is not a number, not a jscode2session answer',
    );
    expect(result.stderr).not.toContain('NaN');
    expect(result.stdout).toBe('');
  });
});
