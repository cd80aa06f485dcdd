import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/cli/config-store.js';
import { MOCK_ORDER_ARGS, tempConfigDir } from '../helpers/cli.js';

// Runs the shipped launcher (npm test builds it first).
const bin = fileURLToPath(new URL('../../bin/wxpay.js', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function wxpay(args: string[], configDir: string) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', WXPAY_CONFIG_DIR: configDir },
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );
  return { child, stderr: () => stderr, exited };
}

function waitFor(read: () => string, pattern: RegExp, child: ChildProcess) {
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = read().match(pattern);
      if (match) resolve(match);
    };
    child.stderr?.on('data', check);
    child.on('exit', () => reject(new Error(`exited before ${pattern}`)));
    check();
  });
}

describe('Ctrl-C and SIGTERM', () => {
  it('loading the config file adds no SIGINT or SIGTERM listener', async () => {
    const before = ['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s));
    await ConfigStore.open(tempConfigDir());
    const after = ['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s));
    expect(after).toEqual(before);
  });

  it('notify listen finishes the forward in flight, then exits 0', async () => {
    const dir = tempConfigDir();
    // The merchant's handler: answers slowly, so the signal arrives while
    // the notification is being forwarded.
    let received!: () => void;
    const forwarded = new Promise<void>((resolve) => (received = resolve));
    const handler: Server = createServer((request, response) => {
      request.resume();
      received();
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>',
        );
      }, 1500);
    });
    await new Promise<void>((resolve) =>
      handler.listen(0, '127.0.0.1', resolve),
    );
    cleanups.push(() => handler.close());
    const { port } = handler.address() as AddressInfo;

    const listen = wxpay(
      [
        'notify',
        'listen',
        '--mock',
        '--port',
        '0',
        '--forward-to',
        `http://127.0.0.1:${port}/notify`,
      ],
      dir,
    );
    const [, url] = await waitFor(
      listen.stderr,
      /Listening for notifications on (http:\/\/127\.0\.0\.1:\d+\/)/,
      listen.child,
    );
    const trigger = wxpay(
      ['notify', 'trigger', '--mock', '--to', `${url}wxpay/notify`],
      dir,
    );
    await forwarded;
    listen.child.kill('SIGINT');
    expect(await listen.exited).toBe(0);
    expect(listen.stderr()).toContain('forwarded ok 1, failed 0');
    expect(listen.stderr()).not.toContain('Interrupted');
    expect(await trigger.exited).toBe(0);
  }, 20_000);

  it('one SIGTERM ends a watch with 143, not the 130 of Ctrl-C', async () => {
    const dir = tempConfigDir();
    const create = wxpay([...MOCK_ORDER_ARGS, '--json'], dir);
    let stdout = '';
    create.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    expect(await create.exited).toBe(0);
    const { out_trade_no: outTradeNo } = JSON.parse(stdout);
    const watch = wxpay(
      // -v logs each poll: the first one shows the watch is running.
      [
        '-v',
        'order',
        'query',
        '--mock',
        '--out-trade-no',
        outTradeNo,
        '--watch',
      ],
      dir,
    );
    await waitFor(watch.stderr, /← HTTP 200/, watch.child);
    watch.child.kill('SIGTERM');
    expect(await watch.exited).toBe(143);
  }, 20_000);
});
