import { ApiError, ConfigError, type WxPayError } from '../errors.js';

/**
 * The mini-program API errcodes a customer-service integration meets
 * (customer-service spec §5.2–5.6, §6.1–6.2), each with what it means and
 * what to do next. WeChat itself returns bare numbers.
 */
export type KfErrcodeKind =
  | 'busy'
  | 'token'
  | 'credentials'
  | 'window'
  | 'quota'
  | 'openid'
  | 'permission'
  | 'typing'
  | 'media'
  | 'frequency'
  | 'request';

export interface KfErrcodeInfo {
  kind: KfErrcodeKind;
  meaning: string;
  action: string;
}

/** Errcodes after which the access_token is dropped and the call retried once. */
export const TOKEN_ERRCODES: readonly number[] = [40001, 40014, 42001];

export const KF_ERRCODES: Readonly<Record<number, KfErrcodeInfo>> = {
  [-1]: {
    kind: 'busy',
    meaning: 'WeChat is busy (system error).',
    action: 'Retry in a few seconds, with backoff.',
  },
  40001: {
    kind: 'token',
    meaning:
      'The access_token is invalid or not the latest (or the AppSecret is wrong).',
    action:
      'Another process may have fetched a new classic token; wxpay refreshed and retried once. Use one token service, and the stable_token endpoint (the default).',
  },
  40002: {
    kind: 'request',
    meaning: 'Invalid grant_type or credential type.',
    action: 'grant_type must be client_credential.',
  },
  40003: {
    kind: 'openid',
    meaning: 'The openid is not a user of this mini program.',
    action:
      'Use the FromUserName of a push to this mini program; openids differ per app.',
  },
  40004: {
    kind: 'media',
    meaning: 'Invalid media type.',
    action: 'Customer-service messages take type=image.',
  },
  40005: {
    kind: 'media',
    meaning: 'Unsupported file type.',
    action: 'Upload a JPG, PNG or GIF image.',
  },
  40007: {
    kind: 'media',
    meaning: 'Invalid media_id (unknown or older than 3 days).',
    action: 'Upload the image again: temporary media live 3 days.',
  },
  40009: {
    kind: 'media',
    meaning: 'Invalid image size.',
    action: 'Keep images at or under 2 MB.',
  },
  40013: {
    kind: 'credentials',
    meaning: 'Invalid AppID.',
    action: 'Check the profile appid (`wxpay config set appid`).',
  },
  40014: {
    kind: 'token',
    meaning: 'The access_token is invalid.',
    action:
      'wxpay refreshed the token and retried once; if it repeats, check that nothing else rewrites the token.',
  },
  40125: {
    kind: 'credentials',
    meaning: 'Invalid AppSecret.',
    action:
      'Set the current AppSecret with `wxpay config set app_secret` (resetting it in the console invalidates the old one).',
  },
  40164: {
    kind: 'credentials',
    meaning: 'The calling IP is not in the API IP whitelist.',
    action:
      "Add this machine's public IP under 开发管理 → 开发设置 → IP白名单.",
  },
  40200: {
    kind: 'typing',
    meaning: 'Invalid account type for typing.',
    action: 'Typing is for mini programs with customer-service permission.',
  },
  40243: {
    kind: 'credentials',
    meaning: 'The AppSecret is frozen.',
    action: 'Unfreeze or reset the AppSecret in the console.',
  },
  41001: {
    kind: 'token',
    meaning: 'access_token missing.',
    action: 'Run `wxpay token` to check that a token can be fetched.',
  },
  41002: {
    kind: 'credentials',
    meaning: 'appid missing.',
    action: 'Set the profile appid.',
  },
  41004: {
    kind: 'credentials',
    meaning: 'AppSecret missing.',
    action: 'Set app_secret with `wxpay config set app_secret`.',
  },
  42001: {
    kind: 'token',
    meaning: 'The access_token expired.',
    action: 'wxpay refreshed the token and retried once.',
  },
  43002: {
    kind: 'request',
    meaning: 'The API requires POST.',
    action: 'stable_token takes a POST with a JSON body.',
  },
  45009: {
    kind: 'frequency',
    meaning:
      'Daily API quota reached (also after too many force_refresh calls).',
    action:
      'Wait until tomorrow, or reset the quota in the console; do not force-refresh tokens routinely.',
  },
  45011: {
    kind: 'frequency',
    meaning: 'API called too often.',
    action: 'Slow down and retry in a minute.',
  },
  45015: {
    kind: 'window',
    meaning:
      'Reply window passed: the user has not messaged in the last 48 hours (1 minute after only entering the session), or unsubscribed.',
    action:
      'Wait until the user writes again; each user message reopens the 48 h window.',
  },
  45047: {
    kind: 'quota',
    meaning:
      'Reply quota used up: at most 5 messages per user message (2 after entering the session).',
    action: "Wait for the user's next message; quotas do not add up.",
  },
  45072: {
    kind: 'typing',
    meaning: 'Invalid typing command.',
    action: 'command is Typing or CancelTyping (`wxpay kf typing on|off`).',
  },
  45080: {
    kind: 'typing',
    meaning: 'No interaction with the user in the last 30 seconds.',
    action: 'Send typing only right after a user message.',
  },
  45081: {
    kind: 'typing',
    meaning: 'Already typing.',
    action: 'The typing state lasts 15 s; wait or send the message.',
  },
  48001: {
    kind: 'permission',
    meaning:
      'API unauthorized: this account lacks the customer-service permission.',
    action:
      'Check the customer-service permission of the mini program (and that it is not authorised to a third-party platform).',
  },
  50004: {
    kind: 'credentials',
    meaning: 'The token API is forbidden for this account.',
    action: 'Check the account status in the console.',
  },
  50007: {
    kind: 'credentials',
    meaning: 'The account is frozen.',
    action: 'Check the account status in the console.',
  },
  70000: {
    kind: 'permission',
    meaning: 'Blocked to protect minors (为保护未成年人权益).',
    action: 'This user cannot receive the message; do not retry.',
  },
  89503: {
    kind: 'credentials',
    meaning: "The call needs the admin's confirmation.",
    action:
      'Ask the admin to confirm the IP in the WeChat notification, then retry.',
  },
  89506: {
    kind: 'credentials',
    meaning: 'The admin rejected this IP.',
    action: 'Retry after 24 hours, or ask the admin.',
  },
  89507: {
    kind: 'credentials',
    meaning: 'The admin rejected this IP.',
    action: 'Retry after 1 hour, or ask the admin.',
  },
};

export function explainKfErrcode(errcode: number): KfErrcodeInfo | undefined {
  return KF_ERRCODES[errcode];
}

/**
 * Builds the error for an errcode answer: credentials problems are
 * ConfigError (exit 4), everything else ApiError (exit 1). `errcode` and
 * `errmsg` stay in `details` for --json.
 */
export function mpApiError(
  errcode: number,
  errmsg: string,
  api: string,
): WxPayError {
  const info = explainKfErrcode(errcode);
  const message = `${api} failed: errcode ${errcode} (${errmsg || 'no errmsg'})${info ? `: ${info.meaning}` : '.'}`;
  const options = {
    hint: info?.action ?? 'See the errcode in the WeChat docs for this API.',
    details: { errcode, errmsg, kind: info?.kind ?? 'unknown', api },
  };
  return info?.kind === 'credentials'
    ? new ConfigError(`MP_${errcode}`, message, options)
    : new ApiError(`MP_${errcode}`, message, options);
}

/** The errcode carried by an error from mpApiError, if any. */
export function errcodeOf(error: unknown): number | undefined {
  const details = (error as WxPayError | undefined)?.details;
  return typeof details?.errcode === 'number' ? details.errcode : undefined;
}
