import { onTestFinished } from 'vitest';
import { nonceStr } from '../../src/core/fields.js';
import { sign, verify, type SignType } from '../../src/core/sign.js';
import { buildXml, parseXml } from '../../src/core/xml.js';
import { DEMO_PROFILE } from '../../src/sim/demo.js';
import {
  startSimulator,
  type RunningSimulator,
  type StartSimulatorOptions,
} from '../../src/sim/index.js';
import type { SimMerchant } from '../../src/sim/merchants.js';

/** The made-up merchant of the shared cases (cases/README.md). */
export const CASE_MERCHANT: SimMerchant = {
  appids: ['wx0123456789abcdef'],
  mch_id: '1900000109',
  key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
};

export const DEMO = {
  appid: DEMO_PROFILE.appid!,
  mch_id: DEMO_PROFILE.mch_id!,
  key: DEMO_PROFILE.key!,
  app_secret: DEMO_PROFILE.app_secret!,
};

/** A simulator on 127.0.0.1:0 with state in memory, closed after the test. */
export async function testSimulator(
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const sim = await startSimulator(options);
  onTestFinished(() => sim.close());
  return sim;
}

export interface PayAnswer {
  status: number;
  text: string;
  fields: Record<string, string>;
}

/** Posts a raw body to a simulator path. */
export async function postRaw(
  url: string,
  body: string | Buffer,
  method = 'POST',
): Promise<PayAnswer> {
  const response = await fetch(url, {
    method,
    body: method === 'GET' ? undefined : new Uint8Array(Buffer.from(body)),
  });
  const text = await response.text();
  let fields: Record<string, string> = {};
  try {
    fields = parseXml(text).fields;
  } catch {
    // Not XML (bills); the test looks at text.
  }
  return { status: response.status, text, fields };
}

export interface CallOptions {
  key?: string;
  signType?: SignType;
  /** Send sign_type in the request (default: when HMAC). */
  declareSignType?: boolean;
}

/**
 * Signs parameters like a merchant would (demo credentials unless given)
 * and posts them.
 */
export async function callPay(
  sim: { url: string },
  path: string,
  params: Record<string, string | undefined>,
  options: CallOptions = {},
): Promise<PayAnswer> {
  const signType = options.signType ?? 'MD5';
  const fields: Record<string, string | undefined> = {
    appid: DEMO.appid,
    mch_id: DEMO.mch_id,
    nonce_str: nonceStr(),
    ...params,
  };
  if (options.declareSignType ?? signType === 'HMAC-SHA256') {
    fields.sign_type = signType;
  }
  fields.sign = sign(fields, options.key ?? DEMO.key, signType);
  return postRaw(`${sim.url}${path}`, buildXml(fields));
}

/** Checks a reply's signature with the key and sign type it should use. */
export function replyVerifies(
  fields: Record<string, string>,
  key = DEMO.key,
  signType: SignType = 'MD5',
): boolean {
  return verify(fields, key, { signType }).valid;
}

let orderSequence = 0;

/** A fresh valid out_trade_no. */
export function outTradeNo(prefix = 'T'): string {
  orderSequence += 1;
  return `${prefix}${Date.now()}${String(orderSequence).padStart(4, '0')}`;
}

/** unifiedorder parameters for a JSAPI order of 1 fen. */
export function orderParams(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    body: 'wxpay test',
    out_trade_no: outTradeNo(),
    total_fee: '1',
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/notify',
    trade_type: 'JSAPI',
    openid: 'oTESTopenid0000000000000000A',
    ...overrides,
  };
}

/** Creates an order and returns its out_trade_no. */
export async function createOrder(
  sim: RunningSimulator,
  overrides: Record<string, string | undefined> = {},
  options: CallOptions = {},
): Promise<string> {
  const params = orderParams(overrides);
  const answer = await callPay(sim, '/pay/unifiedorder', params, options);
  if (answer.fields.result_code !== 'SUCCESS') {
    throw new Error(`unifiedorder failed: ${answer.text}`);
  }
  return params.out_trade_no!;
}

/** Creates an order and pays it without a notification. */
export async function paidOrder(
  sim: RunningSimulator,
  overrides: Record<string, string | undefined> = {},
): Promise<{ outTradeNo: string; transactionId: string }> {
  const no = await createOrder(sim, overrides);
  const paid = await sim.payOrder(no, { notify: false });
  return { outTradeNo: no, transactionId: paid.order.transaction_id };
}
