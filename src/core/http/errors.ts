import { ApiError, SignatureError } from '../errors.js';
import {
  explainErrCode,
  explainMpErrcode,
  explainReturnMsg,
  type ErrCodeInfo,
  type ErrorClass,
  type PayEndpoint,
} from '../api/err-codes.js';

/**
 * A refusal from WeChat (or the simulator): `return_code=FAIL`,
 * `result_code=FAIL` with an err_code, or a jscode2session errcode. Carries
 * the codes as WeChat sent them plus wxpay's stable class.
 */
export class WeChatApiError extends ApiError {
  readonly endpoint?: string;
  readonly returnCode?: string;
  readonly returnMsg?: string;
  readonly resultCode?: string;
  /** err_code, the downloadbill return_msg / error_code, or the errcode. */
  readonly errCode: string;
  readonly errCodeDes?: string;
  readonly errorClass: ErrorClass;
  /** A later retry of the same request can succeed. */
  readonly retryable: boolean;
  /** The client retries it by itself (SYSTEMERROR, BIZERR_NEED_RETRY). */
  readonly autoRetry: boolean;
  /** The response fields (a refused answer carries no secrets). */
  readonly fields: Record<string, string>;

  constructor(init: {
    endpoint?: string;
    fields: Record<string, string>;
    errCode: string;
    errCodeDes?: string;
    info: Pick<ErrCodeInfo, 'class' | 'retryable' | 'meaning' | 'action'> & {
      autoRetry?: boolean;
    };
  }) {
    const { endpoint, fields, errCode, errCodeDes, info } = init;
    const where = endpoint ?? 'WeChat';
    const des = errCodeDes ? ` (${errCodeDes})` : '';
    super(errCode, `${where} refused: ${errCode}${des}. ${info.meaning}`, {
      hint: info.action,
      details: {
        endpoint,
        return_code: fields.return_code,
        return_msg: fields.return_msg,
        result_code: fields.result_code,
        err_code: errCode,
        err_code_des: errCodeDes,
        class: info.class,
        retryable: info.retryable,
      },
    });
    this.endpoint = endpoint;
    this.returnCode = fields.return_code;
    this.returnMsg = fields.return_msg;
    this.resultCode = fields.result_code;
    this.errCode = errCode;
    this.errCodeDes = errCodeDes;
    this.errorClass = info.class;
    this.retryable = info.retryable;
    this.autoRetry = info.autoRetry ?? false;
    this.fields = fields;
  }
}

/**
 * Levels 1 and 2 of the status model (spec 3): return_code first, then
 * result_code with err_code. Returns the error to throw, or undefined when
 * both say SUCCESS. downloadbill names its numeric code `error_code`.
 */
export function refusalOf(
  endpoint: PayEndpoint | undefined,
  fields: Record<string, string>,
): WeChatApiError | undefined {
  if (fields.return_code !== 'SUCCESS') {
    const msg = fields.return_msg ?? '';
    const info = explainReturnMsg(endpoint, msg);
    return new WeChatApiError({
      endpoint,
      fields,
      errCode: msg || fields.return_code || 'FAIL',
      errCodeDes: fields.error_code,
      info,
    });
  }
  if (fields.result_code !== undefined && fields.result_code !== 'SUCCESS') {
    const code = fields.err_code || 'FAIL';
    const info = explainErrCode(endpoint, code, fields.err_code_des);
    return new WeChatApiError({
      endpoint,
      fields,
      errCode: code,
      errCodeDes: fields.err_code_des,
      info,
    });
  }
  return undefined;
}

/** A jscode2session errcode as a WeChatApiError. */
export function mpRefusal(errcode: number, errmsg: string): WeChatApiError {
  const info = explainMpErrcode(errcode, errmsg);
  return new WeChatApiError({
    endpoint: 'jscode2session',
    fields: { errcode: String(errcode), errmsg },
    errCode: String(errcode),
    errCodeDes: errmsg,
    info: { ...info, action: info.hint },
  });
}

/** The answer's sign is missing or wrong: never treat it as success. */
export function badSignature(
  endpoint: string | undefined,
  missing: boolean,
  url: string,
): SignatureError {
  const where = endpoint ?? 'the API';
  return new SignatureError(
    missing ? 'RESPONSE_SIGN_MISSING' : 'RESPONSE_SIGN_INVALID',
    missing
      ? `The answer from ${where} at ${url} carries no sign; it was not accepted.`
      : `The sign of the answer from ${where} at ${url} does not verify with your key; it was not accepted.`,
    {
      hint: 'Check base_url (a proxy or a fake server?) and that the profile key is the one of this mch_id; nothing was assumed to have succeeded.',
      details: { endpoint, url },
    },
  );
}

/** The answer names another appid or mch_id than the request. */
export function merchantMismatch(
  field: 'appid' | 'mch_id',
  expected: string,
  received: string,
  url: string,
): SignatureError {
  return new SignatureError(
    'RESPONSE_MERCHANT_MISMATCH',
    `The answer from ${url} is for ${field} ${received}, but the request was for ${expected}; it was not accepted.`,
    {
      hint: 'Check base_url: the server answered for another merchant.',
      details: { field, expected, received, url },
    },
  );
}
