/**
 * Payment and refund notifications for a merchant's notify_url handler:
 * framework-agnostic, taking the raw body as a string or Buffer.
 */
export * from './types.js';
export { classifyNotification, parseNotificationBody } from './parse.js';
export { verifyPaymentNotification, verifyPaymentFields } from './payment.js';
export { readRefundNotification, readRefundFields } from './refund.js';
export { readNotification, notificationId } from './notification.js';
export * from './reply.js';
export * from './build.js';
export * from './deliver.js';
export * from './receiver.js';
export {
  decryptReqInfo,
  encryptReqInfo,
  refundCryptoKey,
} from './refund-crypto.js';
