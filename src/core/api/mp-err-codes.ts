import type { ErrorClass } from './err-types.js';

/**
 * jscode2session errcodes (spec section 9). A wx.login code is single use
 * and lives 5 minutes, so no errcode here is retried with the same code by
 * wxpay itself (case B35): a retry must start from a new wx.login().
 */
export interface MpErrInfo {
  errcode: number;
  class: ErrorClass;
  /** A later call can succeed (with a NEW code for code errors). */
  retryable: boolean;
  /** Always false: sending the same code again never helps. */
  retry_same_code: false;
  meaning: string;
  hint: string;
}

type MpEntry = Omit<MpErrInfo, 'errcode' | 'retry_same_code'>;

export const MP_ERRCODES: Readonly<Record<number, MpEntry>> = {
  [-1]: {
    class: 'system_error',
    retryable: true,
    meaning: 'WeChat is busy (system error).',
    hint: 'Call wx.login() again for a fresh code and retry in a few seconds.',
  },
  40029: {
    class: 'invalid_code',
    retryable: false,
    meaning: 'The code is invalid (40029 invalid code).',
    hint: 'The code expired (5 minutes), was already consumed, or came from a mini program with another appid than the profile; get a fresh one from wx.login().',
  },
  40163: {
    class: 'code_already_used',
    retryable: false,
    meaning: 'The code was already exchanged (40163 code been used).',
    hint: 'A wx.login code works once and for 5 minutes; look for a double call (retry middleware, two handlers, a page mounted twice) and send each code once.',
  },
  45011: {
    class: 'rate_limited',
    retryable: true,
    meaning:
      'Rate limit reached (45011): at most 100 calls per user per minute.',
    hint: 'Wait a minute; cache the openid instead of exchanging a code on every page.',
  },
  40226: {
    class: 'code_blocked',
    retryable: false,
    meaning: 'WeChat blocked this login as high risk (40226 code blocked).',
    hint: 'Nothing to fix in the request; the user cannot log in right now.',
  },
  40013: {
    class: 'invalid_appid',
    retryable: false,
    meaning: 'The appid is invalid (40013).',
    hint: 'Check appid in the profile: it must be the mini program that called wx.login().',
  },
  40125: {
    class: 'invalid_secret',
    retryable: false,
    meaning: 'The AppSecret is invalid (40125).',
    hint: 'Set the current AppSecret with `wxpay config set app_secret` (it changes when reset in mp.weixin.qq.com).',
  },
  41002: {
    class: 'missing_params',
    retryable: false,
    meaning: 'The appid parameter is missing (41002).',
    hint: 'Set appid in the profile; the call must be a GET with appid in the query.',
  },
  41004: {
    class: 'missing_params',
    retryable: false,
    meaning: 'The AppSecret parameter is missing (41004).',
    hint: 'Set app_secret in the profile (`wxpay config set app_secret`).',
  },
  41008: {
    class: 'missing_params',
    retryable: false,
    meaning: 'The code parameter is missing (41008).',
    hint: 'Pass the code from wx.login() as JS_CODE.',
  },
};

/** Explains a jscode2session errcode; unknown ones get class `unknown`. */
export function explainMpErrcode(errcode: number, errmsg = ''): MpErrInfo {
  const entry = MP_ERRCODES[errcode];
  if (entry) return { errcode, retry_same_code: false, ...entry };
  return {
    errcode,
    class: 'unknown',
    retryable: false,
    retry_same_code: false,
    meaning: `jscode2session refused the code: ${errcode} ${errmsg}`.trim(),
    hint: 'Get a fresh code from wx.login() and check appid and app_secret.',
  };
}
