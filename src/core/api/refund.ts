import { InputError, UsageError } from '../errors.js';
import { validateOutRefundNo, validateOutTradeNo } from '../fields.js';
import type { PayClient } from '../http/client.js';
import { WeChatApiError } from '../http/errors.js';
import type { PayResult } from '../http/types.js';

/** Which order a refund belongs to: WeChat's or the merchant's number. */
export type OrderRef =
  | { transaction_id: string; out_trade_no?: undefined }
  | { out_trade_no: string; transaction_id?: undefined };

export interface RefundRequest {
  order: OrderRef;
  /** Unique per merchant; re-sending the same one refunds only once. */
  out_refund_no: string;
  /** The order's total amount, fen. */
  total_fee: number;
  /** The amount to refund, fen. */
  refund_fee: number;
  /** Shown to the payer (refund_desc, at most 80 characters). */
  refund_desc?: string;
  notify_url?: string;
  refund_account?:
    'REFUND_SOURCE_UNSETTLED_FUNDS' | 'REFUND_SOURCE_RECHARGE_FUNDS';
}

/** The accepted refund: WeChat took it; the outcome comes later. */
export interface RefundAccepted {
  out_refund_no: string;
  refund_id?: string;
  transaction_id?: string;
  out_trade_no?: string;
  refund_fee: number;
  total_fee: number;
  fields: Record<string, string>;
  attempts: number;
}

export const REFUND_PATH = '/secapi/pay/refund';
export const REFUNDQUERY_PATH = '/pay/refundquery';

/**
 * Checks a refund before it is signed: positive integer fen, refund not
 * above the order total, valid numbers (spec 4.4, 8).
 */
export function refundFields(request: RefundRequest): Record<string, string> {
  const { total_fee, refund_fee } = request;
  for (const [name, value] of [
    ['total_fee', total_fee],
    ['refund_fee', refund_fee],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new InputError(
        'REFUND_AMOUNT_INVALID',
        `${name} must be a positive whole number of fen (got ${value}).`,
      );
    }
  }
  if (refund_fee > total_fee) {
    throw new InputError(
      'REFUND_ABOVE_TOTAL',
      `The refund (${refund_fee} fen) is larger than the order total (${total_fee} fen).`,
      { hint: 'Refunds of one order can add up to its total, not more.' },
    );
  }
  if (request.refund_desc && [...request.refund_desc].length > 80) {
    throw new InputError(
      'REFUND_DESC_TOO_LONG',
      'The refund reason is longer than 80 characters (refund_desc).',
    );
  }
  return {
    ...orderFields(request.order),
    out_refund_no: validateOutRefundNo(request.out_refund_no),
    total_fee: String(total_fee),
    refund_fee: String(refund_fee),
    ...(request.refund_desc ? { refund_desc: request.refund_desc } : {}),
    ...(request.notify_url ? { notify_url: request.notify_url } : {}),
    ...(request.refund_account
      ? { refund_account: request.refund_account }
      : {}),
  };
}

function orderFields(order: OrderRef): Record<string, string> {
  if (order.transaction_id) return { transaction_id: order.transaction_id };
  if (order.out_trade_no) {
    return { out_trade_no: validateOutTradeNo(order.out_trade_no) };
  }
  throw new UsageError(
    'ORDER_ID_MISSING',
    'Name the order: --out-trade-no or --transaction-id.',
  );
}

/**
 * Applies for a refund (`/secapi/pay/refund`, mutual TLS). SUCCESS means
 * accepted, not refunded (spec 4.4); SYSTEMERROR and BIZERR_NEED_RETRY are
 * retried by the client with the identical body, so the same out_refund_no
 * goes out again and WeChat refunds at most once.
 */
export async function refund(
  client: PayClient,
  request: RefundRequest,
): Promise<RefundAccepted> {
  const result: PayResult = await client
    .call(REFUND_PATH, refundFields(request), { cert: true })
    .catch((error: unknown) => {
      throw explainRefundRefusal(error);
    });
  const { fields } = result;
  return {
    out_refund_no: fields.out_refund_no ?? request.out_refund_no,
    refund_id: fields.refund_id,
    transaction_id: fields.transaction_id,
    out_trade_no: fields.out_trade_no,
    refund_fee: Number(fields.refund_fee ?? request.refund_fee),
    total_fee: Number(fields.total_fee ?? request.total_fee),
    fields,
    attempts: result.attempts,
  };
}

/**
 * err_code_des texts that come with the catch-all err_code ERROR (spec
 * 4.4) often enough to explain in English; WeChat's own words stay in the
 * message. Matched by the words they contain, as WeChat varies the rest.
 */
const REFUND_REASONS: { words: string; meaning: string; action: string }[] = [
  {
    words: '累计退款金额大于支付金额',
    meaning:
      'The refunds of this order would add up to more than the payer paid: earlier refunds already used part of the amount.',
    action:
      'See what was refunded with `wxpay refund query --out-trade-no …` and refund at most the remainder.',
  },
  {
    words: '订单已全额退款',
    meaning: 'The order was already refunded in full.',
    action:
      'Nothing is left to refund; `wxpay refund query` lists the refunds.',
  },
  {
    words: '与之前请求不一致',
    meaning:
      'This out_refund_no was used before with other amounts or another order.',
    action:
      'Re-send the original amounts, or use a new out_refund_no for a new refund.',
  },
];

/** A refusal with an English explanation of a known err_code_des. */
export function explainRefundRefusal(error: unknown): unknown {
  if (!(error instanceof WeChatApiError) || !error.errCodeDes) return error;
  const known = REFUND_REASONS.find((reason) =>
    error.errCodeDes!.includes(reason.words),
  );
  if (!known) return error;
  return new WeChatApiError({
    endpoint: error.endpoint,
    fields: error.fields,
    errCode: error.errCode,
    errCodeDes: error.errCodeDes,
    info: {
      class: error.errorClass,
      retryable: error.retryable,
      autoRetry: error.autoRetry,
      meaning: known.meaning,
      action: known.action,
    },
  });
}
