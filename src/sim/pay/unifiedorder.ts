import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { parseBeijingTime } from '../../core/fields.js';
import { canonicalize } from '../../core/sign.js';
import type { SimResponse } from '../router.js';
import type { PayHandler, PayHandlerInput } from './context.js';
import {
  merchantBook,
  newCodeUrl,
  newPrepayId,
  own,
  type SimOrder,
} from './model.js';
import {
  businessFail,
  checkFields,
  FEN,
  isTime14,
  OUT_TRADE_NO_RULE,
  protocolFail,
  signedReply,
  type FieldRule,
  type PayCall,
} from './protocol.js';

/** Field rules of unifiedorder (spec 4.1 and 8). */
const RULES: readonly FieldRule[] = [
  { name: 'device_info', maxChars: 32 },
  // Counted in UTF-8 bytes: a Chinese character is 3 (spec 4.1).
  { name: 'body', required: true, maxBytes: 127 },
  { name: 'detail', maxChars: 6000 },
  { name: 'attach', maxBytes: 127 },
  { ...OUT_TRADE_NO_RULE, required: true },
  { name: 'fee_type', format: /^CNY$/ },
  { name: 'total_fee', required: true, format: FEN },
  {
    name: 'spbill_create_ip',
    required: true,
    maxChars: 64,
    format: (value) => isIP(value) !== 0,
    formatMessage: 'invalid spbill_create_ip',
  },
  { name: 'time_start', format: isTime14 },
  { name: 'time_expire', format: isTime14 },
  { name: 'goods_tag', maxChars: 32 },
  { name: 'notify_url', required: true, maxChars: 256, format: isNotifyUrl },
  { name: 'trade_type', required: true, format: /^(JSAPI|NATIVE|APP|MWEB)$/ },
  { name: 'product_id', maxChars: 32 },
  { name: 'limit_pay', format: /^no_credit$/ },
  { name: 'openid', maxChars: 128 },
  { name: 'receipt', format: /^Y$/ },
  { name: 'profit_sharing', format: /^[YN]$/ },
  { name: 'scene_info', maxChars: 256 },
];

/**
 * An absolute http(s) URL without a query string (spec 4.1: "不能携带参数").
 * WeChat's handling of a query string is not documented; refusing it is
 * the reading that keeps a merchant from relying on it.
 */
function isNotifyUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}

/** Fields that may change on re-entry without making it a new order. */
const NOT_COMPARED = new Set([
  'sign',
  'sign_type',
  'nonce_str',
  'spbill_create_ip',
  'time_start',
]);

/**
 * The business fields an out_trade_no is bound to (the fields of case
 * C18's fingerprint): re-entry with the same values gets the same
 * prepay_id, anything else is refused.
 */
export function orderFingerprint(fields: Record<string, string>): string {
  const business: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!NOT_COMPARED.has(name)) business[name] = value;
  }
  return canonicalize(business).stringA;
}

/** What an order keeps of its fingerprint: a SHA-256, to stay small. */
function fingerprintHash(fields: Record<string, string>): string {
  return createHash('sha256').update(orderFingerprint(fields)).digest('hex');
}

const PREPAY_LIFETIME_MS = 2 * 60 * 60 * 1000;
const MIN_EXPIRE_MS = 5 * 60 * 1000;

export const unifiedOrder: PayHandler = async (input) => {
  const { call } = input;
  const refused = checkFields(call, RULES) ?? tradeTypeRule(call, input);
  if (refused) return refused;
  const now = input.services.now();
  return input.state.update(input.area, (state) => {
    const book = merchantBook(state, call.merchant.mch_id);
    const fields = call.fields;
    const existing = own(book.orders, fields.out_trade_no);
    if (existing) return reenter(input, existing, now);
    const order = newOrder(call, now);
    book.orders[order.out_trade_no] = order;
    return prepayReply(input, order);
  });
};

