import { randomBytes, randomInt } from 'node:crypto';
import type { SignType } from '../../core/sign.js';
import { beijingTime } from '../../core/fields.js';

/**
 * The simulator's records, as kept in the state file (area `pay`, or
 * `pay-sandbox` for /sandboxnew/ calls, which WeChat keeps apart too).
 */

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';

export interface SimOrder {
  appid: string;
  mch_id: string;
  out_trade_no: string;
  /** SHA-256 of the business fields that must match on re-entry (spec 8). */
  fingerprint: string;
  sign_type: SignType;
  trade_type: string;
  body: string;
  total_fee: number;
  fee_type: string;
  notify_url: string;
  attach?: string;
  device_info?: string;
  openid?: string;
  product_id?: string;
  time_expire?: string;
  trade_state: TradeState;
  prepay_id: string;
  /** When prepay_id was issued (ISO); it is valid for 2 hours. */
  prepay_at: string;
  code_url?: string;
  created_at: string;
  transaction_id?: string;
  time_end?: string;
  bank_type?: string;
  paid_at?: string;
  closed_at?: string;
  /** Fen refunded so far. */
  refunded_fee: number;
  /** out_refund_no values in the order they were made. */
  refunds: string[];
}

export interface SimRefund {
  out_refund_no: string;
  refund_id: string;
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  refund_fee: number;
  refund_desc?: string;
  refund_account: string;
  notify_url?: string;
  refund_status: 'SUCCESS' | 'PROCESSING' | 'REFUNDCLOSE' | 'CHANGE';
  created_at: string;
  success_at?: string;
}

export interface MerchantBook {
  orders: Record<string, SimOrder>;
  /** transaction_id → out_trade_no */
  transactions: Record<string, string>;
  refunds: Record<string, SimRefund>;
  /** refund_id → out_refund_no */
  refundIds: Record<string, string>;
}

/** The records of one merchant inside a pay state area. */
export function merchantBook(
  state: Record<string, unknown>,
  mchId: string,
): MerchantBook {
  if (typeof state.merchants !== 'object' || state.merchants === null) {
    state.merchants = {};
  }
  const all = state.merchants as Record<string, MerchantBook>;
  if (!Object.hasOwn(all, mchId)) {
    all[mchId] = { orders: {}, transactions: {}, refunds: {}, refundIds: {} };
  }
  return all[mchId];
}

/** The records of a merchant, without creating them. */
export function existingBook(
  state: Record<string, unknown>,
  mchId: string,
): MerchantBook | undefined {
  const all = state.merchants as Record<string, MerchantBook> | undefined;
  return all && Object.hasOwn(all, mchId) ? all[mchId] : undefined;
}

/** Looks up a record by a key that came from a request. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function digits(count: number): string {
  let out = '';
  while (out.length < count) out += String(randomInt(0, 1_000_000_000));
  return out.slice(0, count);
}

function beijingDate(now: Date): string {
  return beijingTime(now).slice(0, 8);
}

/** `wx` + Beijing time + 20 hex: the 36-character shape of real ids. */
export function newPrepayId(now: Date): string {
  return `wx${beijingTime(now)}${randomBytes(10).toString('hex')}`;
}

/** A 28-digit transaction_id (above 2^53, like WeChat's; case B21). */
export function newTransactionId(now: Date): string {
  return `42000${digits(5)}${beijingDate(now)}${digits(10)}`;
}

/** A 29-digit refund_id. */
export function newRefundId(now: Date): string {
  return `50000${digits(5)}${beijingDate(now)}${digits(11)}`;
}

export function newCodeUrl(): string {
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let code = '';
  for (let i = 0; i < 7; i += 1) code += alphabet[randomInt(0, 62)];
  return `weixin://wxpay/bizpayurl?pr=${code}`;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (refunds, bills). */
export function beijingDateTime(moment: Date): string {
  const t = beijingTime(moment);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

/** The Beijing calendar day (`yyyyMMdd`) of a stored ISO time. */
export function beijingDayOf(iso: string): string {
  return beijingDate(new Date(iso));
}
