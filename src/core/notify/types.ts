import type { SignType } from '../sign.js';

/**
 * What a notify_url handler checks a notification against: the merchant's
 * v2 API key and, when known, its own appid and mch_id.
 */
export interface NotifyProfile {
  /** The v2 API key (API密钥) of the merchant in `mchId`. */
  key: string;
  /** Your appid; a notification for another appid is rejected. */
  appid?: string;
  /** Your mch_id; a notification for another merchant is rejected. */
  mchId?: string;
  /**
   * The sign type you order with. Used only when the notification carries
   * no `sign_type` and its signature length does not tell (spec 2.6).
   */
  signType?: SignType;
  /** Body size cap in bytes (default {@link NOTIFY_MAX_BYTES}). */
  maxBytes?: number;
}

/**
 * The largest notification body accepted. Real ones are 1-3 KB (a refund's
 * req_info is at most 1024 characters); 128 KiB leaves room for long
 * promotion_detail JSON and still refuses floods before parsing (case B20).
 */
export const NOTIFY_MAX_BYTES = 128 * 1024;

export type NotificationKind = 'payment' | 'refund' | 'unknown';

/** Why a notification is (not) to be trusted; `ok` when it is. */
export type NotificationReason =
  | 'ok'
  | 'return_fail'
  | 'sign_missing'
  | 'sign_type_unknown'
  | 'sign_invalid'
  | 'appid_mismatch'
  | 'mch_id_mismatch'
  | 'req_info_missing'
  | 'req_info_malformed'
  | 'req_info_undecryptable';

/** The outcome of one identity check against the profile. */
export type IdentityCheck = 'ok' | 'mismatch' | 'missing' | 'unchecked';

interface NotificationBase {
  kind: NotificationKind;
  /**
   * True only when the notification is authentic (signature or req_info
   * decryption) and addressed to this appid and mch_id. Never act on a
   * notification whose `valid` is false.
   */
  valid: boolean;
  reason: NotificationReason;
  /** One sentence for logs: what was found. */
  message: string;
  returnCode: string;
  returnMsg?: string;
  checks: { appid: IdentityCheck; mchId: IdentityCheck };
}

export interface PaymentNotification extends NotificationBase {
  kind: 'payment';
  /**
   * valid, return_code SUCCESS and result_code SUCCESS: the payment went
   * through. Still compare total_fee with your own order before shipping.
   */
  paid: boolean;
  /** Every received field, exact strings (WeChat's names). */
  fields: Record<string, string>;
  /** The algorithm the signature was checked with. */
  signType?: SignType;
  outTradeNo?: string;
  transactionId?: string;
  /** total_fee in fen. */
  totalFee?: number;
}

export interface RefundNotification extends NotificationBase {
  kind: 'refund';
  /** valid and the decrypted refund_status is SUCCESS. */
  refunded: boolean;
  /** The decrypted req_info fields (empty when it could not be read). */
  fields: Record<string, string>;
  /** The outer fields: return_code, appid, mch_id, nonce_str, req_info. */
  envelope: Record<string, string>;
  outTradeNo?: string;
  outRefundNo?: string;
  refundId?: string;
  transactionId?: string;
  refundStatus?: string;
  /** refund_fee in fen. */
  refundFee?: number;
  /** total_fee in fen. */
  totalFee?: number;
}

/** A body with return_code FAIL and nothing that tells its kind. */
export interface UnknownNotification extends NotificationBase {
  kind: 'unknown';
  fields: Record<string, string>;
}

export type Notification =
  PaymentNotification | RefundNotification | UnknownNotification;
