import { InputError, SignatureError } from '../errors.js';
import {
  fenField,
  envelopeBase,
  identityProblem,
  parseNotificationBody,
  parseXmlSafely,
} from './parse.js';
import { returnFailMessage } from './payment.js';
import { decryptReqInfo } from './refund-crypto.js';
import {
  NOTIFY_MAX_BYTES,
  type NotificationReason,
  type NotifyProfile,
  type RefundNotification,
} from './types.js';

/**
 * Reads a refund result notification (spec 7) from its raw body: checks
 * return_code, appid and mch_id, decrypts `req_info` with the v2 API key
 * (AES-256-ECB keyed with the lower-case hex MD5 of the key: case B29) and
 * returns the decrypted fields.
 *
 * Refund notifications carry no sign: they are authentic because req_info
 * decrypts with your key into well-formed XML. return_code FAIL has no
 * req_info and is reported, not thrown. Throws an InputError only when the
 * body itself cannot be read safely.
 */
export function readRefundNotification(
  body: string | Uint8Array,
  profile: Omit<NotifyProfile, 'signType'>,
): RefundNotification {
  return readRefundFields(
    parseNotificationBody(body, profile.maxBytes),
    profile,
  );
}

/** {@link readRefundNotification} for an envelope that is already parsed. */
export function readRefundFields(
  envelope: Record<string, string>,
  profile: Omit<NotifyProfile, 'signType'>,
): RefundNotification {
  const base = {
    kind: 'refund' as const,
    envelope,
    ...envelopeBase(envelope, profile),
  };
  const reject = (
    reason: NotificationReason,
    message: string,
    fields: Record<string, string> = {},
  ): RefundNotification => ({
    ...base,
    ...refundSummary(fields),
    fields,
    valid: false,
    refunded: false,
    reason,
    message,
  });

  if (envelope.return_code !== 'SUCCESS') {
    return reject('return_fail', returnFailMessage(envelope));
  }
  if (!envelope.req_info) {
    return reject(
      'req_info_missing',
      'The notification has return_code SUCCESS but no req_info: it is not a refund notification from WeChat.',
    );
  }
  const decrypted = decryptFields(envelope.req_info, profile.key);
  if ('reason' in decrypted) return reject(decrypted.reason, decrypted.message);
  const { fields } = decrypted;
  const problem = identityProblem(base.checks, envelope, profile);
  if (problem) return reject(problem.reason, problem.message, fields);
  const refunded = fields.refund_status === 'SUCCESS';
  return {
    ...base,
    ...refundSummary(fields),
    fields,
    valid: true,
    refunded,
    reason: 'ok',
    message: `Authentic refund notification: out_refund_no ${fields.out_refund_no ?? '(none)'} is ${fields.refund_status ?? '(no refund_status)'}, refund_fee ${fields.refund_fee ?? '(none)'} fen.`,
  };
}

function decryptFields(
  reqInfo: string,
  key: string,
):
  | { fields: Record<string, string> }
  | { reason: NotificationReason; message: string } {
  let plain: string;
  try {
    plain = decryptReqInfo(reqInfo, key);
  } catch (error) {
    if (error instanceof SignatureError) {
      return { reason: 'req_info_undecryptable', message: error.message };
    }
    if (error instanceof InputError) {
      return { reason: 'req_info_malformed', message: error.message };
    }
    throw error;
  }
  try {
    return { fields: parseXmlSafely(plain, NOTIFY_MAX_BYTES).fields };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // Random bytes decrypt with valid padding about once in 256 tries; the
    // XML check is what turns that into a rejection.
    return {
      reason: 'req_info_undecryptable',
      message: `req_info decrypts, but not into refund XML (${error.message}): the notification is forged or the key is wrong.`,
    };
  }
}

function refundSummary(fields: Record<string, string>) {
  return {
    outTradeNo: fields.out_trade_no,
    outRefundNo: fields.out_refund_no,
    refundId: fields.refund_id,
    transactionId: fields.transaction_id,
    refundStatus: fields.refund_status,
    refundFee: fenField(fields.refund_fee),
    totalFee: fenField(fields.total_fee),
  };
}
