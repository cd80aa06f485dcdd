import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { kfRoutes } from '../../src/sim/kf/routes.js';
import type { SimRoute, SimServices } from '../../src/sim/router.js';
import { memoryStateStore } from '../../src/sim/state-store.js';
import { dispatchInterrupt } from '../../src/cli/interrupt.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { tempConfigDir } from '../helpers/cli.js';

export interface TestSim {
  url: string;
  /** Moves the simulator clock (seconds). */
  advance(seconds: number): void;
  setNow(seconds: number): void;
  nowSeconds(): number;
  /** Every request the simulator saw: method and path (no query). */
  calls: { method: string; path: string; query: string; body: string }[];
  services: SimServices;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * The kf simulator routes on 127.0.0.1 with in-memory state and a clock
 * the test moves; closed when the test ends.
 */
export async function startTestSim(
  routes: SimRoute[] = kfRoutes,
  startSeconds = 1_718_300_000,
): Promise<TestSim> {
  let now = startSeconds;
  const store = memoryStateStore();
  const services: SimServices = {
    now: () => new Date(now * 1000),
    withState: (area, update) => store.withState(area, update),
  };
  const calls: TestSim['calls'] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(request);
    calls.push({
      method: request.method ?? '',
      path: url.pathname,
      query: url.search,
      body: body.toString('utf8'),
    });
    const route = routes.find(
      (r) => r.method === request.method && r.path === url.pathname,
    );
    if (!route) {
      response.writeHead(404).end('not found');
      return;
    }
    const answer = await route.handle(
      {
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
      },
      services,
    );
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  onTestFinished(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    advance: (seconds) => {
      now += seconds;
    },
    setNow: (seconds) => {
      now = seconds;
    },
    nowSeconds: () => now,
    calls,
    services,
  };
}

/** POSTs JSON to the simulator and returns the parsed answer. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

export interface LiveCli {
  /** Resolves with the first stderr match of `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stdout(): string;
  stderr(): string;
  done: Promise<number>;
}

/**
 * Runs a long-lived command (kf listen) in this process with streams the
 * test can watch while it runs.
 */
export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  tty = false,
): LiveCli {
  const out = new PassThrough() as PassThrough & { isTTY?: boolean };
  const err = new PassThrough() as PassThrough & { isTTY?: boolean };
  out.isTTY = tty;
  err.isTTY = tty;
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (c: Buffer) => outChunks.push(c));
  err.on('data', (c: Buffer) => errChunks.push(c));
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  stdin.isTTY = false;
  const io: CliIO = {
    stdout: out,
    stderr: err,
    stdin,
    env: { WXPAY_CONFIG_DIR: env.WXPAY_CONFIG_DIR ?? tempConfigDir(), ...env },
  };
  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
  return {
    done: main(args, io),
    stdout: () => text(outChunks),
    stderr: () => text(errChunks),
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text(errChunks));
          if (match) {
            err.off('data', check);
            resolve(match);
          }
        };
        err.on('data', check);
        check();
        setTimeout(
          () =>
            reject(
              new Error(`timed out waiting for ${pattern}: ${text(errChunks)}`),
            ),
          15_000,
        ).unref();
      });
    },
  };
}

/** The identities of the customer-service cases (cases README, COMMON). */
export const KF_TOKEN = 'wxpayKfToken2024';
export const KF_AES = 'WxPayCases2KfSafeModeAesKeyForTestsOnly2025';
export const KF_APPID = 'wx0123456789abcdef';
export const KF_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const KF_ENV = {
  WXPAY_KF_TOKEN: KF_TOKEN,
  WXPAY_KF_AES_KEY: KF_AES,
  WXPAY_APPID: KF_APPID,
};

/** A fresh config folder whose default profile is `profile`. */
export function profileDir(profile: Record<string, string>): string {
  const dir = tempConfigDir();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ current: 'default', profiles: { default: profile } }),
  );
  return dir;
}

/** The case app with its AppSecret, talking to `mpBaseUrl`. */
export function mpProfileDir(
  mpBaseUrl: string,
  extra: Record<string, string> = {},
): string {
  return profileDir({
    appid: KF_APPID,
    app_secret: KF_SECRET,
    mp_base_url: mpBaseUrl,
    ...extra,
  });
}

/** `wxpay kf listen --port 0` in this process, stopped when the test ends. */
export async function startListener(
  args: string[] = [],
  env: Record<string, string> = KF_ENV,
  tty = false,
): Promise<{ cli: LiveCli; base: string }> {
  const cli = startCli(['kf', 'listen', '--port', '0', ...args], env, tty);
  const [, port] = await cli.waitFor(
    /Listening on http:\/\/127\.0\.0\.1:(\d+)\//,
  );
  onTestFinished(async () => {
    if (dispatchInterrupt()) await cli.done;
  });
  return { cli, base: `http://127.0.0.1:${port}` };
}
