import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import {
  buildTriggerPush,
  decodeEncodingAesKey,
  openReply,
  sampleMessage,
} from '../../src/core/kf/index.js';
import { caseJson, caseText } from '../helpers/fixtures.js';
import { postCutOff } from '../helpers/raw-http.js';
import {
  KF_AES as AES,
  KF_APPID as APPID,
  KF_ENV as ENV,
  KF_TOKEN as TOKEN,
  mpProfileDir,
  postJson,
  startCli,
  startListener,
  startTestSim,
  type LiveCli,
} from './helpers.js';

const AES_KEY = decodeEncodingAesKey(AES);

async function stop(cli: LiveCli): Promise<number> {
  expect(dispatchInterrupt()).toBe(true);
  return cli.done;
}

let sequence = 0;
function safePush(
  kind: 'text' | 'enter' = 'text',
  format: 'xml' | 'json' = 'json',
) {
  sequence += 1;
  const message = sampleMessage({
    kind,
    openid: 'oWxPayCases2TestUser00000001',
    toUserName: 'gh_0123456789ab',
    createTime: String(1718000000 + sequence),
    msgId: `73865192837465${String(sequence).padStart(5, '0')}`,
    content: `message ${sequence}`,
  });
  const push = buildTriggerPush(message, {
    format,
    safe: true,
    token: TOKEN,
    aesKey: AES_KEY,
    appid: APPID,
    timestamp: String(1718000000 + sequence),
    nonce: String(100000 + sequence),
  });
  return { message, push };
}

/** Your push handler on 127.0.0.1, closed when the test ends. */
async function startHandler(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<number> {
  const handler = createServer(handle);
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () => new Promise<void>((resolve) => handler.close(() => resolve())),
  );
  return (handler.address() as AddressInfo).port;
}

