import { parseSignType, type SignType, maskSecret } from './sign.js';

/**
 * A merchant profile: the credentials and endpoints one WeChat Pay merchant
 * (and its mini program) uses. Profiles are stored by the CLI; the library
 * takes them as plain objects.
 */
export interface Profile {
  appid?: string;
  mch_id?: string;
  /** The v2 API key (API密钥), 32 characters. */
  key?: string;
  /** The mini program's AppSecret, for jscode2session and access_token. */
  app_secret?: string;
  sign_type?: SignType;
  notify_url?: string;
  /** The pay API host; default https://api.mch.weixin.qq.com. */
  base_url?: string;
  /** Tried when base_url fails; default https://api2.mch.weixin.qq.com. */
  backup_base_url?: string;
  /** The mini-program API host (jscode2session, access_token, kf). */
  mp_base_url?: string;
  /** apiclient_cert.p12, or the PEM pair below. */
  cert_p12?: string;
  cert_pem?: string;
  key_pem?: string;
  /** The p12 passphrase; WeChat's default is the mch_id. */
  cert_passphrase?: string;
  /** Customer-service push settings. */
  token?: string;
  encoding_aes_key?: string;
  push_format?: 'xml' | 'json';
}

export type ProfileField = keyof Profile;

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
export const DEFAULT_BACKUP_BASE_URL = 'https://api2.mch.weixin.qq.com';
export const DEFAULT_MP_BASE_URL = 'https://api.weixin.qq.com';

/**
 * The value wxpay uses for a field the profile leaves unset, if it has one.
 * The backup host applies only while base_url is WeChat's own primary host,
 * so a local or test base_url never fails over to a real WeChat host.
 */
export function defaultValue(
  field: ProfileField,
  profile: Profile,
): string | undefined {
  if (field === 'base_url') return DEFAULT_BASE_URL;
  if (field === 'mp_base_url') return DEFAULT_MP_BASE_URL;
  if (field === 'sign_type') return 'MD5';
  if (field === 'backup_base_url') {
    const primary = (profile.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    return primary === DEFAULT_BASE_URL ? DEFAULT_BACKUP_BASE_URL : undefined;
  }
  return undefined;
}

/** Fields that are secrets: never shown, logged or taken from a flag value. */
export const SECRET_FIELDS: readonly ProfileField[] = [
  'key',
  'app_secret',
  'cert_passphrase',
  'token',
  'encoding_aes_key',
];

export const PROFILE_FIELDS: readonly ProfileField[] = [
  'appid',
  'mch_id',
  'key',
  'app_secret',
  'sign_type',
  'notify_url',
  'base_url',
  'backup_base_url',
  'mp_base_url',
  'cert_p12',
  'cert_pem',
  'key_pem',
  'cert_passphrase',
  'token',
  'encoding_aes_key',
  'push_format',
];

/** Environment variables that override the profile, for CI. */
export const ENV_OVERRIDES: Readonly<Record<string, ProfileField>> = {
  WXPAY_KEY: 'key',
  WXPAY_APPID: 'appid',
  WXPAY_MCH_ID: 'mch_id',
  WXPAY_APP_SECRET: 'app_secret',
};

export function isProfileField(name: string): name is ProfileField {
  return (PROFILE_FIELDS as readonly string[]).includes(name);
}

export function isSecretField(name: string): boolean {
  return (SECRET_FIELDS as readonly string[]).includes(name);
}

/**
 * Checks one value and returns warnings that say what looks wrong. Values
 * are still stored: a test merchant may have odd ids, and the user decides.
 */
export function profileWarnings(field: ProfileField, value: string): string[] {
  const checks: Partial<Record<ProfileField, () => string[]>> = {
    key: () => keyWarnings(value),
    mch_id: () =>
      /^\d{8,10}$/.test(value)
        ? []
        : ['mch_id is normally 8 to 10 digits (商户号); check for a typo.'],
    appid: () =>
      /^wx[0-9a-f]{16}$/.test(value)
        ? []
        : ['appid is normally "wx" followed by 16 lower-case hex characters.'],
    app_secret: () =>
      /^[0-9a-f]{32}$/.test(value)
        ? []
        : ['app_secret (AppSecret) is normally 32 hex characters.'],
    encoding_aes_key: () =>
      /^[A-Za-z0-9]{43}$/.test(value)
        ? []
        : ['encoding_aes_key is 43 letters and digits (EncodingAESKey).'],
    notify_url: () => urlWarnings(value, true),
    base_url: () => urlWarnings(value, false),
    backup_base_url: () => urlWarnings(value, false),
    mp_base_url: () => urlWarnings(value, false),
  };
  return checks[field]?.() ?? [];
}

/** What looks wrong with a v2 API key; empty when it looks right. */
export function keyWarnings(key: string): string[] {
  const warnings: string[] = [];
  if (/^\s|\s$/.test(key)) {
    warnings.push(
      'The key has leading or trailing whitespace; WeChat signs with the key exactly as written, so this will give 签名错误.',
    );
  }
  if (key.trim().length !== 32) {
    warnings.push(
      `The key is ${key.trim().length} characters; the v2 API key (API密钥) is exactly 32. The AppSecret, the APIv3 key and the merchant-platform password are different secrets.`,
    );
  }
  return warnings;
}

function urlWarnings(value: string, isNotify: boolean): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`"${value}" is not a URL.`];
  }
  const warnings: string[] = [];
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    warnings.push('Use an http(s) URL.');
  }
  if (isNotify && url.search !== '') {
    warnings.push('notify_url must not carry a query string; WeChat drops it.');
  }
  return warnings;
}

/** Parses a stored or typed value into the profile's type. */
export function normalizeProfileValue(
  field: ProfileField,
  value: string,
): string {
  if (field === 'sign_type') return parseSignType(value);
  if (field === 'push_format') {
    const lower = value.trim().toLowerCase();
    if (lower !== 'xml' && lower !== 'json') {
      throw new RangeError('push_format is xml or json');
    }
    return lower;
  }
  return value;
}

/** A copy with every secret masked to its last 4 characters. */
export function redactProfile(profile: Profile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(profile)) {
    if (value === undefined) continue;
    out[name] = isSecretField(name) ? maskSecret(String(value)) : String(value);
  }
  return out;
}

/** Applies WXPAY_KEY and friends on top of a stored profile. */
export function applyEnvOverrides(
  profile: Profile,
  env: Record<string, string | undefined>,
): { profile: Profile; overridden: ProfileField[] } {
  const result: Profile = { ...profile };
  const overridden: ProfileField[] = [];
  for (const [variable, field] of Object.entries(ENV_OVERRIDES)) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      (result as Record<string, string>)[field] = value;
      overridden.push(field);
    }
  }
  return { profile: result, overridden };
}
