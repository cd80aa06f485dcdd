import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  AccessTokenManager,
  fetchMpHttp,
  FileTokenCache,
  KfClient,
  MemoryTokenCache,
  sendPayload,
  textMessage,
} from '../../src/core/kf/index.js';
import { ApiError, ConfigError } from '../../src/core/errors.js';
import { caseJson } from '../helpers/fixtures.js';
import { postJson, startTestSim } from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OPENID = 'oWxPayCases2TestUser00000001';

function manager(
  url: string,
  clock: () => number,
  options: Partial<ConstructorParameters<typeof AccessTokenManager>[0]> = {},
) {
  return new AccessTokenManager({
    http: fetchMpHttp(),
    baseUrl: url,
    appid: APPID,
    appSecret: SECRET,
    now: () => clock() * 1000,
    ...options,
  });
}

describe('C13: 40001 after another server refreshed a classic token', () => {
  const c13 = caseJson<{
    timeline: { at: number }[];
    derived: {
      a_cache_still_thinks_valid_for_s: number;
      t1_dead_after: number;
    };
    stable_token_request: { json: Record<string, unknown> };
  }>('C13-kf-token-40001.json');

  it('drops only the failed token, fetches again and retries exactly once', async () => {
    const [a1, b1, a2] = c13.timeline.map((step) => step.at);
    const sim = await startTestSim(undefined, a1);
    const cacheA = new MemoryTokenCache();
    const prodA = manager(sim.url, sim.nowSeconds, {
      endpoint: 'classic',
      cache: cacheA,
    });
    const boxB = manager(sim.url, sim.nowSeconds, { endpoint: 'classic' });
    await postJson(`${sim.url}/__wxpay/kf/user-action`, {
      appid: APPID,
      openid: OPENID,
      action: 'message',
      at: String(a2 - 10),
    });

    const t1 = (await prodA.get()).access_token;
    sim.setNow(b1);
    await boxB.get();
    sim.setNow(a2);
    const cached = await cacheA.get(prodA.key);
    expect(cached!.expires_at - a2).toBe(
      c13.derived.a_cache_still_thinks_valid_for_s,
    );
    expect(a2).toBeGreaterThan(c13.derived.t1_dead_after);

    const client = new KfClient({
      http: fetchMpHttp(),
      baseUrl: sim.url,
      tokens: prodA,
    });
    const tokensUsed: string[] = [];
    const before = sim.calls.length;
    await client.send(sendPayload(OPENID, textMessage('hello')));
    for (const call of sim.calls.slice(before)) {
      if (call.path === '/cgi-bin/message/custom/send') {
        tokensUsed.push(new URLSearchParams(call.query).get('access_token')!);
      }
    }
    expect(tokensUsed).toHaveLength(2);
    expect(tokensUsed[0]).toBe(t1);
    expect(tokensUsed[1]).not.toBe(t1);
    const refetches = sim.calls
      .slice(before)
      .filter((c) => c.path === '/cgi-bin/token');
    expect(refetches).toHaveLength(1);
    expect((await cacheA.get(prodA.key))!.access_token).toBe(tokensUsed[1]);
  });

  it('reports a second 40001 instead of looping', async () => {
    const sim = await startTestSim();
    const cache = new MemoryTokenCache();
    const tokens = manager(sim.url, sim.nowSeconds, { cache });
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw Object.assign(
        new ApiError('MP_40001', 'x', { details: { errcode: 40001 } }),
      );
    };
    await expect(tokens.call(failing)).rejects.toThrow(ApiError);
    expect(calls).toBe(2);
  });

  it('keeps a token that another caller already replaced', async () => {
    const cache = new MemoryTokenCache();
    const key = 'k';
    await cache.set(key, {
      access_token: 'NEW',
      expires_at: 9e9,
      fetched_at: 0,
      endpoint: 'stable',
    });
    await cache.deleteIf(key, 'OLD');
    expect((await cache.get(key))!.access_token).toBe('NEW');
    await cache.deleteIf(key, 'NEW');
    expect(await cache.get(key)).toBeUndefined();
  });

  it('stable_token: everyone gets the same token, and the retry never forces a refresh', async () => {
    const sim = await startTestSim();
    await postJson(`${sim.url}/__wxpay/kf/user-action`, {
      appid: APPID,
      openid: OPENID,
      action: 'message',
    });
    const a = manager(sim.url, sim.nowSeconds);
    const b = manager(sim.url, sim.nowSeconds);
    const ta = (await a.get()).access_token;
    expect((await b.get()).access_token).toBe(ta);
    // Someone force-refreshes (a leaked-token drill): A's cached token dies.
    const forced = (await b.get({ forceRefresh: true })).access_token;
    expect(forced).not.toBe(ta);
    const mark = sim.calls.length;
    const client = new KfClient({
      http: fetchMpHttp(),
      baseUrl: sim.url,
      tokens: a,
    });
    await client.send(
      sendPayload(OPENID, textMessage('after a forced refresh')),
    );
    const fetched = sim.calls
      .slice(mark)
      .filter((c) => c.path === '/cgi-bin/stable_token')
      .map((c) => JSON.parse(c.body) as Record<string, unknown>);
    expect(fetched).toEqual([
      { ...c13.stable_token_request.json, secret: SECRET },
    ]);
    expect((await a.get()).access_token).toBe(forced);
  });
});