function post(
  base: string,
  query: Record<string, string>,
  body: string | Buffer,
  method = 'POST',
) {
  return fetch(`${base}/kf?${new URLSearchParams(query)}`, {
    method,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

describe('wxpay kf listen', () => {
  it('C01: answers the GET verification with the bare echostr, 403 to a forged one', async () => {
    const { cli, base } = await startListener();
    const c01 = caseJson<{
      request: { query: Record<string, string> };
      negative_request: { query: Record<string, string> };
    }>('C01-kf-url-verify.json');
    const good = await fetch(
      `${base}/kf?${new URLSearchParams(c01.request.query)}`,
    );
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await good.text()).toBe('7391046285019283746');
    const bad = await fetch(
      `${base}/kf?${new URLSearchParams(c01.negative_request.query)}`,
    );
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain('7391046285019283746');
    expect(await stop(cli)).toBe(0);
    expect(cli.stderr()).toMatch(/1 verification, 1 refused/);
  });

  it('C04: all four bodies answered success and printed one line each (piped)', async () => {
    const { cli, base } = await startListener();
    const c04 = caseJson<{
      timestamp: string;
      nonce: string;
      signature: string;
      bodies: Record<string, { msg_signature?: string }>;
    }>('C04-kf-json-vs-xml.json');
    for (const [name, info] of Object.entries(c04.bodies)) {
      const query: Record<string, string> = {
        signature: c04.signature,
        timestamp: c04.timestamp,
        nonce: c04.nonce,
      };
      if (info.msg_signature)
        Object.assign(query, {
          encrypt_type: 'aes',
          msg_signature: info.msg_signature,
        });
      const response = await post(base, query, caseText(name));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
    }
    await stop(cli);
    const lines = cli.stdout().trim().split('\n');
    expect(lines).toHaveLength(4);
    const fields = lines.map((line) => line.split('\t'));
    expect(fields[0]).toEqual([
      '2024-06-10T06:18:20.000Z',
      'text',
      'oWxPayCases2TestUser00000001',
      '"JSON 与 XML 同一条消息"',
      '7386519283746501300',
      'plaintext/xml',
      '',
    ]);
    // The same MsgId four times: WeChat's retries are marked, not lost.
    expect(fields.map((f) => f[6])).toEqual(['', 'retry', 'retry', 'retry']);
    expect(stripVTControlCharacters(cli.stdout())).toBe(cli.stdout());
  });

  it('survives 120 concurrent pushes: every one answered and counted, none lost', async () => {
    const { cli, base } = await startListener();
    const pushes = Array.from({ length: 120 }, (_, i) =>
      safePush(i % 10 === 0 ? 'enter' : 'text', i % 2 ? 'xml' : 'json'),
    );
    const answers = await Promise.all(
      pushes.map(({ push }) =>
        post(base, push.query, push.body).then(async (r) => [
          r.status,
          await r.text(),
        ]),
      ),
    );
    expect(
      answers.every(([status, body]) => status === 200 && body === 'success'),
    ).toBe(true);
    await stop(cli);
    const lines = cli.stdout().trim().split('\n');
    expect(lines).toHaveLength(120);
    const ids = new Set(
      lines.map((line) => line.split('\t').slice(0, 5).join('|')),
    );
    expect(ids.size).toBe(120);
    expect(
      lines.filter((l) => l.split('\t')[1] === 'user_enter_tempsession'),
    ).toHaveLength(12);
    expect(cli.stderr()).toMatch(/120 requests: 120 pushes \(0 retries\)/);
  });

  it('says a push was cut off by its sender, not that it was too large', async () => {
    const { cli, base } = await startListener();
    await postCutOff(base, '/?a=1');
    await stop(cli);
    expect(cli.stderr()).toContain(
      'A push ended before its whole body arrived.',
    );
    expect(cli.stderr()).not.toContain('Refused a body over');
  });

  it('refuses hostile and malformed requests and keeps serving', async () => {
    const { cli, base } = await startListener();
    const { push } = safePush();
    const forged = { ...push.query, msg_signature: '0'.repeat(40) };
    const cases: [string, Promise<Response>, number][] = [
      ['forged msg_signature', post(base, forged, push.body), 403],
      ['no signature', post(base, {}, push.body), 400],
      [
        'oversize body',
        post(base, push.query, Buffer.alloc(300 * 1024, 0x7b)),
        413,
      ],
      ['DOCTYPE', post(base, push.query, caseText('B20-xxe-file.xml')), 400],
      [
        'billion laughs',
        post(base, push.query, caseText('B20-billion-laughs.xml')),
        400,
      ],
      ['garbage', post(base, push.query, '\u0000\u0001binary'), 400],
      [
        'invalid UTF-8',
        post(base, push.query, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
        400,
      ],
      ['deep JSON', post(base, push.query, '['.repeat(5000)), 400],
      ['empty body', post(base, push.query, ''), 400],
      ['PUT', post(base, push.query, push.body, 'PUT'), 405],
    ];
    for (const [what, response, status] of cases) {
      expect([what, (await response).status]).toEqual([what, status]);
    }
    const ok = await post(base, push.query, push.body);
    expect(await ok.text()).toBe('success');
    await stop(cli);
    expect(cli.stdout().trim().split('\n')).toHaveLength(1);
    expect(cli.stderr()).not.toMatch(/root:x:/);
    expect(cli.stderr()).toMatch(
      /11 requests: 1 push .* 1 refused for signature, 8 malformed, 1 not GET\/POST\./,
    );
  });

  it('--transfer answers user messages with an encrypted transfer_customer_service, events with success', async () => {
    const { cli, base } = await startListener(['--transfer']);
    const { message, push } = safePush('text', 'json');
    const reply = await post(base, push.query, push.body);
    const body = await reply.text();
    expect(reply.headers.get('content-type')).toMatch(/application\/json/);
    const opened = openReply(body, {
      token: TOKEN,
      aesKey: AES_KEY,
      appid: APPID,
    });
    expect(opened.format).toBe('json');
    expect(opened.message).toMatchObject({
      ToUserName: message.FromUserName,
      FromUserName: 'gh_0123456789ab',
      MsgType: 'transfer_customer_service',
    });
    expect(JSON.parse(body).Nonce).toBe(push.query.nonce);
    const event = safePush('enter', 'xml');
    expect(
      await (await post(base, event.push.query, event.push.body)).text(),
    ).toBe('success');
    await stop(cli);
  });

  it('--json prints one document with every push when stopped', async () => {
    const { cli, base } = await startListener(['--json']);
    for (let i = 0; i < 3; i++) {
      const { push } = safePush();
      await post(base, push.query, push.body);
    }
    await stop(cli);
    const doc = JSON.parse(cli.stdout());
    expect(doc).toMatchObject({ requests: 3, messages: 3, retries: 0 });
    expect(doc.messages_list).toHaveLength(3);
    expect(doc.messages_list[0]).toMatchObject({
      kind: 'text',
      mode: 'safe',
      format: 'json',
      message: { MsgType: 'text' },
    });
  });

  it('on a TTY prints coloured lines with the time and the sender', async () => {
    const { cli, base } = await startListener(
      [],
      { ...ENV, FORCE_COLOR: '1' },
      true,
    );
    const { push } = safePush();
    await post(base, push.query, push.body);
    await stop(cli);
    const plain = stripVTControlCharacters(cli.stdout());
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d {2}text +oWxPayCases2TestUser00000001 {2}"message \d+"/,
    );
    expect(cli.stdout()).not.toBe(plain);
  });

  it('--auto-reply answers each new message through the send API', async () => {
    const sim = await startTestSim();
    const dir = mpProfileDir(sim.url);
    await postJson(`${sim.url}/__wxpay/kf/user-action`, {
      appid: APPID,
      openid: 'oWxPayCases2TestUser00000001',
      action: 'message',
      at: String(sim.nowSeconds()),
    });
    const { cli, base } = await startListener(
      ['--auto-reply', 'Thanks, we will answer soon'],
      { WXPAY_KF_TOKEN: TOKEN, WXPAY_KF_AES_KEY: AES, WXPAY_CONFIG_DIR: dir },
    );
    const { push } = safePush();
    expect(await (await post(base, push.query, push.body)).text()).toBe(
      'success',
    );
    await stop(cli);
    const sent = sim.calls
      .filter((c) => c.path === '/cgi-bin/message/custom/send')
      .map((c) => JSON.parse(c.body));
    expect(sent).toEqual([
      {
        touser: 'oWxPayCases2TestUser00000001',
        msgtype: 'text',
        text: { content: 'Thanks, we will answer soon' },
      },
    ]);
    expect(cli.stderr()).toMatch(/Auto-replies sent 1, failed 0/);
  });

  it('--forward-to passes the push unchanged to your handler and relays its answer', async () => {
    const seen: { url: string; body: string }[] = [];
    const port = await startHandler((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        seen.push({
          url: request.url ?? '',
          body: Buffer.concat(chunks).toString(),
        });
        response.end('success');
      });
    });
    const { cli, base } = await startListener([
      '--forward-to',
      `http://127.0.0.1:${port}/mine?x=1`,
    ]);
    const { push } = safePush();
    expect(await (await post(base, push.query, push.body)).text()).toBe(
      'success',
    );
    await stop(cli);
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toBe(push.body);
    expect(seen[0].url).toBe(`/mine?x=1&${new URLSearchParams(push.query)}`);
    expect(cli.stderr()).toMatch(/Forwarded 1, failed 0/);
  });

  it('Ctrl-C during a forward waits for its answer, then counts it', async () => {
    let received!: () => void;
    const forwarding = new Promise<void>((resolve) => (received = resolve));
    const port = await startHandler((request, response) => {
      request.resume();
      received();
      setTimeout(() => response.end('success'), 500);
    });
    const { cli, base } = await startListener([
      '--forward-to',
      `http://127.0.0.1:${port}/mine`,
    ]);
    const { push } = safePush();
    const answer = post(base, push.query, push.body);
    await forwarding;
    expect(await stop(cli)).toBe(0);
    expect(await (await answer).text()).toBe('success');
    expect(cli.stderr()).toMatch(/Forwarded 1, failed 0/);
  });

  it('counts a forward whose answer WeChat would not take apart', async () => {
    const port = await startHandler((request, response) => {
      request.resume();
      response.end('hello there');
    });
    const { cli, base } = await startListener([
      '--forward-to',
      `http://127.0.0.1:${port}/mine`,
    ]);
    const { push } = safePush();
    await (await post(base, push.query, push.body)).text();
    await stop(cli);
    expect(cli.stderr()).toMatch(
      /Forwarded 1 \(1 answered in a way WeChat would not accept\), failed 0/,
    );
  });

  it('a hung handler still gets WeChat its success inside WeChat’s 5 s', async () => {
    const port = await startHandler((request) => request.resume());
    const { cli, base } = await startListener([
      '--forward-to',
      `http://127.0.0.1:${port}/mine`,
    ]);
    // kf trigger waits exactly as long as WeChat does.
    const trigger = startCli(['kf', 'trigger', '--to', `${base}/kf`], ENV);
    expect(await trigger.done).toBe(0);
    await stop(cli);
    expect(cli.stderr()).toMatch(/Forward failed: .* Answered success instead/);
  }, 15_000);

  it('a port in use is a usage error (exit 2)', async () => {
    const { cli, base } = await startListener();
    const port = new URL(base).port;
    const second = startCli(['kf', 'listen', '--port', port], ENV);
    expect(await second.done).toBe(2);
    expect(second.stderr()).toMatch(/in use/);
    await stop(cli);
  });
});
