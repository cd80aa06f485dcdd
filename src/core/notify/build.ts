import { randomBytes, randomInt } from 'node:crypto';
import { InputError } from '../errors.js';
import {
  beijingTime,
  generateOutTradeNo,
  nonceStr,
  validateOutRefundNo,
  validateOutTradeNo,
} from '../fields.js';
import { sign, type SignType } from '../sign.js';
import { buildXml } from '../xml.js';
import { parseNotificationBody } from './parse.js';
import { encryptReqInfo } from './refund-crypto.js';

/**
 * Builders for notifications exactly as WeChat sends them: used by
 * `wxpay notify trigger`, the simulator and tests. They sign with the
 * merchant's key, so only send what they build to your own handler.
 */

interface Merchant {
  key: string;
  appid: string;
  mchId: string;
}

export interface CouponInput {
  /** coupon_fee_$n in fen. */
  fee: number;
  /** CASH (充值代金券) or NO_CASH (免充值券); default CASH. */
  type?: 'CASH' | 'NO_CASH';
  /** coupon_id_$n; generated when absent. */
  id?: string;
}

export interface PaymentNotificationInput extends Merchant {
  /** Default MD5. */
  signType?: SignType;
  /**
   * Send a sign_type element. WeChat usually omits it, even for
   * HMAC-SHA256 merchants (spec 2.6), so the default is to leave it out.
   */
  sendSignType?: boolean;
  outTradeNo: string;
  /** total_fee in fen. */
  totalFee: number;
  openid: string;
  attach?: string;
  /** Generated (28 digits, as WeChat's) when absent. */
  transactionId?: string;
  /** time_end; default now (written in Beijing time). */
  timeEnd?: Date;
  nonceStr?: string;
  /** Default JSAPI (mini programs). */
  tradeType?: string;
  /** result_code; default SUCCESS. */
  resultCode?: 'SUCCESS' | 'FAIL';
  errCode?: string;
  errCodeDes?: string;
  coupons?: CouponInput[];
  /** Any further fields (they are signed like the rest). */
  extra?: Record<string, string>;
}

export interface BuiltNotification {
  /** The XML body to POST. */
  body: string;
  /** The fields in the body (for a refund: the outer envelope). */
  fields: Record<string, string>;
}

export interface BuiltRefundNotification extends BuiltNotification {
  /** The plaintext fields inside req_info. */
  refund: Record<string, string>;
}

function fen(value: number, name: string, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new InputError(
      'FEN_INVALID',
      `${name} must be a whole number of fen${allowZero ? '' : ' above 0'}, not ${value}.`,
    );
  }
  return value;
}

function digits(count: number): string {
  let out = '';
  while (out.length < count) out += String(randomInt(0, 1_000_000_000));
  return out.slice(0, count);
}

/** A WeChat-style transaction_id: 28 digits, the payment date inside. */
export function generateTransactionId(now = new Date()): string {
  return `4200${digits(6)}${beijingTime(now).slice(0, 8)}${digits(10)}`;
}

/** A WeChat-style refund_id: 29 digits. */
export function generateRefundId(now = new Date()): string {
  return `50${digits(8)}${beijingTime(now).slice(0, 8)}${digits(11)}`;
}

function sorted(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(fields).sort()) out[name] = fields[name];
  return out;
}

function couponFields(
  coupons: CouponInput[],
  totalFee: number,
): Record<string, string> {
  if (!coupons.length) return {};
  const fields: Record<string, string> = {};
  let sum = 0;
  let noCash = 0;
  coupons.forEach((coupon, n) => {
    const value = fen(coupon.fee, `coupon_fee_${n}`);
    sum += value;
    if (coupon.type === 'NO_CASH') noCash += value;
    fields[`coupon_fee_${n}`] = String(value);
    fields[`coupon_type_${n}`] = coupon.type ?? 'CASH';
    fields[`coupon_id_${n}`] = coupon.id ?? `2000000${digits(12)}`;
  });
  if (sum > totalFee) {
    throw new InputError(
      'COUPON_TOO_LARGE',
      `The coupons add up to ${sum} fen, more than total_fee ${totalFee}.`,
    );
  }
  fields.coupon_fee = String(sum);
  fields.coupon_count = String(coupons.length);
  // 应结订单金额 = 订单金额 - 非充值代金券金额 (spec 6): only free
  // (NO_CASH) coupons lower what the merchant is settled.
  if (noCash > 0) fields.settlement_total_fee = String(totalFee - noCash);
  return fields;
}

