import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { KF_ENV as ENV } from './helpers.js';

/** A merchant handler on 127.0.0.1 that answers as `answer` decides. */
async function handler(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response));
  });
  return `${await listening(server)}/kf`;
}

async function listening(
  server: Server | ReturnType<typeof createServer>,
): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port on 127.0.0.1 where nothing listens any more. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/kf`;
}

function echostrOf(request: IncomingMessage): string {
  return (
    new URL(request.url ?? '', 'http://x').searchParams.get('echostr') ?? ''
  );
}

const FLAVOURS: [string, string[]][] = [
  ['text push', []],
  ['verify', ['--type', 'verify']],
  ['forged push', ['--forged']],
  ['forged verify', ['--type', 'verify', '--forged']],
];

describe('kf trigger: exit codes by what happened on the wire', () => {
  it('a refused connection exits 3 in every flavour; --json prints one document saying unreachable', async () => {
    const to = await closedPort();
    const port = new URL(to).port;
    for (const [what, flags] of FLAVOURS) {
      const text = await runCli(['kf', 'trigger', '--to', to, ...flags], {
        env: ENV,
      });
      expect([what, text.code, text.stdout]).toEqual([what, 3, '']);
      expect(text.stderr).toContain(
        `error: Cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED).`,
      );
      const json = await runCli(
        ['kf', 'trigger', '--to', to, '--json', ...flags],
        { env: ENV },
      );
      expect([what, json.code]).toEqual([what, 3]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        verdict: 'unreachable',
        status: null,
        answer: null,
        error: { code: 'KF_HANDLER_UNREACHABLE', exit_code: 3 },
      });
    }
  });

  it('a connection accepted and dropped before any answer is unreachable (exit 3), as behind a dead tunnel', async () => {
    const server = createTcpServer((socket) => socket.destroy());
    const to = `${await listening(server)}/kf`;
    const result = await runCli(['kf', 'trigger', '--to', to, '--json'], {
      env: ENV,
    });
    expect(result.code).toBe(3);
    const doc = JSON.parse(result.stdout);
    expect(doc.verdict).toBe('unreachable');
    expect(doc.error.message).toMatch(/connection reset \(ECONNRESET\)/);
  });

  it('a handler that never answers is a wrong answer (exit 1) in every flavour, forged ones included', async () => {
    const to = await handler(() => undefined);
    const results = await Promise.all(
      FLAVOURS.map(([, flags]) =>
        runCli(['kf', 'trigger', '--to', to, '--json', ...flags], {
          env: ENV,
        }),
      ),
    );
    for (const [index, [what]] of FLAVOURS.entries()) {
      const result = results[index]!;
      expect([what, result.code]).toEqual([what, 1]);
      const doc = JSON.parse(result.stdout);
      expect([what, doc.ok, doc.verdict, doc.status]).toEqual([
        what,
        false,
        'wrong',
        null,
      ]);
      expect(doc.problems).toHaveLength(1);
      expect(doc.problems[0]).toMatch(/^No answer within 5 s, so WeChat/);
    }
  });

  it('verify against a hanging handler says "no answer within 5 s", not HTTP 0 or an empty answer', async () => {
    const to = await handler(() => undefined);
    const result = await runCli(
      ['kf', 'trigger', '--to', to, '--type', 'verify'],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail\twrong\ttimeout\t\d+ms\n$/);
    expect(result.stderr).toMatch(/^ {2}- No answer within 5 s, so WeChat/m);
    expect(result.stderr).not.toMatch(/HTTP 0|answer is empty/);
  });

  it('a handler that drops the connection mid-answer was reached: exit 1, "closed the connection", never "Cannot reach"', async () => {
    const to = await handler((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('succ');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const result = await runCli(['kf', 'trigger', '--to', to], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail\twrong\tclosed\t\d+ms\n$/);
    expect(result.stderr).toContain(
      '  - Your handler closed the connection without a complete answer (HTTP 200, 4 bytes of the body received).',
    );
    expect(result.stderr).not.toMatch(/Cannot reach|Start your push handler/);
    const tty = await runCli(['kf', 'trigger', '--to', to], {
      env: { ...ENV, NO_COLOR: '1' },
      tty: true,
    });
    expect(tty.code).toBe(1);
    expect(tty.stdout).toMatch(
      /^✗ POST did not answer as WeChat expects \(connection closed mid-answer, \d+ ms\)\n$/,
    );
    const json = await runCli(['kf', 'trigger', '--to', to, '--json'], {
      env: ENV,
    });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      verdict: 'wrong',
      status: null,
      answer: null,
      answer_bytes: 4,
    });
  });

  it('stops reading an endless answer after 1 MiB and reports it as too large (exit 1)', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const to = await handler((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!response.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      response.on('close', () => response.removeAllListeners('drain'));
      pump();
    });
    const result = await runCli(['kf', 'trigger', '--to', to, '--json'], {
      env: ENV,
    });
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      ok: false,
      verdict: 'wrong',
      status: 200,
      answer: null,
    });
    expect(doc.problems).toEqual([
      'The answer is too large: more than 1048576 bytes came back, so reading stopped there. WeChat expects success, an empty body or a short reply.',
    ]);
    expect(doc.answer_bytes).toBeGreaterThan(1024 * 1024);
    expect(doc.answer_bytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    // Reading stopped: the handler could not push much past the cap.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('--json gives one document for usage and config errors too', async () => {
    const missing = await runCli(['kf', 'trigger', '--json'], { env: ENV });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      verdict: 'error',
      error: { code: 'KF_TO_MISSING' },
    });
    const to = await handler((_request, response) => response.end('success'));
    const noToken = await runCli(['kf', 'trigger', '--to', to, '--json'], {
      env: {},
    });
    expect(noToken.code).toBe(4);
    expect(JSON.parse(noToken.stdout)).toMatchObject({
      ok: false,
      verdict: 'error',
      error: { code: 'KF_TOKEN_MISSING' },
    });
  });

  it('an answer WeChat accepts is the only exit 0', async () => {
    const ack = await handler((_request, response) => response.end('success'));
    const echo = await handler((request, response) =>
      response.end(echostrOf(request)),
    );
    const refuse = await handler((_request, response) =>
      response.writeHead(403).end('invalid signature'),
    );
    const cases: [string, string[], number, string][] = [
      ['ack', ['--to', ack], 0, 'ack'],
      ['echo', ['--to', echo, '--type', 'verify'], 0, 'echo'],
      ['forged refused', ['--to', refuse, '--forged'], 0, 'rejected'],
      [
        'forged verify refused',
        ['--to', refuse, '--forged', '--type', 'verify'],
        0,
        'rejected',
      ],
      ['403 to a real push', ['--to', refuse], 1, 'wrong'],
      ['forged push accepted', ['--to', ack, '--forged'], 1, 'wrong'],
      [
        'forged verify echoed',
        ['--to', echo, '--forged', '--type', 'verify'],
        1,
        'wrong',
      ],
    ];
    for (const [what, flags, code, verdict] of cases) {
      const result = await runCli(['kf', 'trigger', '--json', ...flags], {
        env: ENV,
      });
      const doc = JSON.parse(result.stdout);
      expect([what, result.code, doc.verdict, doc.ok]).toEqual([
        what,
        code,
        verdict,
        code === 0,
      ]);
    }
  });
});
