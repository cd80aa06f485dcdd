import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { KF_ENV as ENV, startListener } from './helpers.js';

/** A merchant handler on 127.0.0.1 that answers as `answer` decides. */
async function handler(
  answer: (
    request: IncomingMessage,
    response: ServerResponse,
    body: string,
  ) => void,
): Promise<string> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () =>
      answer(request, response, Buffer.concat(chunks).toString()),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/kf`;
}

async function listener(env: Record<string, string> = ENV): Promise<string> {
  return `${(await startListener([], env)).base}/kf`;
}

describe('wxpay kf trigger', () => {
  it('a correct handler (kf listen) acknowledges a safe push: exit 0', async () => {
    const to = await listener();
    for (const type of ['text', 'image', 'miniprogrampage', 'enter']) {
      const result = await runCli(
        ['kf', 'trigger', '--to', to, '--type', type],
        { env: ENV },
      );
      expect([type, result.code]).toEqual([type, 0]);
      expect(result.stdout).toMatch(/^ok\tack\t200\t\d+ms\n$/);
    }
  });

  it('verify: the echostr answered byte for byte passes (C01)', async () => {
    const to = await listener();
    const result = await runCli(
      ['kf', 'trigger', '--to', to, '--type', 'verify', '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      verdict: 'echo',
      status: 200,
    });
  });

  it.each([
    [
      'JSON-wrapped',
      (echostr: string) => JSON.stringify({ echostr }),
      /wrapped/,
    ],
    ['quoted', (echostr: string) => JSON.stringify(echostr), /quoted/],
    ['trailing newline', (echostr: string) => `${echostr}\n`, /newline/],
    [
      'through a number',
      (echostr: string) => String(Number(echostr)),
      /went through a number/,
    ],
  ])(
    'verify: a %s echostr fails with the reason (exit 1)',
    async (_what, render, reason) => {
      const to = await handler((request, response) => {
        const echostr =
          new URL(request.url ?? '', 'http://x').searchParams.get('echostr') ??
          '';
        response.end(render(echostr));
      });
      const result = await runCli(
        ['kf', 'trigger', '--to', to, '--type', 'verify'],
        { env: ENV },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^fail\twrong\t200/);
      expect(result.stderr).toMatch(reason);
    },
  );

  it('verify: res.write without res.end is reported as no answer within 5 s (C01)', async () => {
    const to = await handler((request, response) => {
      response.writeHead(200);
      response.write(
        new URL(request.url ?? '', 'http://x').searchParams.get('echostr') ??
          '',
      );
    });
    const result = await runCli(
      ['kf', 'trigger', '--to', to, '--type', 'verify', '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ ok: false, status: null });
  });

  it('a handler answering HTML or a quoted "success" fails', async () => {
    const html = await handler((_q, response) =>
      response.end('<html>ok</html>'),
    );
    const result = await runCli(['kf', 'trigger', '--to', html], { env: ENV });
    expect(result.code).toBe(1);
    const quoted = await handler((_q, response) => response.end('"success"'));
    const second = await runCli(['kf', 'trigger', '--to', quoted], {
      env: ENV,
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/exactly success/);
  });

  it('a transfer reply in plaintext to a safe push is refused; an XML reply to a JSON push too', async () => {
    const plainXml = await handler((_q, response) =>
      response.end(
        '<xml><ToUserName><![CDATA[oWxPayTriggerSampleUser00001]]></ToUserName><FromUserName><![CDATA[gh_000000000000]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>',
      ),
    );
    const result = await runCli(
      ['kf', 'trigger', '--to', plainXml, '--format', 'json'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not encrypted/);
    expect(result.stderr).toMatch(/XML to a JSON push/);
    const plainMode = await runCli(
      ['kf', 'trigger', '--to', plainXml, '--plain', '--format', 'xml'],
      { env: ENV },
    );
    expect(plainMode.code).toBe(0);
    expect(plainMode.stdout).toMatch(/^ok\ttransfer/);
  });

  it('kf listen --transfer passes as a correct transfer', async () => {
    const { base } = await startListener(['--transfer']);
    const result = await runCli(
      ['kf', 'trigger', '--to', `${base}/kf`, '--format', 'json', '--json'],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      verdict: 'transfer',
    });
  });

  it('--forged: kf listen refuses it (exit 0); a handler that accepts it fails (exit 1)', async () => {
    const to = await listener();
    const refused = await runCli(['kf', 'trigger', '--to', to, '--forged'], {
      env: ENV,
    });
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/^ok\trejected\t403/);
    const naive = await handler((_q, response) => response.end('success'));
    const accepted = await runCli(
      ['kf', 'trigger', '--to', naive, '--forged', '--type', 'verify'],
      { env: ENV },
    );
    expect(accepted.code).toBe(0);
    const acceptedPost = await runCli(
      ['kf', 'trigger', '--to', naive, '--forged'],
      { env: ENV },
    );
    expect(acceptedPost.code).toBe(1);
    expect(acceptedPost.stderr).toMatch(/wrong Token/);
  });

  it('a refused connection is a network error (exit 3); a missing --to is a usage error', async () => {
    expect(
      (
        await runCli(['kf', 'trigger', '--to', 'http://127.0.0.1:9/kf'], {
          env: ENV,
        })
      ).code,
    ).toBe(3);
    expect((await runCli(['kf', 'trigger'], { env: ENV })).code).toBe(2);
    expect(
      (
        await runCli(['kf', 'trigger', '--to', 'ftp://127.0.0.1/'], {
          env: ENV,
        })
      ).code,
    ).toBe(2);
  });

  it('--mock: a triggered message opens the reply window for kf send', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const to = await listener({ ...env, WXPAY_PROFILE: 'mock' });
    const openid = 'oWxPayMockUser00000000000001';
    const before = await runCli(
      ['kf', 'send', '--mock', '--openid', openid, '--text', 'hi'],
      { env },
    );
    expect(before.code).toBe(1);
    const triggered = await runCli(
      ['kf', 'trigger', '--mock', '--to', to, '--openid', openid],
      { env },
    );
    expect(triggered.code).toBe(0);
    expect(triggered.stderr).toMatch(/Simulator: .* sent a message/);
    const after = await runCli(
      ['kf', 'send', '--mock', '--openid', openid, '--text', 'hi'],
      { env },
    );
    expect(after.code).toBe(0);
  });
});
