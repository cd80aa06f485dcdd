/**
 * Mini-program customer-service messages (客服消息): push verification,
 * safe-mode crypto, push parsing, the access_token and the send API.
 */
export * from './signature.js';
export * from './crypto.js';
export * from '../json.js';
export * from './message.js';
export * from './push.js';
export * from './verify-url.js';
export * from './errcodes.js';
export * from './http.js';
export * from './token.js';
export * from './token-file.js';
export * from './send.js';
export * from './receiver.js';
export * from './trigger.js';
export * from './judge.js';
export * from './handler-call.js';
