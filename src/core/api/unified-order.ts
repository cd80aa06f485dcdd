import { isIP } from 'node:net';
import { ApiError, InputError, NetworkError } from '../errors.js';
import {
  beijingTime,
  generateOutTradeNo,
  refuseFourByteChars,
  validateBody,
  validateOutTradeNo,
} from '../fields.js';
import type { PayClient } from '../http/client.js';
import { WeChatApiError } from '../http/errors.js';
import type { PayResult, PreparedRequest } from '../http/types.js';
import { canonicalize } from '../sign.js';
import type { LedgerRecord, OrderLedger } from './order-ledger.js';

export type TradeType = 'JSAPI' | 'NATIVE' | 'APP' | 'MWEB';
export const TRADE_TYPES: readonly TradeType[] = [
  'JSAPI',
  'NATIVE',
  'APP',
  'MWEB',
];

export const UNIFIEDORDER_PATH = '/pay/unifiedorder';

/**
 * The shortest order lifetime wxpay sends. Old docs require more than 5
 * minutes, newer text only recommends 1, and a server message says "刷卡至少
 * 1分钟，其他5分钟" (spec 8 and 11.1, UNCONFIRMED): 5 minutes is the reading
 * WeChat never refuses, for every trade_type wxpay creates.
 */
export const MIN_EXPIRE_MS = 5 * 60 * 1000;

export interface UnifiedOrderInput {
  body: string;
  /** The amount in fen. */
  totalFee: number;
  notifyUrl: string;
  tradeType?: TradeType;
  /** Generated when absent. */
  outTradeNo?: string;
  /** Required for JSAPI: the payer's openid under this appid. */
  openid?: string;
  attach?: string;
  /** Order lifetime from now; sets time_start and time_expire (Beijing). */
  expiresInMs?: number;
  /** spbill_create_ip; default 127.0.0.1, required for MWEB. */
  clientIp?: string;
  /** NATIVE's product_id; defaults to the out_trade_no. */
  productId?: string;
  /** Any further unifiedorder fields (detail, goods_tag, scene_info…). */
  extra?: Record<string, string>;
  now?: Date;
}

function fail(code: string, message: string, hint?: string): never {
  throw new InputError(code, message, hint ? { hint } : {});
}

function checkNotifyUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('NOTIFY_URL_INVALID', `notify_url "${value}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail('NOTIFY_URL_INVALID', 'notify_url must be an http(s) URL.');
  }
  // WeChat wants a directly reachable URL without parameters (spec 4.1).
  if (url.search !== '') {
    fail(
      'NOTIFY_URL_QUERY',
      'notify_url must not carry a query string (WeChat does not keep it).',
      'Put the information in attach, or in the path.',
    );
  }
  if (value.length > 256) {
    fail('NOTIFY_URL_TOO_LONG', 'notify_url is longer than 256 characters.');
  }
}

function checkInput(input: UnifiedOrderInput, tradeType: TradeType): void {
  if (!TRADE_TYPES.includes(tradeType)) {
    fail(
      'TRADE_TYPE_INVALID',
      `trade_type "${tradeType}" is not one of ${TRADE_TYPES.join(', ')}.`,
    );
  }
  validateBody(input.body);
  if (!Number.isSafeInteger(input.totalFee) || input.totalFee <= 0) {
    fail('AMOUNT_INVALID', 'total_fee must be a positive whole number of fen.');
  }
  if (tradeType === 'JSAPI' && !input.openid) {
    fail(
      'OPENID_REQUIRED',
      'A JSAPI (mini-program) order needs the payer openid.',
      'Pass --openid, or --js-code to resolve it through jscode2session.',
    );
  }
  if (input.attach && Buffer.byteLength(input.attach, 'utf8') > 127) {
    fail('ATTACH_TOO_LONG', 'attach is longer than 127 bytes of UTF-8.');
  }
  checkNotifyUrl(input.notifyUrl);
  if (input.clientIp !== undefined && isIP(input.clientIp) === 0) {
    fail(
      'CLIENT_IP_INVALID',
      `"${input.clientIp}" is not an IPv4 or IPv6 address.`,
    );
  }
  // H5 payment checks the payer's real IP against the page that opens it.
  if (tradeType === 'MWEB' && !input.clientIp) {
    fail(
      'CLIENT_IP_REQUIRED',
      "An MWEB (H5) order needs the payer's IP address.",
      'Pass --client-ip with the IP of the browser that will pay.',
    );
  }
  if (input.expiresInMs !== undefined && input.expiresInMs < MIN_EXPIRE_MS) {
    fail(
      'EXPIRE_TOO_SHORT',
      'The order would expire in under 5 minutes; WeChat refuses short time_expire values.',
      'Use --expire 5m or longer.',
    );
  }
}

/**
 * The unifiedorder business fields (everything except appid, mch_id,
 * nonce_str and the signature). Times are Beijing time whatever the
 * machine's TZ (case C16).
 */
export function buildUnifiedOrderFields(
  input: UnifiedOrderInput,
): Record<string, string> {
  const tradeType = input.tradeType ?? 'JSAPI';
  checkInput(input, tradeType);
  const outTradeNo = input.outTradeNo
    ? validateOutTradeNo(input.outTradeNo)
    : generateOutTradeNo();
  const fields: Record<string, string> = {
    body: input.body,
    out_trade_no: outTradeNo,
    total_fee: String(input.totalFee),
    spbill_create_ip: input.clientIp ?? '127.0.0.1',
    notify_url: input.notifyUrl,
    trade_type: tradeType,
  };
  if (input.openid) fields.openid = input.openid;
  if (input.attach) fields.attach = input.attach;
  if (tradeType === 'NATIVE') fields.product_id = input.productId ?? outTradeNo;
  if (input.expiresInMs !== undefined) {
    const now = input.now ?? new Date();
    fields.time_start = beijingTime(now);
    fields.time_expire = beijingTime(
      new Date(now.getTime() + input.expiresInMs),
    );
  }
  Object.assign(fields, input.extra ?? {});
  refuseFourByteChars(fields);
  return fields;
}

/**
 * Fields that do not define the order: a re-sent request may change them
 * (spec 4.1). time_start is not business either: it is replaced by the
 * stored one on re-entry.
 */
const NOT_BUSINESS = new Set([
  'nonce_str',
  'sign',
  'sign_type',
  'spbill_create_ip',
  'time_start',
]);

/**
 * The business-field fingerprint of a unifiedorder request: WeChat's
 * stringA over the fields that must stay equal on re-entry, e.g.
 * `appid=…&body=…&mch_id=…&notify_url=…&openid=…&out_trade_no=…&
 * time_expire=…&total_fee=690&trade_type=JSAPI` (case C18).
 */
export function orderFingerprint(params: Record<string, string>): string {
  const business: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!NOT_BUSINESS.has(name)) business[name] = value;
  }
  return canonicalize(business).stringA;
}

/** Names of the business fields that differ between two requests. */
export function changedFields(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((name) => !NOT_BUSINESS.has(name))
    .filter((name) => (before[name] ?? '') !== (after[name] ?? ''))
    .sort();
}

export interface UnifiedOrderOptions {
  ledger?: OrderLedger;
  /** Separates ledgers of different hosts (default: the client's base URL). */
  scope?: string;
}

export interface PreparedOrder {
  request: PreparedRequest;
  outTradeNo: string;
  ledgerKey: string;
  /** The out_trade_no was created before with the same parameters. */
  reentry: boolean;
  /** The stored time window replaced a newly asked one (re-entry). */
  keptTimeWindow: boolean;
  previous?: LedgerRecord;
}

/** The ledger key of an order: host scope, mch_id and out_trade_no. */
export function orderLedgerKey(
  client: PayClient,
  scope: string | undefined,
  outTradeNo: string,
): string {
  return `${scope ?? client.baseUrl}|${client.mchId}|${outTradeNo}`;
}

/**
 * Signs a unifiedorder request and checks it against the ledger: a known
 * out_trade_no keeps its original time window (time_expire can only be set
 * by the first request, spec 8), and any other change is refused before
 * calling (case C18), since WeChat would answer 201 商户订单号重复.
 */
export async function prepareUnifiedOrder(
  client: PayClient,
  input: UnifiedOrderInput,
  options: UnifiedOrderOptions = {},
): Promise<PreparedOrder> {
  const fields = buildUnifiedOrderFields(input);
  const key = orderLedgerKey(client, options.scope, fields.out_trade_no);
  const previous = await options.ledger?.get(key);
  let keptTimeWindow = false;
  if (previous) {
    for (const name of ['time_start', 'time_expire']) {
      const stored = previous.fields[name];
      if (fields[name] !== stored)
        keptTimeWindow ||= fields[name] !== undefined;
      if (stored === undefined) delete fields[name];
      else fields[name] = stored;
    }
  }
  const request = client.prepare(UNIFIEDORDER_PATH, fields);
  if (previous && orderFingerprint(request.params) !== previous.fingerprint) {
    refuseReuse(fields.out_trade_no, previous.fields, request.params);
  }
  return {
    request,
    outTradeNo: fields.out_trade_no,
    ledgerKey: key,
    reentry: previous !== undefined,
    keptTimeWindow,
    previous,
  };
}

function refuseReuse(
  outTradeNo: string,
  before: Record<string, string>,
  after: Record<string, string>,
): never {
  const changed = changedFields(before, after);
  throw new InputError(
    'OUT_TRADE_NO_REUSED',
    `out_trade_no ${outTradeNo} was already used with other parameters (${changed.join(', ')} changed); WeChat would refuse it with 201 商户订单号重复.`,
    {
      hint: 'Leave out --out-trade-no to get a new one, or re-send the original values to get the original prepay_id.',
      details: {
        out_trade_no: outTradeNo,
        changed,
        class: 'out_trade_no_reused_with_different_params',
      },
    },
  );
}

export interface UnifiedOrderResult {
  out_trade_no: string;
  prepay_id: string;
  trade_type: string;
  code_url?: string;
  mweb_url?: string;
  reentry: boolean;
  keptTimeWindow: boolean;
  result: PayResult;
}

/** Records the order once WeChat may know it (accepted or unknown). */
async function remember(
  options: UnifiedOrderOptions,
  prepared: PreparedOrder,
  answer?: Record<string, string>,
): Promise<void> {
  if (!options.ledger) return;
  const { params } = prepared.request;
  await options.ledger.put(prepared.ledgerKey, {
    fingerprint: orderFingerprint(params),
    fields: Object.fromEntries(
      Object.entries(params).filter(([n]) => n !== 'sign' && n !== 'nonce_str'),
    ),
    prepay_id: answer?.prepay_id ?? prepared.previous?.prepay_id,
    code_url: answer?.code_url ?? prepared.previous?.code_url,
    created_at: prepared.previous?.created_at ?? new Date().toISOString(),
  });
}

/** Sends a prepared unifiedorder and records it in the ledger. */
export async function sendUnifiedOrder(
  client: PayClient,
  prepared: PreparedOrder,
  options: UnifiedOrderOptions = {},
): Promise<UnifiedOrderResult> {
  const { params } = prepared.request;
  let result: PayResult;
  try {
    result = await client.send(prepared.request);
  } catch (error) {
    // A timeout or SYSTEMERROR may still have created the order: keep its
    // parameters so a retry re-sends the same ones (spec 1).
    const unknown =
      error instanceof NetworkError ||
      (error instanceof WeChatApiError && error.errorClass === 'system_error');
    if (unknown) await remember(options, prepared);
    throw error;
  }
  if (!result.fields.prepay_id) {
    throw new ApiError(
      'PREPAY_ID_MISSING',
      'unifiedorder answered SUCCESS without a prepay_id.',
    );
  }
  await remember(options, prepared, result.fields);
  return {
    out_trade_no: prepared.outTradeNo,
    prepay_id: result.fields.prepay_id,
    trade_type: result.fields.trade_type ?? params.trade_type,
    code_url: result.fields.code_url,
    mweb_url: result.fields.mweb_url,
    reentry: prepared.reentry,
    keptTimeWindow: prepared.keptTimeWindow,
    result,
  };
}

/** Creates an order (prepare, ledger check, send). */
export async function unifiedOrder(
  client: PayClient,
  input: UnifiedOrderInput,
  options: UnifiedOrderOptions = {},
): Promise<UnifiedOrderResult> {
  const prepared = await prepareUnifiedOrder(client, input, options);
  return sendUnifiedOrder(client, prepared, options);
}
