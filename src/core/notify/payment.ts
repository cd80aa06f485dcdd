import { UsageError } from '../errors.js';
import { detectSignType, verify, type SignType } from '../sign.js';
import {
  fenField,
  envelopeBase,
  identityProblem,
  parseNotificationBody,
} from './parse.js';
import type {
  NotificationReason,
  NotifyProfile,
  PaymentNotification,
} from './types.js';

/**
 * Verifies a payment result notification (spec 6) from its raw body.
 *
 * The signature is checked over every received field, whatever their names
 * (coupon_*, settlement_total_fee, promotion_detail…: case B22), with
 * empty elements left out (B04) and values kept as exact strings (B21). The
 * algorithm follows spec 2.6: the `sign_type` field, else the signature
 * length, else `profile.signType` (B08). appid and mch_id must be the
 * profile's (B26). A missing sign is never a pass; return_code FAIL carries
 * no sign and is reported as not paid.
 *
 * Throws an InputError only when the body cannot be read safely (oversize,
 * DOCTYPE/ENTITY, malformed XML: case B20); every readable body gives a
 * result. Answer with {@link notifyReply} either way.
 */
export function verifyPaymentNotification(
  body: string | Uint8Array,
  profile: NotifyProfile,
): PaymentNotification {
  return verifyPaymentFields(
    parseNotificationBody(body, profile.maxBytes),
    profile,
  );
}

/** {@link verifyPaymentNotification} for fields that are already parsed. */
export function verifyPaymentFields(
  fields: Record<string, string>,
  profile: NotifyProfile,
): PaymentNotification {
  // One result object, filled in once: this runs for every notification,
  // and the benchmark holds verification to 20 % on top of parsing.
  const result: PaymentNotification = {
    kind: 'payment',
    valid: false,
    paid: false,
    reason: 'ok',
    message: '',
    fields,
    ...envelopeBase(fields, profile),
    signType: undefined,
    outTradeNo: fields.out_trade_no,
    transactionId: fields.transaction_id,
    totalFee: fenField(fields.total_fee),
  };
  const failure = paymentFailure(fields, profile, result);
  if (failure) {
    result.reason = failure[0];
    result.message = failure[1];
    return result;
  }
  result.valid = true;
  result.paid = fields.result_code === 'SUCCESS';
  result.message = result.paid
    ? `Authentic payment notification: out_trade_no ${fields.out_trade_no ?? '(none)'} paid, total_fee ${fields.total_fee ?? '(none)'} fen.`
    : `Authentic notification of a failed payment (result_code ${fields.result_code ?? '(none)'}${fields.err_code ? `, err_code ${fields.err_code}` : ''}): the order is not paid.`;
  return result;
}

/** The first failed check as [reason, message]; sets result.signType. */
function paymentFailure(
  fields: Record<string, string>,
  profile: NotifyProfile,
  result: PaymentNotification,
): [NotificationReason, string] | undefined {
  if (fields.return_code !== 'SUCCESS') {
    return ['return_fail', returnFailMessage(fields)];
  }
  if (!fields.sign) {
    return [
      'sign_missing',
      fields.req_info !== undefined
        ? 'This is a refund notification (it carries req_info and no sign); read it with readRefundNotification.'
        : 'The notification has no sign. Unsigned notifications are forged or broken: never mark an order paid from one.',
    ];
  }
  let signType: SignType;
  try {
    signType = detectSignType(fields, profile.signType);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return [
      'sign_type_unknown',
      `sign_type "${fields.sign_type}" is neither MD5 nor HMAC-SHA256.`,
    ];
  }
  result.signType = signType;
  if (!verify(fields, profile.key, { signType }).valid) {
    return [
      'sign_invalid',
      `The signature does not match (${signType} over every received field): the notification was altered, forged, or signed with another key.`,
    ];
  }
  const problem = identityProblem(result.checks, fields, profile);
  return problem ? [problem.reason, problem.message] : undefined;
}

export function returnFailMessage(fields: Record<string, string>): string {
  const code = fields.return_code;
  const msg = fields.return_msg ? ` (${fields.return_msg})` : '';
  return code
    ? `return_code is ${code}${msg}: a communication failure carries no sign and no result; nothing is paid or refunded.`
    : 'The notification has no return_code: it is not a WeChat Pay notification; nothing is paid or refunded.';
}
