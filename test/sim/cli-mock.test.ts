import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Context } from '../../src/cli/context.js';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { withSimulator } from '../../src/cli/mock-runtime.js';
import { startSimulator } from '../../src/sim/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import {
  callPay,
  CASE_MERCHANT,
  orderParams,
  testSimulator,
} from './helpers.js';

const ACK =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

/** Runs the CLI with streams the test can read while it runs. */
function liveCli(args: string[], env: Record<string, string>, tty = false) {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdout.isTTY = tty;
  stderr.isTTY = tty;
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  const io: CliIO = { stdout, stderr, stdin, env };
  const done = main(args, io);
  return {
    done,
    stdout: () => out,
    stderr: () => err,
    async waitFor(check: () => boolean) {
      for (let i = 0; i < 500 && !check(); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (!check()) throw new Error(`timed out; stderr: ${err}`);
    },
  };
}

/** A merchant notify handler: replies in order, the last one repeats. */
async function notifyHandler(replies: { status: number; body: string }[]) {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = replies[Math.min(calls, replies.length - 1)];
      calls += 1;
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    calls: () => calls,
  };
}

/** Creates an order in the state file of a config folder. */
async function orderIn(dir: string, over: Record<string, string> = {}) {
  const sim = await startSimulator({ configDir: dir });
  try {
    const params = orderParams(over);
    const answer = await callPay(sim, '/pay/unifiedorder', params);
    expect(answer.fields.result_code).toBe('SUCCESS');
    return params.out_trade_no!;
  } finally {
    await sim.close();
  }
}

