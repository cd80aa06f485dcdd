import { verifyPaymentFields, returnFailMessage } from './payment.js';
import { envelopeBase, kindOfFields, parseNotificationBody } from './parse.js';
import { readRefundFields } from './refund.js';
import type { Notification, NotifyProfile } from './types.js';

/**
 * Reads any notification a notify_url can receive: tells payment from
 * refund (parsing the body once), then verifies a payment or decrypts a
 * refund. A bare return_code FAIL comes back as kind `unknown`, not valid.
 */
export function readNotification(
  body: string | Uint8Array,
  profile: NotifyProfile,
): Notification {
  const fields = parseNotificationBody(body, profile.maxBytes);
  const kind = kindOfFields(fields);
  if (kind === 'payment') return verifyPaymentFields(fields, profile);
  if (kind === 'refund') return readRefundFields(fields, profile);
  return {
    kind: 'unknown',
    valid: false,
    reason: 'return_fail',
    message: returnFailMessage(fields),
    ...envelopeBase(fields, profile),
    fields,
  };
}

/**
 * The key that identifies one event across WeChat's retries: the
 * transaction_id of a payment, the out_refund_no of a refund. Undefined
 * when the notification is not valid (an invalid one must not mark a real
 * event as seen).
 */
export function notificationId(notification: Notification): string | undefined {
  if (!notification.valid) return undefined;
  if (notification.kind === 'payment' && notification.transactionId) {
    return `payment:${notification.transactionId}`;
  }
  if (notification.kind === 'refund' && notification.outRefundNo) {
    return `refund:${notification.outRefundNo}`;
  }
  return undefined;
}
