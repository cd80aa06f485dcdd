import { PassThrough, Readable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { tempConfigDir } from '../helpers/cli.js';

/**
 * Runs `wxpay notify listen …` in this process until stop() sends it a
 * Ctrl-C; the URL is read from its stderr announcement.
 */
export async function startListen(
  args: string[],
  options: { env?: Record<string, string>; tty?: boolean } = {},
) {
  const text = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean };
    s.isTTY = options.tty ?? false;
    s.on('data', (chunk: Buffer) => (text[name] += chunk.toString('utf8')));
    return s;
  };
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  const io: CliIO = {
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    stdin,
    env: { WXPAY_CONFIG_DIR: tempConfigDir(), ...options.env },
  };
  const done = main(['notify', 'listen', '--port', '0', ...args], io);
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      dispatchInterrupt();
    }
    const code = await done;
    await new Promise((resolve) => setImmediate(resolve));
    return { code, ...text };
  };
  onTestFinished(async () => {
    await stop();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /Listening for notifications on (\S+)/.exec(text.stderr);
      if (match) {
        clearInterval(check);
        resolve(match[1]);
      }
    }, 5);
    void done.then((code) => {
      clearInterval(check);
      reject(new Error(`listen ended with ${code}: ${text.stderr}`));
    });
  });
  return { url, stop, text };
}

/** POSTs a body to the listener and returns status, type and reply. */
export async function post(
  url: string,
  body: string | Buffer,
  method = 'POST',
): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url, {
    method,
    body:
      method !== 'POST'
        ? undefined
        : typeof body === 'string'
          ? body
          : new Uint8Array(body),
    headers: { 'Content-Type': 'text/xml' },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}
