import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { runCli, tempConfigDir } from '../helpers/cli.js';
import { callPay, orderParams, testSimulator } from './helpers.js';

/** A port on 127.0.0.1 that was free a moment ago and is closed now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A notify handler that always answers `body` with `status`. */
async function handler(status: number, body: string) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function orderIn(dir: string, notifyUrl: string): Promise<string> {
  const sim = await startSimulator({ configDir: dir });
  try {
    const params = orderParams({ notify_url: notifyUrl });
    const answer = await callPay(sim, '/pay/unifiedorder', params);
    expect(answer.fields.result_code).toBe('SUCCESS');
    return params.out_trade_no!;
  } finally {
    await sim.close();
  }
}

/** The lines `mock pay` wrote about notification attempts. */
function attemptLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes(' notification '));
}

describe('wxpay mock pay: retry lines read as sentences', () => {
  // --speed 1000000 turns the first 15 s wait into 0.015 ms, shown as 0 ms.
  it('a refused connection: "…ECONNREFUSED. Next attempt in …."', async () => {
    const dir = tempConfigDir();
    const port = await closedPort();
    const no = await orderIn(dir, `http://127.0.0.1:${port}/notify`);
    const result = await runCli(['mock', 'pay', no, '--speed', '1000000'], {
      env: { WXPAY_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(1);
    const lines = attemptLines(result.stderr);
    expect(lines).toHaveLength(16);
    expect(lines[0]).toBe(
      `payment notification 1/16 → http://127.0.0.1:${port}/notify: Cannot reach http://127.0.0.1:${port}: ECONNREFUSED. Next attempt in 0 ms.`,
    );
    expect(lines[15]).toMatch(/: ECONNREFUSED\.$/);
    expect(result.stderr).not.toMatch(/\.;|\.\./);
  });

  it('a FAIL reply: "…send the notification again. Next attempt in …."', async () => {
    const dir = tempConfigDir();
    const fail = await handler(
      200,
      '<xml><return_code>FAIL</return_code><return_msg>BUSY</return_msg></xml>',
    );
    try {
      const no = await orderIn(dir, fail.url);
      const result = await runCli(['mock', 'pay', no, '--speed', '1000000'], {
        env: { WXPAY_CONFIG_DIR: dir },
      });
      expect(result.code).toBe(1);
      expect(attemptLines(result.stderr)[1]).toBe(
        `payment notification 2/16 → ${fail.url}: return_code is FAIL (BUSY): WeChat will send the notification again. Next attempt in 0 ms.`,
      );
      expect(result.stderr).not.toMatch(/\.;/);
    } finally {
      await fail.close();
    }
  });
});

describe('wxpay mock fault --clear ID', () => {
  it('exits 2 naming an id that is not in force, and removes nothing', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    await runCli(['mock', 'fault', '--latency', '5'], { env });
    const result = await runCli(['mock', 'fault', '--clear', 'nonexist'], {
      env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: No fault "nonexist" in force; nothing was removed.',
    );
    expect(result.stderr).not.toContain('Removed 0');
    const listed = await runCli(['mock', 'fault', '--json'], { env });
    expect(JSON.parse(listed.stdout).faults).toHaveLength(1);
  });

  it('exits 2 the same way against a running simulator (--url)', async () => {
    const sim = await testSimulator();
    const result = await runCli([
      'mock',
      'fault',
      '--url',
      sim.url,
      '--clear',
      'nonexist',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No fault "nonexist" in force');
  });

  it('still clears an id that exists, and "--clear" alone on none is fine', async () => {
    const dir = tempConfigDir();
    const env = { WXPAY_CONFIG_DIR: dir };
    const added = await runCli(['mock', 'fault', '--latency', '5', '--json'], {
      env,
    });
    const [fault] = JSON.parse(added.stdout).faults;
    const cleared = await runCli(['mock', 'fault', '--clear', fault.id], {
      env,
    });
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toContain('Removed 1 fault.');
    const none = await runCli(['mock', 'fault', '--clear'], { env });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('Removed 0 faults.');
  });
});

describe('the admin API answers in JSON, refusals included', () => {
  it('413 for a body over the server cap is JSON', async () => {
    const sim = await testSimulator({ maxBodyBytes: 1024 });
    const response = await fetch(`${sim.url}/__wxpay/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '*', latency_ms: 1, pad: 'x'.repeat(2000) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('413 for a body over the admin cap (64 KiB) is JSON, not "not JSON"', async () => {
    const sim = await testSimulator();
    const response = await fetch(`${sim.url}/__wxpay/faults`, {
      method: 'POST',
      body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('an unknown admin path is a JSON 404; a pay path keeps WeChat’s XML', async () => {
    const sim = await testSimulator();
    const admin = await fetch(`${sim.url}/__wxpay/nope`);
    expect(admin.status).toBe(404);
    expect(await admin.json()).toEqual({
      error: 'No admin endpoint /__wxpay/nope.',
      code: 'NOT_FOUND',
    });
    const pay = await fetch(`${sim.url}/pay/nope`, { method: 'POST' });
    expect(pay.status).toBe(404);
    expect(await pay.text()).toMatch(/^<xml><return_code>/);
  });
});