describe('wxpay mock serve', () => {
  it.each([false, true])(
    'prints the base URL, logs each request, stops on Ctrl-C (tty %s)',
    async (tty) => {
      const dir = tempConfigDir();
      const cli = liveCli(['mock', 'serve'], { WXPAY_CONFIG_DIR: dir }, tty);
      await cli.waitFor(() => cli.stdout().includes('\n'));
      const url = cli.stdout().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const answer = await callPay({ url }, '/pay/orderquery', {
        out_trade_no: 'NEVERSEEN1',
      });
      expect(answer.fields.err_code).toBe('ORDERNOTEXIST');
      await cli.waitFor(() => cli.stderr().includes('/pay/orderquery'));
      expect(dispatchInterrupt()).toBe(true);
      expect(await cli.done).toBe(0);
      expect(cli.stdout()).toBe(`${url}\n`);
      const log = stripVTControlCharacters(cli.stderr());
      expect(log).toContain('POST /pay/orderquery 200 FAIL ORDERNOTEXIST');
      expect(log).toContain('Simulator stopped after 1 request.');
      if (!tty) expect(cli.stderr()).toBe(log);
      await expect(fetch(`${url}/__wxpay/health`)).rejects.toThrow();
    },
  );

  it('prints one JSON document with --json and serves an added merchant', async () => {
    const dir = tempConfigDir();
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${CASE_MERCHANT.key}\n`);
    const cli = liveCli(
      [
        'mock',
        'serve',
        '--json',
        '--appid',
        'wx0123456789abcdef',
        '--mch-id',
        '1900000110',
        '--key-file',
        keyFile,
      ],
      { WXPAY_CONFIG_DIR: dir },
    );
    await cli.waitFor(() => cli.stdout().trim().endsWith('}'));
    const doc = JSON.parse(cli.stdout());
    expect(doc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.state_file).toBe(join(dir, 'mock', 'state.json'));
    expect(doc.merchants).toContainEqual({
      mch_id: '1900000110',
      appids: ['wx0123456789abcdef'],
    });
    const answer = await callPay(
      doc,
      '/pay/orderquery',
      {
        appid: 'wx0123456789abcdef',
        mch_id: '1900000110',
        out_trade_no: 'NEVERSEEN1',
      },
      { key: CASE_MERCHANT.key },
    );
    expect(answer.fields.err_code).toBe('ORDERNOTEXIST');
    dispatchInterrupt();
    expect(await cli.done).toBe(0);
  });

  it('refuses a host other than this machine without --allow-remote', async () => {
    const result = await runCli(['mock', 'serve', '--host', '0.0.0.0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Refusing to listen on 0.0.0.0');
    expect(result.stderr).toContain('--allow-remote');
    expect(result.stdout).toBe('');
  });

  it('needs all three merchant flags together', async () => {
    const result = await runCli([
      'mock',
      'serve',
      '--appid',
      'wx0123456789abcdef',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing --mch-id, --key-file');
  });
});

describe('wxpay mock pay', () => {
  it('pays an order from the state file and retries the notification until acknowledged', async () => {
    const dir = tempConfigDir();
    const handler = await notifyHandler([
      { status: 500, body: 'busy' },
      { status: 200, body: ACK },
    ]);
    const no = await orderIn(dir, { notify_url: handler.url });
    const result = await runCli(['mock', 'pay', no, '--speed', '100000'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d{28}\n$/);
    expect(handler.calls()).toBe(2);
    expect(result.stderr).toContain('payment notification 1/16');
    expect(result.stderr).toContain('HTTP 500: WeChat accepts only 200');
    expect(result.stderr).toContain('payment notification 2/16');
    expect(result.stderr).toContain('acknowledged');
    const sim = await testSimulator({ configDir: dir });
    const query = await callPay(sim, '/pay/orderquery', { out_trade_no: no });
    expect(query.fields.trade_state).toBe('SUCCESS');
    expect(query.fields.transaction_id).toBe(result.stdout.trim());
  });

  it('exits 1 when the handler never acknowledges, with --json as one document', async () => {
    const dir = tempConfigDir();
    const handler = await notifyHandler([{ status: 200, body: 'success' }]);
    const no = await orderIn(dir, { notify_url: handler.url });
    const result = await runCli(
      ['mock', 'pay', no, '--speed', '1000000', '--json'],
      {
        env: { WXPAY_CONFIG_DIR: dir },
      },
    );
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      out_trade_no: no,
      notification: { url: handler.url, acknowledged: false, attempts: 16 },
    });
    expect(result.stderr).toContain('never acknowledged');
  });

  it('exits 1 when --timeout passes before an acknowledgement', async () => {
    const dir = tempConfigDir();
    const handler = await notifyHandler([{ status: 500, body: '' }]);
    const no = await orderIn(dir, { notify_url: handler.url });
    const result = await runCli(['mock', 'pay', no, '--timeout', '1s'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(1);
    expect(handler.calls()).toBe(1);
    expect(result.stderr).toContain('--speed 60');
    expect(result.stderr).toContain('within --timeout 1s');
  });

  it('only marks paid with --no-notify, and says so for the demo placeholder notify_url', async () => {
    const dir = tempConfigDir();
    const quiet = await orderIn(dir, {
      notify_url: 'http://127.0.0.1:1/never',
    });
    const result = await runCli(['mock', 'pay', quiet, '--no-notify'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('No notification sent (--no-notify).');
    const demo = await orderIn(dir, {
      notify_url: 'http://127.0.0.1:9/wxpay/notify',
    });
    const placeholder = await runCli(['mock', 'pay', demo], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(placeholder.code).toBe(0);
    expect(placeholder.stderr).toContain('demo placeholder');
  });

  it('prints only the transaction_id on stdout, on a terminal too', async () => {
    const dir = tempConfigDir();
    const no = await orderIn(dir);
    const result = await runCli(['mock', 'pay', no, '--no-notify'], {
      env: { WXPAY_CONFIG_DIR: dir },
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d{28}\n$/);
    expect(stripVTControlCharacters(result.stderr)).toContain(
      `✓ Paid: ${no}, 0.01 yuan`,
    );
  });

  it('exits 2 for an order the simulator does not have', async () => {
    const result = await runCli(['mock', 'pay', 'NEVERSEEN1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No order NEVERSEEN1 in the simulator');
  });

  it('pays through a running simulator with --url', async () => {
    const handler = await notifyHandler([{ status: 200, body: ACK }]);
    const sim = await testSimulator();
    const params = orderParams({ notify_url: handler.url });
    await callPay(sim, '/pay/unifiedorder', params);
    const result = await runCli([
      'mock',
      'pay',
      params.out_trade_no!,
      '--url',
      sim.url,
    ]);
    expect(result.code).toBe(0);
    expect(handler.calls()).toBe(1);
    const query = await callPay(sim, '/pay/orderquery', {
      out_trade_no: params.out_trade_no,
    });
    expect(query.fields.trade_state).toBe('SUCCESS');
  });

  it('exits 3 when nothing answers at --url', async () => {
    const result = await runCli([
      'mock',
      'pay',
      'ORDER00001',
      '--url',
      'http://127.0.0.1:1',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Cannot reach the simulator');
  });
});

describe('wxpay mock fault and reset', () => {
  it('sets faults in the state file that the embedded simulator then applies', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const set = await runCli(
      [
        'mock',
        'fault',
        '--path',
        '/pay/orderquery',
        '--err-code',
        'SYSTEMERROR',
        '--count',
        '1',
      ],
      { env },
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /^[0-9a-f]{8}\t\/pay\/orderquery\terr_code SYSTEMERROR\t1 more\n$/,
    );
    const sim = await testSimulator({ configDir: dir });
    const faulted = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(faulted.fields.err_code).toBe('SYSTEMERROR');
    const listed = await runCli(['mock', 'fault', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual({ faults: [] });
  });

  it('lists with a header on a terminal and clears', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    await runCli(['mock', 'fault', '--latency', '2s'], { env });
    const tty = await runCli(['mock', 'fault'], { env, tty: true });
    expect(stripVTControlCharacters(tty.stdout)).toMatch(
      /^id\tpath\teffect\tapplies to\n[0-9a-f]{8}\t\*\t\+2000 ms\tevery request\n$/,
    );
    const cleared = await runCli(['mock', 'fault', '--clear'], { env });
    expect(cleared.stderr).toContain('Removed 1 fault.');
    expect(cleared.stderr).toContain('No faults');
  });

  it('refuses two effects at once', async () => {
    const result = await runCli(['mock', 'fault', '--drop', '--latency', '10']);
    expect(result.code).toBe(2);
  });

  it('works on a running simulator with --url', async () => {
    const sim = await testSimulator();
    const result = await runCli([
      'mock',
      'fault',
      '--url',
      sim.url,
      '--http-status',
      '502',
      '--count',
      '1',
    ]);
    expect(result.code).toBe(0);
    const answer = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
    });
    expect(answer.status).toBe(502);
  });

  it('reset says where on stderr and prints nothing on stdout', async () => {
    const dir = tempConfigDir();
    const result = await runCli(['mock', 'reset'], {
      env: { WXPAY_CONFIG_DIR: dir },
      tty: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(stripVTControlCharacters(result.stderr)).toContain(
      `Simulator state cleared (${join(dir, 'mock', 'state.json')}).`,
    );
  });

  it('reset forgets the orders', async () => {
    const dir = tempConfigDir();
    const no = await orderIn(dir);
    const result = await runCli(['mock', 'reset', '--json'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      reset: true,
      target: join(dir, 'mock', 'state.json'),
    });
    const sim = await testSimulator({ configDir: dir });
    const query = await callPay(sim, '/pay/orderquery', { out_trade_no: no });
    expect(query.fields.err_code).toBe('ORDERNOTEXIST');
  });
});

describe('the embedded simulator (mock-runtime)', () => {
  it('serves one base URL for pay and mini-program paths over the config folder state, then stops', async () => {
    const dir = tempConfigDir();
    const io: CliIO = {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: Readable.from([]),
      env: { WXPAY_CONFIG_DIR: dir },
    };
    const ctx = await Context.create(io, { mock: true });
    const params = orderParams();
    const url = await withSimulator(ctx, async (baseUrl) => {
      const answer = await callPay(
        { url: baseUrl },
        '/pay/unifiedorder',
        params,
      );
      expect(answer.fields.result_code).toBe('SUCCESS');
      const login = await fetch(
        `${baseUrl}/sns/jscode2session?appid=wxd0c0ffee00d0c0de&secret=0123456789abcdef0123456789abcdef&js_code=embedded01&grant_type=authorization_code`,
      );
      expect((await login.json()).openid).toMatch(/^o/);
      return baseUrl;
    });
    await expect(fetch(`${url}/__wxpay/health`)).rejects.toThrow();
    const again = await testSimulator({ configDir: dir });
    const query = await callPay(again, '/pay/orderquery', {
      out_trade_no: params.out_trade_no,
    });
    expect(query.fields.trade_state).toBe('NOTPAY');
  });
});
