import { BY_ENDPOINT, COMMON, OUT_TRADE_NO_USED } from './err-tables.js';
import type {
  Entry,
  ErrCodeInfo,
  ErrorClass,
  PayEndpoint,
} from './err-types.js';

/**
 * Explanations for every refusal of the v2 pay API (spec section 4) and of
 * jscode2session (spec section 9), each with a stable class.
 */
export type { ErrCodeInfo, ErrorClass, PayEndpoint } from './err-types.js';
export { ENDPOINT_ERR_CODES } from './err-tables.js';
export {
  explainMpErrcode,
  MP_ERRCODES,
  type MpErrInfo,
} from './mp-err-codes.js';

/** Reads the endpoint from an API path such as `/secapi/pay/refund`. */
export function endpointOf(path: string): PayEndpoint | undefined {
  const last = path.split('?')[0].split('/').filter(Boolean).at(-1) ?? '';
  return last in BY_ENDPOINT ? (last as PayEndpoint) : undefined;
}

function lookup(
  endpoint: PayEndpoint | undefined,
  code: string,
): Entry | undefined {
  const table = endpoint ? BY_ENDPOINT[endpoint] : {};
  // The server writes `No Bill Exist` where the doc prints `NO Bill Exist`
  // (spec 4.6): downloadbill messages are compared case-insensitively.
  const folded = endpoint === 'downloadbill' ? code.trim().toUpperCase() : code;
  return table[folded] ?? table[code] ?? COMMON[code];
}

/**
 * `201 商户订单号重复`: WeChat's wording when an out_trade_no is re-sent with
 * other business parameters (case C18). It arrives as INVALID_REQUEST, not
 * as OUT_TRADE_NO_USED.
 */
export function isDuplicateOutTradeNo(code: string, desc = ''): boolean {
  if (code === 'OUT_TRADE_NO_USED' || code === 'OUTTRADENO_USED') return true;
  return code === 'INVALID_REQUEST' && desc.includes('商户订单号重复');
}

/**
 * Explains an err_code (or, for downloadbill, a return_msg) of a v2
 * endpoint. Unknown codes get class `unknown` and the advice to read
 * err_code_des: WeChat adds codes without notice.
 */
export function explainErrCode(
  endpoint: PayEndpoint | undefined,
  code: string,
  desc = '',
): ErrCodeInfo {
  if (isDuplicateOutTradeNo(code, desc)) {
    return { code, autoRetry: false, ...OUT_TRADE_NO_USED };
  }
  const entry = lookup(endpoint, code);
  if (entry) return { code, autoRetry: false, ...entry };
  return {
    code,
    class: 'unknown',
    retryable: false,
    autoRetry: false,
    meaning: desc
      ? `WeChat refused the request: ${desc}`
      : `WeChat refused the request with ${code}.`,
    action:
      'Read err_code_des; if it is unclear, search the code in the WeChat Pay docs for this API.',
  };
}

/**
 * The outcome of a v2 refusal as one plain object, e.g. for C18's fixture:
 * `{code:"INVALID_REQUEST", desc:"201 商户订单号重复",
 * duplicate_out_trade_no:true, retryable:false}`.
 */
export interface PayRefusal {
  ok: false;
  code: string;
  desc: string;
  class: ErrorClass;
  duplicate_out_trade_no: boolean;
  retryable: boolean;
  meaning: string;
  action: string;
}

/** Reads a refused response's fields into a PayRefusal. */
export function describeRefusal(
  endpoint: PayEndpoint | undefined,
  fields: Record<string, string>,
): PayRefusal {
  const code = fields.err_code || fields.return_msg || 'FAIL';
  const desc = fields.err_code_des ?? '';
  const info = explainErrCode(endpoint, code, desc);
  return {
    ok: false,
    code,
    desc,
    class: info.class,
    duplicate_out_trade_no: info.class === OUT_TRADE_NO_USED.class,
    retryable: info.retryable,
    meaning: info.meaning,
    action: info.action,
  };
}

/**
 * Explains a `return_code=FAIL` answer, whose only text is return_msg (no
 * err_code, no sign; spec 3). The texts are Chinese sentences, so they are
 * recognised by the words they use.
 */
export function explainReturnMsg(
  endpoint: PayEndpoint | undefined,
  returnMsg: string,
): ErrCodeInfo {
  const known = lookup(endpoint, returnMsg);
  if (known) return { code: returnMsg, autoRetry: false, ...known };
  const pick = (name: string) => ({
    code: returnMsg,
    autoRetry: false,
    ...COMMON[name],
  });
  if (/签名|sign/i.test(returnMsg)) return pick('SIGNERROR');
  if (/XML/i.test(returnMsg)) return pick('XML_FORMAT_ERROR');
  if (/appid/i.test(returnMsg) && /mch_?id/i.test(returnMsg)) {
    return pick('APPID_MCHID_NOT_MATCH');
  }
  if (/appid/i.test(returnMsg)) return pick('APPID_NOT_EXIST');
  if (/mch_?id|商户号/i.test(returnMsg)) return pick('MCHID_NOT_EXIST');
  if (/缺少|missing|lack/i.test(returnMsg)) return pick('LACK_PARAMS');
  if (/参数|param/i.test(returnMsg)) return pick('PARAM_ERROR');
  return {
    code: returnMsg,
    class: 'unknown',
    retryable: false,
    autoRetry: false,
    meaning: `WeChat refused the request: ${returnMsg || 'return_code=FAIL'}.`,
    action:
      'Check the request parameters and the profile (appid, mch_id, key).',
  };
}
