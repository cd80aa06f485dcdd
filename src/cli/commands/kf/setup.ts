import { join } from 'node:path';
import { ConfigError, UsageError } from '../../../core/errors.js';
import { decodeEncodingAesKey } from '../../../core/kf/crypto.js';
import type { PushFormat } from '../../../core/kf/message.js';
import { DEFAULT_MP_BASE_URL, type Profile } from '../../../core/profile.js';
import type { Context } from '../../context.js';

/**
 * What every kf command needs from the profile, read once. Secrets come
 * from a file flag, then an environment variable, then the profile; never
 * from a plain flag value.
 */
export interface KfOptions {
  tokenFile?: string;
  aesKeyFile?: string;
  appid?: string;
  format?: string;
}

export interface KfSetup {
  profileName?: string;
  profile: Profile;
  /** The in-process simulator (--mock or the mock profile). */
  mock: boolean;
  token?: string;
  aesKey?: Buffer;
  appid?: string;
  pushFormat?: PushFormat;
}

/** Environment variables for CI (documented in the README). */
export const KF_TOKEN_ENV = 'WXPAY_KF_TOKEN';
export const KF_AES_KEY_ENV = 'WXPAY_KF_AES_KEY';

export async function loadKfSetup(
  ctx: Context,
  options: KfOptions,
): Promise<KfSetup> {
  let resolved: Awaited<ReturnType<Context['profile']>> | undefined;
  try {
    resolved = await ctx.profile();
  } catch (error) {
    // Token and key may all come from files or the environment.
    if (!(error instanceof ConfigError) || error.code !== 'PROFILE_MISSING') {
      throw error;
    }
  }
  const profile = resolved?.profile ?? {};
  const token = options.tokenFile
    ? await ctx.readSecretFile(options.tokenFile, '--token-file')
    : (nonEmpty(ctx.env[KF_TOKEN_ENV]) ?? profile.token);
  const aesKeyText = options.aesKeyFile
    ? await ctx.readSecretFile(options.aesKeyFile, '--aes-key-file')
    : (nonEmpty(ctx.env[KF_AES_KEY_ENV]) ?? profile.encoding_aes_key);
  return {
    profileName: resolved?.name,
    profile,
    mock: resolved?.mock ?? false,
    token,
    aesKey: aesKeyText ? decodeEncodingAesKey(aesKeyText) : undefined,
    appid: options.appid ?? profile.appid,
    pushFormat: parseFormat(options.format) ?? profile.push_format,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function parseFormat(value: string | undefined): PushFormat | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'xml' || lower === 'json') return lower;
  throw new UsageError(
    'KF_FORMAT_UNKNOWN',
    `--format is xml or json, not "${value}".`,
  );
}

export function requireToken(setup: KfSetup): string {
  if (setup.token) return setup.token;
  throw new ConfigError('KF_TOKEN_MISSING', 'No push Token is configured.', {
    hint: `Run \`wxpay config set token\`, set ${KF_TOKEN_ENV}, or pass --token-file PATH.`,
  });
}

export function requireAesKey(setup: KfSetup): Buffer {
  if (setup.aesKey) return setup.aesKey;
  throw new ConfigError(
    'KF_AES_KEY_MISSING',
    'No EncodingAESKey is configured (needed for safe mode).',
    {
      hint: `Run \`wxpay config set encoding_aes_key\`, set ${KF_AES_KEY_ENV}, or pass --aes-key-file PATH.`,
    },
  );
}

export function requireAppid(setup: KfSetup): string {
  if (setup.appid) return setup.appid;
  throw new ConfigError('APPID_MISSING', 'No AppID is configured.', {
    hint: 'Run `wxpay config set appid`, set WXPAY_APPID, or pass --appid.',
  });
}

/** The mini-program API host, or `mock:` for the in-process simulator. */
export function mpBaseUrl(setup: KfSetup): string {
  const configured = setup.profile.mp_base_url;
  if (setup.mock && (configured === undefined || configured === 'mock:')) {
    return 'mock:';
  }
  return configured ?? DEFAULT_MP_BASE_URL;
}

/** Where access tokens are cached (mode 0600). */
export function tokenCachePath(ctx: Context): string {
  return join(ctx.configDir, 'access-tokens.json');
}

/** True for a loopback host (a local simulator or a developer's server). */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}
