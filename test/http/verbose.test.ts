import { describe, expect, it } from 'vitest';
import { redact, REDACTED } from '../../src/core/http/redact.js';
import {
  APP_SECRET,
  KEY,
  MP,
  PRIMARY,
  makeClient,
  mockAgent,
  signedAnswer,
  fieldsOf,
} from './support.js';

describe('verbose dumps', () => {
  it('dump request and answer XML with every <sign> replaced', async () => {
    const agent = mockAgent();
    let sentSign = '';
    const answer = signedAnswer({ trade_state: 'SUCCESS' });
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/orderquery', method: 'POST' })
      .reply(200, (opts) => {
        sentSign = fieldsOf(opts.body).sign;
        return answer;
      });
    const { client, events } = makeClient({ dispatcher: agent });
    await client.call('/pay/orderquery', { out_trade_no: 'A123456' });
    const dump = JSON.stringify(events);
    expect(events.map((e) => e.type)).toEqual(['request', 'response']);
    expect(dump).toContain(`<sign>${REDACTED}</sign>`);
    expect(dump).not.toContain(sentSign);
    expect(dump).not.toContain(fieldsOf(answer).sign);
    expect(dump).not.toContain(KEY);
    expect(dump).toContain('A123456');
  });

  it('hide the AppSecret in the URL and the session_key in the answer', async () => {
    const agent = mockAgent();
    agent
      .get(MP)
      .intercept({ path: (p) => p.startsWith('/sns/'), method: 'GET' })
      .reply(200, '{"openid":"oA","session_key":"c2Vzc2lvbktleQ=="}');
    const { client, events } = makeClient({ dispatcher: agent });
    await client.jscode2session('abc123');
    const dump = JSON.stringify(events);
    expect(dump).not.toContain(APP_SECRET);
    expect(dump).not.toContain('c2Vzc2lvbktleQ==');
    expect(dump).toContain('js_code=abc123');
  });

  it.each([
    [
      '<xml><sign><![CDATA[ABC]]></sign></xml>',
      `<xml><sign>${REDACTED}</sign></xml>`,
    ],
    ['{"paySign":"X1","a":"b"}', `{"paySign":"${REDACTED}","a":"b"}`],
    ['key=mysecretvalue', `key=${REDACTED}`],
  ])('redact(%j)', (input, output) => {
    expect(redact(input, ['mysecretvalue'])).toBe(output);
  });
});