function tradeTypeRule(
  call: PayCall,
  input: PayHandlerInput,
): SimResponse | undefined {
  const { trade_type: tradeType, openid, product_id: productId } = call.fields;
  if (tradeType === 'JSAPI' && !openid) {
    return protocolFail('JSAPI支付必须传openid');
  }
  if (tradeType === 'NATIVE' && !productId) {
    return businessFail(call, 'LACK_PARAMS', '缺少参数product_id');
  }
  const expire = call.fields.time_expire;
  // "刷卡至少1分钟，其他5分钟" (spec 8, UNCONFIRMED which rule applies
  // today): the 5-minute reading is the one WeChat never refuses.
  if (
    expire &&
    parseBeijingTime(expire).getTime() - input.services.now().getTime() <
      MIN_EXPIRE_MS
  ) {
    return businessFail(
      call,
      'INVALID_REQUEST',
      'time_expire时间过短，刷卡至少1分钟，其他5分钟',
    );
  }
  return undefined;
}

function newOrder(call: PayCall, now: Date): SimOrder {
  const f = call.fields;
  return {
    appid: call.appid,
    mch_id: call.merchant.mch_id,
    out_trade_no: f.out_trade_no,
    fingerprint: fingerprintHash(f),
    sign_type: call.signType,
    trade_type: f.trade_type,
    body: f.body,
    total_fee: Number(f.total_fee),
    fee_type: f.fee_type || 'CNY',
    notify_url: f.notify_url,
    attach: f.attach || undefined,
    device_info: f.device_info || undefined,
    openid: f.openid || undefined,
    product_id: f.product_id || undefined,
    time_expire: f.time_expire || undefined,
    trade_state: 'NOTPAY',
    prepay_id: newPrepayId(now),
    prepay_at: now.toISOString(),
    code_url: f.trade_type === 'NATIVE' ? newCodeUrl() : undefined,
    created_at: now.toISOString(),
    refunded_fee: 0,
    refunds: [],
  };
}

function reenter(
  input: PayHandlerInput,
  order: SimOrder,
  now: Date,
): SimResponse {
  const { call } = input;
  if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') {
    return businessFail(call, 'ORDERPAID', '该订单已支付');
  }
  if (order.trade_state === 'CLOSED') {
    return businessFail(call, 'ORDERCLOSED', '订单已关闭');
  }
  if (order.fingerprint !== fingerprintHash(call.fields)) {
    // WeChat's exact answer to a reused out_trade_no with other parameters
    // (case C18).
    return businessFail(call, 'INVALID_REQUEST', '201 商户订单号重复');
  }
  // A prepay_id lives 2 hours; re-entry after that issues a fresh one for
  // the same order (spec 8).
  if (now.getTime() - Date.parse(order.prepay_at) >= PREPAY_LIFETIME_MS) {
    order.prepay_id = newPrepayId(now);
    order.prepay_at = now.toISOString();
    if (order.code_url) order.code_url = newCodeUrl();
  }
  return prepayReply(input, order);
}

function prepayReply(input: PayHandlerInput, order: SimOrder): SimResponse {
  return signedReply(input.call, {
    device_info: order.device_info,
    result_code: 'SUCCESS',
    trade_type: order.trade_type,
    prepay_id: order.prepay_id,
    code_url: order.code_url,
    mweb_url:
      order.trade_type === 'MWEB' ? mwebUrl(input, order.prepay_id) : undefined,
  });
}

/**
 * The H5 payment page. WeChat's lives on its own host; the simulator's
 * points back at itself, so following it never leaves this machine.
 */
function mwebUrl(input: PayHandlerInput, prepayId: string): string {
  const host = String(input.request.headers.host ?? '');
  const safeHost = /^[A-Za-z0-9.\-:[\]]{1,100}$/.test(host)
    ? host
    : '127.0.0.1';
  return `http://${safeHost}/__wxpay/mweb?prepay_id=${prepayId}&package=${prepayId.slice(-10)}`;
}