describe('token cache and refresh', () => {
  it('serves from cache until the refresh margin, then fetches', async () => {
    const sim = await startTestSim();
    const tokens = manager(sim.url, sim.nowSeconds, { endpoint: 'classic' });
    const first = await tokens.get();
    expect(first.source).toBe('fetched');
    expect((await tokens.get()).source).toBe('cache');
    sim.advance(7200 - 201);
    expect((await tokens.get()).source).toBe('cache');
    sim.advance(2);
    const renewed = await tokens.get();
    expect(renewed.source).toBe('fetched');
    expect(renewed.access_token).not.toBe(first.access_token);
  });

  it('runs one fetch for many concurrent callers', async () => {
    const sim = await startTestSim();
    const tokens = manager(sim.url, sim.nowSeconds, { endpoint: 'classic' });
    const all = await Promise.all(
      Array.from({ length: 20 }, () => tokens.get()),
    );
    expect(new Set(all.map((t) => t.access_token)).size).toBe(1);
    expect(sim.calls.filter((c) => c.path === '/cgi-bin/token')).toHaveLength(
      1,
    );
  });

  it('maps a wrong secret to a ConfigError with the next action', async () => {
    const sim = await startTestSim();
    await manager(sim.url, sim.nowSeconds).get();
    const wrong = manager(sim.url, sim.nowSeconds, {
      appSecret: 'f'.repeat(32),
    });
    const error = await wrong.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('MP_40125');
    expect((error as ConfigError).hint).toMatch(/config set app_secret/);
  });

  it('asks for app_secret only when a fetch is needed', async () => {
    const sim = await startTestSim();
    const tokens = manager(sim.url, sim.nowSeconds, { appSecret: undefined });
    await expect(tokens.get()).rejects.toThrow(/no app_secret/);
  });

  it('the file cache is mode 0600, replaced atomically and tolerant of damage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpay-kf-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'sub', 'access-tokens.json');
    const cache = new FileTokenCache(path, () => 100);
    await cache.set('a', {
      access_token: 'T',
      expires_at: 200,
      fetched_at: 100,
      endpoint: 'stable',
    });
    await cache.set('old', {
      access_token: 'X',
      expires_at: 50,
      fetched_at: 0,
      endpoint: 'stable',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(saved.tokens)).toEqual(['a']);
    writeFileSync(path, '{half');
    expect(await cache.get('a')).toBeUndefined();
  });
});
