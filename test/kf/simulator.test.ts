import { describe, expect, it } from 'vitest';
import {
  AccessTokenManager,
  fetchMpHttp,
  imageMessage,
  KfClient,
  sendPayload,
  textMessage,
} from '../../src/core/kf/index.js';
import { ApiError } from '../../src/core/errors.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import { parseMultipart } from '../../src/sim/kf/multipart.js';
import { postJson, startTestSim, type TestSim } from './helpers.js';

const APPID = DEMO_PROFILE.appid!;
const OPENID = 'oWxPayCases2TestUser00000001';
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a', 'hex'),
  Buffer.from('simulated png body'),
]);

async function setup(
  sim: TestSim,
  appid = APPID,
  secret = DEMO_PROFILE.app_secret!,
) {
  const http = fetchMpHttp();
  const tokens = new AccessTokenManager({
    http,
    baseUrl: sim.url,
    appid,
    appSecret: secret,
    now: () => sim.nowSeconds() * 1000,
  });
  return new KfClient({ http, baseUrl: sim.url, tokens });
}

async function userAction(
  sim: TestSim,
  action: 'message' | 'enter',
  openid = OPENID,
  appid = APPID,
) {
  return postJson(`${sim.url}/__wxpay/kf/user-action`, {
    appid,
    openid,
    action,
    at: String(sim.nowSeconds()),
  });
}

async function errcodeOf(
  promise: Promise<unknown>,
): Promise<number | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return 0;
  expect(error).toBeInstanceOf(ApiError);
  return (error as ApiError).details?.errcode as number;
}

describe('simulator: 48 h window and quota (spec §5.5)', () => {
  it('allows 5 messages after a user message, then 45047', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await userAction(sim, 'message');
    for (let i = 0; i < 5; i++) {
      expect(
        await errcodeOf(client.send(sendPayload(OPENID, textMessage(`m${i}`)))),
      ).toBe(0);
    }
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('sixth')))),
    ).toBe(45047);
    await userAction(sim, 'message');
    expect(
      await errcodeOf(
        client.send(sendPayload(OPENID, textMessage('after a new message'))),
      ),
    ).toBe(0);
  });

  it('closes the window 48 h after the latest user message (45015)', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await userAction(sim, 'message');
    sim.advance(48 * 3600 - 1);
    expect(
      await errcodeOf(
        client.send(sendPayload(OPENID, textMessage('just in time'))),
      ),
    ).toBe(0);
    sim.advance(1);
    expect(
      await errcodeOf(
        client.send(sendPayload(OPENID, textMessage('too late'))),
      ),
    ).toBe(45015);
  });

  it('entering the session allows 2 messages within 1 minute', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await userAction(sim, 'enter');
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('welcome')))),
    ).toBe(0);
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('menu')))),
    ).toBe(0);
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('third')))),
    ).toBe(45047);
    sim.advance(61);
    await userAction(sim, 'enter');
    sim.advance(61);
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('late')))),
    ).toBe(45015);
  });

  it("a user who never wrote is outside the window; another app's user is 40003", async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    expect(
      await errcodeOf(client.send(sendPayload(OPENID, textMessage('hi')))),
    ).toBe(45015);
    await userAction(
      sim,
      'message',
      'oOtherAppUser000000000000001',
      'wx1111111111111111',
    );
    expect(
      await errcodeOf(
        client.send(
          sendPayload('oOtherAppUser000000000000001', textMessage('hi')),
        ),
      ),
    ).toBe(40003);
  });
});

