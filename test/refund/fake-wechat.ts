import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { PayClient } from '../../src/core/http/client.js';
import type { PayClientOptions } from '../../src/core/http/types.js';
import { sign, type SignType } from '../../src/core/sign.js';
import { buildXml, parseXml } from '../../src/core/xml.js';
import { makeCert, writeP12 } from '../cert/make-certs.js';
import { tempConfigDir } from '../helpers/cli.js';

/**
 * A tiny stand-in for WeChat on 127.0.0.1 for these tests: each path gets a
 * handler that sees the request fields and returns either fields to answer
 * as signed XML, or a raw body (bills). Every request is recorded.
 */
export interface FakeReply {
  /** Answer fields; appid, mch_id, nonce_str and sign are added. */
  fields?: Record<string, string>;
  /** Sent as is (a bill, an unsigned error document). */
  raw?: string | Buffer;
  status?: number;
  headers?: Record<string, string>;
}

export type FakeHandler = (
  params: Record<string, string>,
  index: number,
) => FakeReply;

export interface FakeWeChat {
  url: string;
  requests: { path: string; params: Record<string, string> }[];
}

export const FAKE_MERCHANT = {
  appid: 'wx0123456789abcdef',
  mch_id: '1900000109',
  key: '0123456789abcdef0123456789abcdef',
};

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeWeChat(
  handlers: Record<string, FakeHandler>,
): Promise<FakeWeChat> {
  const requests: FakeWeChat['requests'] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    void body(request).then((text) => {
      const path = (request.url ?? '').split('?')[0];
      const params = parseXml(text).fields;
      requests.push({ path, params });
      const index = counts.get(path) ?? 0;
      counts.set(path, index + 1);
      const handler = handlers[path];
      if (!handler) {
        response.writeHead(404).end();
        return;
      }
      const reply = handler(params, index);
      const signType = (params.sign_type as SignType) ?? 'MD5';
      const payload =
        reply.raw ?? signedXml(reply.fields ?? {}, signType, params.nonce_str);
      response.writeHead(reply.status ?? 200, {
        'content-type': 'text/plain',
        ...reply.headers,
      });
      response.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests };
}

/** A signed SUCCESS answer (return_code and result_code default SUCCESS). */
export function signedXml(
  fields: Record<string, string>,
  signType: SignType = 'MD5',
  nonce = 'fakenonce',
): string {
  const all: Record<string, string> = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: FAKE_MERCHANT.appid,
    mch_id: FAKE_MERCHANT.mch_id,
    nonce_str: `${nonce}x`.slice(0, 32),
    result_code: 'SUCCESS',
    ...fields,
  };
  if (all.return_code !== 'SUCCESS') {
    return buildXml({
      return_code: all.return_code,
      return_msg: all.return_msg,
    });
  }
  all.sign = sign(all, FAKE_MERCHANT.key, signType);
  return buildXml(all);
}

/** A refused business answer, e.g. ORDERNOTEXIST. */
export function refusal(errCode: string, des = errCode): FakeReply {
  return {
    fields: { result_code: 'FAIL', err_code: errCode, err_code_des: des },
  };
}

/** A client of the fake merchant talking to `url`, no backup host. */
export function fakeClient(
  url: string,
  options: Partial<PayClientOptions> = {},
): PayClient {
  return new PayClient({
    baseUrl: url,
    backupBaseUrl: null,
    appid: FAKE_MERCHANT.appid,
    mchId: FAKE_MERCHANT.mch_id,
    key: FAKE_MERCHANT.key,
    retryDelayMs: 1,
    sleep: async () => undefined,
    ...options,
  });
}

/**
 * A config folder whose current profile is the fake merchant at `url`,
 * with a freshly made certificate (passphrase: the mch_id) when asked.
 */
export function fakeProfileDir(url: string, withCert: boolean): string {
  const dir = tempConfigDir();
  const profile: Record<string, string> = { ...FAKE_MERCHANT, base_url: url };
  if (withCert) {
    profile.cert_p12 = writeP12(dir, makeCert(), FAKE_MERCHANT.mch_id);
  }
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ current: 'default', profiles: { default: profile } }),
  );
  return dir;
}
