/** The WeChat Pay v2 HTTP client (no terminal code). */
export { PayClient } from './client.js';
export {
  WeChatApiError,
  refusalOf,
  badSignature,
  merchantMismatch,
} from './errors.js';
export { validateJsCode } from './mp.js';
export { redact, REDACTED } from './redact.js';
export { PayNetworkError, joinUrl } from './transport.js';
export type * from './types.js';
