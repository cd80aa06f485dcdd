import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import {
  buildTriggerPush,
  decodeEncodingAesKey,
  type KfMessage,
} from '../../src/core/kf/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import {
  KF_AES,
  KF_APPID,
  KF_ENV as ENV,
  KF_TOKEN,
  startListener,
  type LiveCli,
} from './helpers.js';

/** A push written to forge log lines and colour the terminal. */
const HOSTILE: KfMessage = {
  ToUserName: 'gh_0123456789ab',
  FromUserName: 'oEvil\tFAKE\nline',
  CreateTime: '1718000300',
  MsgType: 'text',
  Content:
    'hi\n2024-06-14T00:00:00.000Z\ttext\toFAKE\t"forged"\t\x1b[31mRED\u009b2J\u2028end',
  MsgId: '7386519283746501300',
};

function sealed(message: KfMessage) {
  const push = buildTriggerPush(message, {
    format: 'json',
    safe: true,
    token: KF_TOKEN,
    aesKey: decodeEncodingAesKey(KF_AES),
    appid: KF_APPID,
    timestamp: '1718000300',
    nonce: '918273645',
  });
  return { ...push, search: new URLSearchParams(push.query).toString() };
}

async function stop(cli: LiveCli): Promise<number> {
  expect(dispatchInterrupt()).toBe(true);
  return cli.done;
}

const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028]/; // eslint-disable-line no-control-regex

describe('kf listen: requests WeChat never sends', () => {
  it('other methods are answered 405 with Allow, unread, and counted apart from malformed', async () => {
    const { cli, base } = await startListener(['--json']);
    const put = await fetch(`${base}/kf`, {
      method: 'PUT',
      body: new Uint8Array(1024 * 1024),
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const del = await fetch(`${base}/kf`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(await stop(cli)).toBe(0);
    expect(JSON.parse(cli.stdout())).toMatchObject({
      requests: 2,
      malformed: 0,
      other_method: 2,
    });
  });

  it('the summary line names them', async () => {
    const { cli, base } = await startListener();
    await fetch(`${base}/kf`, { method: 'PATCH', body: 'x' });
    await stop(cli);
    expect(cli.stderr()).toMatch(
      /1 request: 0 pushes .* 0 malformed, 1 not GET\/POST\./,
    );
  });
});

describe('terminal safety: text from a push is shown with controls escaped', () => {
  it('kf listen piped: one line, seven columns, escapes instead of newlines, tabs and ESC', async () => {
    const { cli, base } = await startListener();
    const push = sealed(HOSTILE);
    const answer = await fetch(`${base}/kf?${push.search}`, {
      method: 'POST',
      body: push.body,
    });
    expect(await answer.text()).toBe('success');
    await stop(cli);
    const out = cli.stdout();
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    const columns = lines[0]!.split('\t');
    expect(columns).toHaveLength(7);
    expect(columns[2]).toBe('oEvil\\tFAKE\\nline');
    expect(columns[3]).toBe(
      '"hi\\n2024-06-14T00:00:00.000Z\\ttext\\toFAKE\\t\\"forged\\"\\t\\u001b[31mRED\\x9b2J\\u2028end"',
    );
    expect(out.slice(0, -1)).not.toMatch(RAW_CONTROL);
  });

  it('kf listen on a terminal: no escape code from the push reaches it', async () => {
    const { cli, base } = await startListener(
      [],
      { ...ENV, NO_COLOR: '1' },
      true,
    );
    const push = sealed(HOSTILE);
    await fetch(`${base}/kf?${push.search}`, {
      method: 'POST',
      body: push.body,
    });
    await stop(cli);
    const out = cli.stdout();
    expect(out.slice(0, -1).split('\n')).toHaveLength(1);
    expect(out).not.toContain('\x1b');
    expect(out).toContain('oEvil\\tFAKE\\nline');
  });

  it('kf decrypt on a terminal: one line per field, controls escaped', async () => {
    const dir = tempConfigDir();
    const push = sealed(HOSTILE);
    const file = join(dir, 'push.json');
    writeFileSync(file, push.body);
    const result = await runCli(
      ['kf', 'decrypt', file, '--url', `http://127.0.0.1/kf?${push.search}`],
      { env: { ...ENV, NO_COLOR: '1', WXPAY_CONFIG_DIR: dir }, tty: true },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\x1b');
    const lines = result.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(Object.keys(HOSTILE).length);
    expect(lines).toContain(
      'Content       hi\\n2024-06-14T00:00:00.000Z\\ttext\\toFAKE\\t"forged"\\t\\x1b[31mRED\\x9b2J\\u2028end',
    );
    expect(lines).toContain('FromUserName  oEvil\\tFAKE\\nline');
  });

  it('kf decrypt piped: the exact values as JSON, with no raw control character', async () => {
    const push = sealed(HOSTILE);
    const result = await runCli(
      ['kf', 'decrypt', '--url', `http://127.0.0.1/kf?${push.search}`],
      { env: ENV, stdin: push.body },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(result.stdout)).toEqual(HOSTILE);
  });
});

describe('kf listen --forward-to when the handler fails', () => {
  it('answers success itself and says why: mid-answer close, then unreachable', async () => {
    const handler = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-length': '50' });
        response.write('succ');
        setTimeout(() => response.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((resolve) =>
      handler.listen(0, '127.0.0.1', resolve),
    );
    onTestFinished(() => {
      if (handler.listening) handler.close();
    });
    const port = (handler.address() as AddressInfo).port;
    const { cli, base } = await startListener([
      '--forward-to',
      `http://127.0.0.1:${port}/kf`,
    ]);
    const first = sealed(HOSTILE);
    const answer = await fetch(`${base}/kf?${first.search}`, {
      method: 'POST',
      body: first.body,
    });
    expect(await answer.text()).toBe('success');
    handler.closeAllConnections();
    await new Promise<void>((resolve) => handler.close(() => resolve()));
    const second = sealed({ ...HOSTILE, MsgId: '7386519283746501301' });
    const again = await fetch(`${base}/kf?${second.search}`, {
      method: 'POST',
      body: second.body,
    });
    expect(await again.text()).toBe('success');
    await stop(cli);
    expect(cli.stderr()).toContain(
      `! Forward failed: 127.0.0.1:${port} closed the connection without a complete answer. Answered success instead.`,
    );
    expect(cli.stderr()).toContain(
      `! Forward failed: Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED). Answered success instead.`,
    );
    expect(cli.stderr()).toMatch(/Forwarded 0, failed 2/);
  });
});