describe('simulator: typing (spec §5.2)', () => {
  it('needs an interaction in the last 30 s and refuses a second Typing', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await userAction(sim, 'message');
    expect(await errcodeOf(client.typing(OPENID, true))).toBe(0);
    expect(await errcodeOf(client.typing(OPENID, true))).toBe(45081);
    expect(await errcodeOf(client.typing(OPENID, false))).toBe(0);
    sim.advance(31);
    expect(await errcodeOf(client.typing(OPENID, true))).toBe(45080);
  });

  it('refuses an unknown command with 45072', async () => {
    const sim = await startTestSim();
    const answer = await postJson(`${sim.url}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: APPID,
      secret: DEMO_PROFILE.app_secret,
      force_refresh: false,
    });
    const typing = await postJson(
      `${sim.url}/cgi-bin/message/custom/typing?access_token=${answer.access_token as string}`,
      { touser: OPENID, command: 'typing' },
    );
    expect(typing.errcode).toBe(45072);
  });
});

describe('simulator: temporary media (spec §5.3)', () => {
  it('uploads an image as multipart "media" and accepts its media_id for 3 days', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await userAction(sim, 'message');
    const media = await client.uploadImage(PNG, 'receipt.png');
    expect(media.type).toBe('image');
    expect(media.media_id).toMatch(/^SIMMEDIA_/);
    expect(media.created_at).toBe(String(sim.nowSeconds()));
    expect(
      await errcodeOf(
        client.send(sendPayload(OPENID, imageMessage(media.media_id))),
      ),
    ).toBe(0);
    sim.advance(3 * 24 * 3600 + 1);
    await userAction(sim, 'message');
    expect(
      await errcodeOf(
        client.send(sendPayload(OPENID, imageMessage(media.media_id))),
      ),
    ).toBe(40007);
  });

  it('refuses a non-image before uploading, and the simulator refuses it too', async () => {
    const sim = await startTestSim();
    const client = await setup(sim);
    await expect(
      client.uploadImage(Buffer.from('%PDF-1.4'), 'a.pdf'),
    ).rejects.toThrow(/not a JPEG, PNG or GIF/);
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="media"; filename="a.pdf"\r\n\r\n%PDF\r\n--b--\r\n',
    );
    const parts = parseMultipart('multipart/form-data; boundary=b', body);
    expect(parts).toEqual([
      {
        name: 'media',
        filename: 'a.pdf',
        contentType: undefined,
        data: Buffer.from('%PDF'),
      },
    ]);
  });
});

describe('simulator: tokens (spec §6)', () => {
  it('stable_token by GET is 43002; a wrong secret is 40125; a bad appid 40013', async () => {
    const sim = await startTestSim();
    const get = await fetch(`${sim.url}/cgi-bin/stable_token`);
    expect(((await get.json()) as { errcode: number }).errcode).toBe(43002);
    const wrong = await postJson(`${sim.url}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: APPID,
      secret: 'x'.repeat(32),
    });
    expect(wrong.errcode).toBe(40125);
    const badAppid = await postJson(`${sim.url}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: 'nope',
      secret: 'x',
    });
    expect(badAppid.errcode).toBe(40013);
  });

  it('force_refresh is limited to one per 30 s and 20 a day', async () => {
    const sim = await startTestSim();
    const body = {
      grant_type: 'client_credential',
      appid: APPID,
      secret: DEMO_PROFILE.app_secret,
      force_refresh: true,
    };
    const first = await postJson(`${sim.url}/cgi-bin/stable_token`, body);
    const soon = await postJson(`${sim.url}/cgi-bin/stable_token`, body);
    expect(soon.access_token).toBe(first.access_token);
    let last = first;
    for (let i = 1; i < 20; i++) {
      sim.advance(31);
      last = await postJson(`${sim.url}/cgi-bin/stable_token`, body);
      expect(last.access_token).toBeTruthy();
    }
    sim.advance(31);
    expect(
      (await postJson(`${sim.url}/cgi-bin/stable_token`, body)).errcode,
    ).toBe(45009);
  });

  it('an expired token answers 42001', async () => {
    const sim = await startTestSim();
    const token = await postJson(`${sim.url}/cgi-bin/stable_token`, {
      grant_type: 'client_credential',
      appid: APPID,
      secret: DEMO_PROFILE.app_secret,
    });
    sim.advance(7200);
    const answer = await postJson(
      `${sim.url}/cgi-bin/message/custom/send?access_token=${token.access_token as string}`,
      { touser: OPENID, msgtype: 'text', text: { content: 'x' } },
    );
    expect(answer.errcode).toBe(42001);
  });
});