/** A signed payment result notification (spec 6). */
export function buildPaymentNotification(
  input: PaymentNotificationInput,
): BuiltNotification {
  const totalFee = fen(input.totalFee, 'total_fee');
  const coupons = couponFields(input.coupons ?? [], totalFee);
  const signType = input.signType ?? 'MD5';
  const now = input.timeEnd ?? new Date();
  const resultCode = input.resultCode ?? 'SUCCESS';
  const fields: Record<string, string> = {
    appid: input.appid,
    mch_id: input.mchId,
    nonce_str: input.nonceStr ?? nonceStr(),
    return_code: 'SUCCESS',
    result_code: resultCode,
    openid: input.openid,
    is_subscribe: 'N',
    trade_type: input.tradeType ?? 'JSAPI',
    bank_type: 'OTHERS',
    total_fee: String(totalFee),
    fee_type: 'CNY',
    cash_fee: String(totalFee - Number(coupons.coupon_fee ?? 0)),
    transaction_id: input.transactionId ?? generateTransactionId(now),
    out_trade_no: validateOutTradeNo(input.outTradeNo),
    time_end: beijingTime(now),
    ...coupons,
  };
  if (input.attach) fields.attach = input.attach;
  if (resultCode === 'FAIL') {
    fields.err_code = input.errCode ?? 'SYSTEMERROR';
    if (input.errCodeDes) fields.err_code_des = input.errCodeDes;
  }
  if (input.sendSignType) fields.sign_type = signType;
  Object.assign(fields, input.extra ?? {});
  fields.sign = sign(fields, input.key, signType);
  const ordered = sorted(fields);
  return { body: buildXml(ordered), fields: ordered };
}

export interface RefundNotificationInput extends Merchant {
  outTradeNo: string;
  transactionId?: string;
  /** Generated when absent. */
  outRefundNo?: string;
  refundId?: string;
  /** The order's total_fee in fen. */
  totalFee: number;
  /** refund_fee in fen (default: the whole order). */
  refundFee?: number;
  /** SUCCESS (default), CHANGE or REFUNDCLOSE. */
  refundStatus?: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
  /** success_time; default now (Beijing time). */
  successTime?: Date;
  refundRecvAccout?: string;
  nonceStr?: string;
}

function refundTime(moment: Date): string {
  const t = beijingTime(moment);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

/**
 * A refund result notification (spec 7): the refund fields encrypted into
 * req_info with the merchant's key; the envelope carries no sign.
 */
export function buildRefundNotification(
  input: RefundNotificationInput,
): BuiltRefundNotification {
  const totalFee = fen(input.totalFee, 'total_fee');
  const refundFee = fen(input.refundFee ?? totalFee, 'refund_fee');
  if (refundFee > totalFee) {
    throw new InputError(
      'REFUND_TOO_LARGE',
      `refund_fee ${refundFee} is more than total_fee ${totalFee}.`,
    );
  }
  const now = input.successTime ?? new Date();
  const status = input.refundStatus ?? 'SUCCESS';
  const refund: Record<string, string> = sorted({
    out_refund_no: validateOutRefundNo(
      input.outRefundNo ?? generateOutTradeNo('R', now),
    ),
    out_trade_no: validateOutTradeNo(input.outTradeNo),
    refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
    refund_fee: String(refundFee),
    refund_id: input.refundId ?? generateRefundId(now),
    refund_recv_accout: input.refundRecvAccout ?? '支付用户零钱',
    refund_request_source: 'API',
    refund_status: status,
    settlement_refund_fee: String(refundFee),
    settlement_total_fee: String(totalFee),
    total_fee: String(totalFee),
    transaction_id: input.transactionId ?? generateTransactionId(now),
    ...(status === 'SUCCESS' ? { success_time: refundTime(now) } : {}),
  });
  const fields = {
    return_code: 'SUCCESS',
    appid: input.appid,
    mch_id: input.mchId,
    nonce_str: input.nonceStr ?? nonceStr(),
    req_info: encryptReqInfo(buildXml(refund, 'root'), input.key),
  };
  return { body: buildXml(fields), fields, refund };
}

/**
 * A forged copy of a notification, for checking that a handler rejects
 * it: a payment keeps its sign but gets another total_fee (the classic
 * fake "paid 1 fen" notification); a refund gets req_info encrypted with
 * a key that is not the merchant's.
 */
export function tamperedCopy(body: string | Uint8Array): string {
  const fields = { ...parseNotificationBody(body) };
  if (fields.req_info !== undefined) {
    const plain = buildXml(
      { out_refund_no: 'FORGED', refund_status: 'SUCCESS', refund_fee: '1' },
      'root',
    );
    fields.req_info = encryptReqInfo(plain, randomBytes(16).toString('hex'));
  } else if (fields.total_fee !== undefined) {
    const total = Number(fields.total_fee);
    fields.total_fee = String(Number.isSafeInteger(total) && total > 1 ? 1 : 2);
  } else {
    fields.out_trade_no = `${fields.out_trade_no ?? ''}X`;
  }
  return buildXml(fields);
}
