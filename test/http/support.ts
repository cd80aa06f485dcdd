import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { onTestFinished } from 'vitest';
import { PayClient } from '../../src/core/http/client.js';
import type { PayClientOptions, PayEvent } from '../../src/core/http/types.js';
import { sign, type SignType } from '../../src/core/sign.js';
import { buildXml, parseXml } from '../../src/core/xml.js';

/** The identities of the shared cases (README "COMMON.json"). */
export const APPID = 'wx0123456789abcdef';
export const MCH_ID = '1900000109';
export const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
export const APP_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
/** Reserved .test names: MockAgent only, never resolvable. */
export const PRIMARY = 'https://api.wxpay.test';
export const BACKUP = 'https://api2.wxpay.test';
export const MP = 'https://mp.wxpay.test';

/** A signed answer as WeChat builds it (no sign_type, like WeChat). */
export function signedAnswer(
  fields: Record<string, string>,
  options: { key?: string; signType?: SignType } = {},
): string {
  const full = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: APPID,
    mch_id: MCH_ID,
    nonce_str: 'answerNonce0001',
    result_code: 'SUCCESS',
    ...fields,
  };
  const signature = sign(full, options.key ?? KEY, options.signType ?? 'MD5');
  return buildXml({ ...full, sign: signature });
}

/** A MockAgent that refuses real connections and checks it was used up. */
export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  onTestFinished(async () => {
    try {
      agent.assertNoPendingInterceptors();
    } finally {
      await agent.close();
    }
  });
  return agent;
}

export function makeClient(overrides: Partial<PayClientOptions> = {}): {
  client: PayClient;
  events: PayEvent[];
  sleeps: number[];
} {
  const events: PayEvent[] = [];
  const sleeps: number[] = [];
  const client = new PayClient({
    baseUrl: PRIMARY,
    mpBaseUrl: MP,
    appid: APPID,
    mchId: MCH_ID,
    key: KEY,
    appSecret: APP_SECRET,
    timeoutMs: 2000,
    onEvent: (event) => events.push(event),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, events, sleeps };
}

export function fieldsOf(body: unknown): Record<string, string> {
  return parseXml(String(body)).fields;
}

export interface LocalServer {
  url: string;
  server: Server;
  requests: { path: string; body: string }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1, port 0, closed when the test ends. */
export async function localServer(
  handle: (
    req: IncomingMessage,
    body: string,
  ) => { status?: number; body: string } | 'hang' | 'destroy',
): Promise<LocalServer> {
  const requests: { path: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', body });
      const answer = handle(req, body);
      if (answer === 'hang') return;
      if (answer === 'destroy') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  onTestFinished(close);
  return { url: `http://127.0.0.1:${port}`, server, requests, close };
}

/** Registers one MockAgent answer for a POST to `path` on `origin`. */
export function answer(
  agent: MockAgent,
  body: string | ((opts: { body?: unknown }) => string),
  path = '/pay/orderquery',
  origin = PRIMARY,
) {
  return agent
    .get(origin)
    .intercept({ path, method: 'POST' })
    .reply(200, typeof body === 'string' ? () => body : body);
}
