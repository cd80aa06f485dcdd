/**
 * What WeChat's refusals mean and what to do next (spec sections 4 and 9).
 *
 * Each refusal gets a stable `class` that code can switch on. Some classes
 * are not failures of the payment at all: `already_paid` means "query the
 * order", not "payment failed" (case B42). `retryable` says a later retry of
 * the SAME request can succeed; `autoRetry` marks the two codes the client
 * retries by itself, with the same business parameters (SYSTEMERROR,
 * BIZERR_NEED_RETRY; spec 4.1 and 4.4).
 */

export type PayEndpoint =
  | 'unifiedorder'
  | 'orderquery'
  | 'closeorder'
  | 'refund'
  | 'refundquery'
  | 'downloadbill'
  | 'downloadfundflow';

export type ErrorClass =
  | 'already_paid'
  | 'out_trade_no_reused_with_different_params'
  | 'order_closed'
  | 'order_not_found'
  | 'refund_not_found'
  | 'system_error'
  | 'concurrency_retry'
  | 'rate_limited'
  | 'signature_error'
  | 'invalid_params'
  | 'missing_params'
  | 'protocol_error'
  | 'merchant_config'
  | 'no_permission'
  | 'insufficient_balance'
  | 'trade_overdue'
  | 'user_account_abnormal'
  | 'invalid_transaction_id'
  | 'trade_state_error'
  | 'cert_error'
  | 'refund_fee_mismatch'
  | 'order_not_ready'
  | 'business_error'
  | 'no_bill'
  | 'bill_creating'
  | 'compression_error'
  | 'bill_api_disabled'
  | 'code_already_used'
  | 'invalid_code'
  | 'code_blocked'
  | 'invalid_appid'
  | 'invalid_secret'
  | 'unknown';

export interface ErrCodeInfo {
  /** The err_code, return_msg or errcode as WeChat sent it. */
  code: string;
  class: ErrorClass;
  /** A later retry of the same request can succeed. */
  retryable: boolean;
  /** The client retries this one itself (same business parameters). */
  autoRetry: boolean;
  /** What happened, in a developer's words. */
  meaning: string;
  /** What to do next. */
  action: string;
}

export type Entry = Omit<ErrCodeInfo, 'code' | 'autoRetry'> & {
  autoRetry?: boolean;
};

export const e = (
  cls: ErrorClass,
  retryable: boolean,
  meaning: string,
  action: string,
  autoRetry = false,
): Entry => ({ class: cls, retryable, meaning, action, autoRetry });
