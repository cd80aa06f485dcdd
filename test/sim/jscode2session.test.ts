import { describe, expect, it } from 'vitest';
import { caseJson } from '../helpers/fixtures.js';
import { DEMO, testSimulator } from './helpers.js';

interface CodeCase {
  request: { query: Record<string, string> };
  expected: { errcode: number };
  bad_input?: { js_code: string };
}

const b35 = caseJson<CodeCase>('B35-jscode2session-40163.json');
const b36 = caseJson<CodeCase>('B36-jscode2session-40029.json');
const CASE_APP = {
  appids: ['wx0123456789abcdef'],
  mch_id: '1900000110',
  key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
};

async function exchange(
  base: string,
  query: Record<string, string>,
  method = 'GET',
) {
  const url = `${base}/sns/jscode2session?${new URLSearchParams(query)}`;
  const response = await fetch(url, { method });
  const text = await response.text();
  return {
    type: response.headers.get('content-type'),
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

function demoQuery(code: string, over: Record<string, string> = {}) {
  return {
    appid: DEMO.appid,
    secret: DEMO.app_secret,
    js_code: code,
    grant_type: 'authorization_code',
    ...over,
  };
}

describe('jscode2session (spec 9)', () => {
  it('gives an openid and session_key for a code, as text/plain JSON', async () => {
    const sim = await testSimulator();
    const answer = await exchange(
      sim.url,
      demoQuery('081AbCdEfGh0123456789abcdefGhij'),
    );
    expect(answer.type).toBe('text/plain');
    expect(Object.keys(answer.body).sort()).toEqual(['openid', 'session_key']);
    expect(answer.body.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(Buffer.from(String(answer.body.session_key), 'base64')).toHaveLength(
      16,
    );
  });

  it('derives the same openid from the same code and appid, in another simulator', async () => {
    const one = await testSimulator();
    const two = await testSimulator();
    const a = await exchange(one.url, demoQuery('stablecode0001'));
    const b = await exchange(two.url, demoQuery('stablecode0001'));
    const c = await exchange(two.url, demoQuery('stablecode0002'));
    expect(b.body.openid).toBe(a.body.openid);
    expect(c.body.openid).not.toBe(a.body.openid);
  });

  it('answers the second use of a code with 40163 (case B35)', async () => {
    const sim = await testSimulator({ merchants: [CASE_APP] });
    const first = await exchange(sim.url, b35.request.query);
    expect(first.body.openid).toBeDefined();
    const second = await exchange(sim.url, b35.request.query);
    expect(second.body.errcode).toBe(b35.expected.errcode);
    expect(second.body.errmsg).toMatch(
      /^code been used, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/,
    );
  });

  it('answers a malformed code with 40029 (case B36)', async () => {
    const sim = await testSimulator({ merchants: [CASE_APP] });
    const answer = await exchange(sim.url, {
      ...b36.request.query,
      js_code: b36.bad_input!.js_code,
    });
    expect(answer.body.errcode).toBe(b36.expected.errcode);
    expect(answer.body.errmsg).toMatch(/^invalid code, rid: /);
  });

  it('answers a code used under another appid with 40029', async () => {
    const sim = await testSimulator({ merchants: [CASE_APP] });
    await exchange(sim.url, demoQuery('sharedcode0001'));
    const other = await exchange(sim.url, {
      ...b35.request.query,
      secret: 'anything',
      js_code: 'sharedcode0001',
    });
    expect(other.body.errcode).toBe(40029);
  });

  it.each([
    [{ secret: '0'.repeat(32) }, 40125],
    [{ appid: 'wx9999999999999999' }, 40013],
    [{ appid: '' }, 41002],
    [{ secret: '' }, 41004],
    [{ js_code: '' }, 41008],
    [{ grant_type: 'client_credential' }, 40002],
  ])('answers %j with errcode %i', async (over, errcode) => {
    const sim = await testSimulator();
    const answer = await exchange(sim.url, demoQuery('somecode0001', over));
    expect(answer.body.errcode).toBe(errcode);
  });

  it('reads the query string on a POST too', async () => {
    const sim = await testSimulator();
    const answer = await exchange(sim.url, demoQuery('postcode0001'), 'POST');
    expect(answer.body.openid).toBeDefined();
  });

  it('does not burn a code on a refused request', async () => {
    const sim = await testSimulator();
    await exchange(sim.url, demoQuery('keptcode0001', { secret: 'wrong' }));
    const answer = await exchange(sim.url, demoQuery('keptcode0001'));
    expect(answer.body.openid).toBeDefined();
  });
});
