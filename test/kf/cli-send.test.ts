import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import {
  mpProfileDir,
  postJson,
  startTestSim,
  type TestSim,
} from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OPENID = 'oWxPayCases2TestUser00000001';
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a', 'hex'),
  Buffer.from('png'),
]);

/** A config folder whose default profile points at the test simulator. */
function profileFor(sim: TestSim, extra: Record<string, string> = {}): string {
  return mpProfileDir(sim.url, extra);
}

async function opened(sim: TestSim, action: 'message' | 'enter' = 'message') {
  await postJson(`${sim.url}/__wxpay/kf/user-action`, {
    appid: APPID,
    openid: OPENID,
    action,
    at: String(sim.nowSeconds()),
  });
}

function sentTo(sim: TestSim): Record<string, unknown>[] {
  return sim.calls
    .filter((c) => c.path === '/cgi-bin/message/custom/send')
    .map((c) => JSON.parse(c.body) as Record<string, unknown>);
}

describe('wxpay token', () => {
  it('fetches from stable_token, caches with mode 0600 and redacts by default', async () => {
    const sim = await startTestSim();
    const dir = profileFor(sim);
    const env = { WXPAY_CONFIG_DIR: dir };
    const first = await runCli(['token', '--json', '--verbose'], { env });
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({
      endpoint: 'stable_token',
      source: 'fetched',
      appid: APPID,
    });
    expect(doc.access_token).toMatch(/^\*+.{4}$/);
    // 7199 when a second boundary passes between the fetch and the print.
    expect(doc.expires_in).toBeGreaterThanOrEqual(7199);
    const cacheFile = join(dir, 'access-tokens.json');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    const cached = Object.values(
      JSON.parse(readFileSync(cacheFile, 'utf8')).tokens,
    )[0] as { access_token: string };
    expect(first.stdout + first.stderr).not.toContain(cached.access_token);

    const second = await runCli(['token', '--show-secrets'], { env });
    expect(second.stdout.split('\t')[0]).toBe(cached.access_token);
    expect(second.stdout.trim().split('\t')[3]).toBe('cache');
    expect(
      sim.calls.filter((c) => c.path === '/cgi-bin/stable_token'),
    ).toHaveLength(1);
  });

  it('--classic uses GET /cgi-bin/token and warns about invalidation', async () => {
    const sim = await startTestSim();
    const result = await runCli(['token', '--classic'], {
      env: { WXPAY_CONFIG_DIR: profileFor(sim) },
    });
    expect(result.code).toBe(0);
    expect(sim.calls.map((c) => c.path)).toEqual(['/cgi-bin/token']);
    expect(result.stderr).toMatch(/kills the previous token/);
  });

  it('--force-refresh warns about the daily limit and sends force_refresh:true', async () => {
    const sim = await startTestSim();
    const result = await runCli(['token', '--force-refresh'], {
      env: { WXPAY_CONFIG_DIR: profileFor(sim) },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/20 times a day/);
    expect(JSON.parse(sim.calls[0].body).force_refresh).toBe(true);
  });

  it('on a TTY prints the redacted token and when it expires', async () => {
    const sim = await startTestSim();
    const result = await runCli(['token'], {
      env: { WXPAY_CONFIG_DIR: profileFor(sim) },
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\*+.{4}\n$/);
    expect(result.stderr).toMatch(/expires in (2h 0m|1h 59m)/);
    expect(result.stderr).toMatch(/--show-secrets/);
  });

  it('a wrong AppSecret exits 4 with the next step', async () => {
    const sim = await startTestSim();
    await runCli(['token'], { env: { WXPAY_CONFIG_DIR: profileFor(sim) } });
    const result = await runCli(['token', '--force-refresh'], {
      env: {
        WXPAY_CONFIG_DIR: profileFor(sim, { app_secret: 'f'.repeat(32) }),
      },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/40125/);
    expect(result.stderr).toMatch(/config set app_secret/);
    expect(result.stderr).not.toContain('f'.repeat(32));
  });

  it('--mock works offline with the demo app', async () => {
    const result = await runCli(['token', '--mock', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      simulated: true,
      appid: 'wxd0c0ffee00d0c0de',
    });
  });
});

describe('wxpay kf send', () => {
  it('sends text inside the window; piped output is one tab-separated line', async () => {
    const sim = await startTestSim();
    await opened(sim);
    const result = await runCli(
      ['kf', 'send', '--openid', OPENID, '--text', 'Your order has shipped'],
      { env: { WXPAY_CONFIG_DIR: profileFor(sim) } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`sent\ttext\t${OPENID}\n`);
    expect(sentTo(sim)).toEqual([
      {
        touser: OPENID,
        msgtype: 'text',
        text: { content: 'Your order has shipped' },
      },
    ]);
  });

  it('on a TTY reports on stderr with colour', async () => {
    const sim = await startTestSim();
    await opened(sim);
    const result = await runCli(
      ['kf', 'send', '--openid', OPENID, '--text', 'hi'],
      {
        env: { WXPAY_CONFIG_DIR: profileFor(sim), FORCE_COLOR: '1' },
        tty: true,
      },
    );
    expect(result.code).toBe(0);
    expect(stripVTControlCharacters(result.stderr)).toContain(
      `✓ Sent text to ${OPENID}.`,
    );
  });

  it('uploads --image as temporary media, then sends its media_id', async () => {
    const sim = await startTestSim();
    await opened(sim);
    const dir = profileFor(sim);
    const file = join(dir, 'receipt.png');
    writeFileSync(file, PNG);
    const result = await runCli(
      ['kf', 'send', '--openid', OPENID, '--image', file, '--json'],
      { env: { WXPAY_CONFIG_DIR: dir } },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ errcode: 0, msgtype: 'image' });
    const upload = sim.calls.find((c) => c.path === '/cgi-bin/media/upload')!;
    expect(upload.query).toMatch(/type=image/);
    expect(upload.body).toContain('name="media"; filename="receipt.png"');
    expect(sentTo(sim)[0]).toEqual({
      touser: OPENID,
      msgtype: 'image',
      image: { media_id: doc.media_id },
    });
  });

  it('builds a mini-program card and a link card', async () => {
    const sim = await startTestSim();
    await opened(sim);
    const env = { WXPAY_CONFIG_DIR: profileFor(sim) };
    const dir = env.WXPAY_CONFIG_DIR;
    writeFileSync(join(dir, 'cover.png'), PNG);
    const card = await runCli(
      [
        'kf',
        'send',
        '--openid',
        OPENID,
        '--miniprogrampage',
        '/pages/order/detail?id=42',
        '--title',
        'Order 42',
        '--thumb',
        join(dir, 'cover.png'),
        '--card-appid',
      ],
      { env },
    );
    expect(card.code).toBe(0);
    const link = await runCli(
      [
        'kf',
        'send',
        '--openid',
        OPENID,
        '--link',
        'https://example.com/a',
        '--title',
        'A',
        '--description',
        'd',
        '--thumb-url',
        'https://example.com/t.png',
      ],
      { env },
    );
    expect(link.code).toBe(0);
    const [sentCard, sentLink] = sentTo(sim);
    expect(sentCard).toMatchObject({
      msgtype: 'miniprogrampage',
      miniprogrampage: {
        title: 'Order 42',
        pagepath: 'pages/order/detail?id=42',
        appid: APPID,
      },
    });
    expect(sentLink).toEqual({
      touser: OPENID,
      msgtype: 'link',
      link: {
        title: 'A',
        description: 'd',
        url: 'https://example.com/a',
        thumb_url: 'https://example.com/t.png',
      },
    });
  });

  it.each([
    ['45015', 'window', /Reply window passed/, /writes again/],
    ['45047', 'quota', /Reply quota used up/, /next message/],
  ])(
    'explains errcode %s with its next action (exit 1)',
    async (errcode, kind, meaning, action) => {
      const sim = await startTestSim();
      const env = { WXPAY_CONFIG_DIR: profileFor(sim) };
      if (errcode === '45047') {
        await opened(sim, 'enter');
        for (let i = 0; i < 2; i++)
          await runCli(['kf', 'send', '--openid', OPENID, '--text', `m${i}`], {
            env,
          });
      }
      const result = await runCli(
        ['kf', 'send', '--openid', OPENID, '--text', 'one more', '--json'],
        { env },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(meaning);
      expect(result.stderr).toMatch(action);
      expect(JSON.parse(result.stdout)).toMatchObject({
        errcode: Number(errcode),
        kind,
      });
    },
  );

  it('explains 40003 for an openid of another app', async () => {
    const sim = await startTestSim();
    await postJson(`${sim.url}/__wxpay/kf/user-action`, {
      appid: 'wx9999999999999999',
      openid: 'oAnotherAppUser0000000000001',
      action: 'message',
    });
    const result = await runCli(
      ['kf', 'send', '--openid', 'oAnotherAppUser0000000000001', '--text', 'x'],
      { env: { WXPAY_CONFIG_DIR: profileFor(sim) } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/40003.*not a user of this mini program/);
  });

  it('usage errors exit 2: no kind, two kinds, no openid, a card without a cover', async () => {
    const env = { WXPAY_CONFIG_DIR: tempConfigDir() };
    expect(
      (await runCli(['kf', 'send', '--openid', OPENID], { env })).code,
    ).toBe(2);
    expect(
      (
        await runCli(
          ['kf', 'send', '--openid', OPENID, '--text', 'a', '--media-id', 'm'],
          { env },
        )
      ).code,
    ).toBe(2);
    expect((await runCli(['kf', 'send', '--text', 'a'], { env })).code).toBe(2);
    expect(
      (
        await runCli(
          ['kf', 'send', '--openid', OPENID, '--miniprogrampage', 'pages/a'],
          { env },
        )
      ).code,
    ).toBe(2);
  });

  it('a refused connection is a network error (exit 3)', async () => {
    const dir = mpProfileDir('http://127.0.0.1:9');
    const result = await runCli(
      ['kf', 'send', '--openid', OPENID, '--text', 'x', '--verbose'],
      { env: { WXPAY_CONFIG_DIR: dir } },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('--mock: without a user message the window is closed (45015)', async () => {
    const env = { WXPAY_CONFIG_DIR: tempConfigDir() };
    const closed = await runCli(
      ['kf', 'send', '--mock', '--openid', OPENID, '--text', 'x'],
      { env },
    );
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/45015/);
  });
});

describe('wxpay kf typing', () => {
  it('on/off within 30 s of a message; 45080 later', async () => {
    const sim = await startTestSim();
    await opened(sim);
    const env = { WXPAY_CONFIG_DIR: profileFor(sim) };
    const on = await runCli(['kf', 'typing', 'on', '--openid', OPENID], {
      env,
    });
    expect(on).toMatchObject({ code: 0, stdout: `ok\tTyping\t${OPENID}\n` });
    const off = await runCli(
      ['kf', 'typing', 'off', '--openid', OPENID, '--json'],
      { env },
    );
    expect(JSON.parse(off.stdout)).toMatchObject({
      errcode: 0,
      command: 'CancelTyping',
    });
    sim.advance(31);
    const late = await runCli(['kf', 'typing', 'on', '--openid', OPENID], {
      env,
    });
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/45080/);
    expect(
      (await runCli(['kf', 'typing', 'maybe', '--openid', OPENID], { env }))
        .code,
    ).toBe(2);
  });
});
