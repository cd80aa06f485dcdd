import { ConfigError, InputError, UsageError } from '../../../core/errors.js';
import {
  NOTIFY_MAX_BYTES,
  type NotifyProfile,
} from '../../../core/notify/types.js';
import { parseDuration } from '../../../core/fields.js';
import { parseSignType } from '../../../core/sign.js';
import type { Context } from '../../context.js';
import { readCapped } from '../../input-file.js';

export interface ProfileFlags {
  keyFile?: string;
  appid?: string;
  mchId?: string;
  signType?: string;
}

/**
 * The key, appid, mch_id and sign type to check notifications against:
 * flags first, then the active profile (WXPAY_KEY and friends included).
 * Without a profile, appid and mch_id stay unchecked and the caller warns.
 */
export async function notifyProfile(
  ctx: Context,
  flags: ProfileFlags,
): Promise<NotifyProfile> {
  const key = await ctx.apiKey(flags.keyFile);
  let stored: { appid?: string; mch_id?: string; sign_type?: string } = {};
  try {
    stored = (await ctx.profile()).profile;
  } catch (error) {
    // --key-file works without any profile; only then is a missing
    // profile not an error.
    if (!(error instanceof ConfigError) || !flags.keyFile) throw error;
  }
  const signType = flags.signType ?? stored.sign_type;
  return {
    key,
    appid: flags.appid ?? stored.appid,
    mchId: flags.mchId ?? stored.mch_id,
    signType: signType ? parseSignType(signType) : undefined,
  };
}

/**
 * Reads a notification body from FILE or `-` (stdin), keeping at most one
 * byte over the cap: a body over it is refused without reading the rest,
 * so `/dev/zero` or a huge file cannot fill the memory.
 */
export function readNotificationBody(
  ctx: Context,
  path: string,
  flag: string,
  cap = NOTIFY_MAX_BYTES,
): Promise<Buffer> {
  return readCapped(ctx, path, {
    flag,
    limit: cap,
    tooLarge: () =>
      new InputError(
        'XML_TOO_LARGE',
        `${path === '-' ? 'stdin' : path} holds more than a notification can; the limit is ${cap} bytes.`,
        {
          hint: 'Pass the raw body of one notification: real ones are 1-3 KB.',
        },
      ),
  });
}

/** Warns on stderr about the identity checks that cannot be made. */
export function warnUnchecked(ctx: Context, profile: NotifyProfile): void {
  const missing = [
    profile.appid ? '' : 'appid (--appid)',
    profile.mchId ? '' : 'mch_id (--mch-id)',
  ].filter(Boolean);
  if (missing.length) {
    ctx.out.warn(
      `Not checking ${missing.join(' or ')}: the profile has none. A notification for another merchant would pass that check.`,
    );
  }
}

/** A reply timeout: any duration wxpay reads, from 1 ms to 10 minutes. */
export function parseTimeout(text: string, flag = '--timeout'): number {
  let ms = NaN;
  try {
    ms = parseDuration(text);
  } catch {
    // Reported below with the flag's own range.
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > 600_000) {
    throw new UsageError(
      'TIMEOUT_INVALID',
      `${flag} "${text}" is not a duration between 1 ms and 10 m.`,
      { hint: `Write it like ${flag} 5s, ${flag} 500ms or ${flag} 2.` },
    );
  }
  return ms;
}

/** Reads a positive integer flag. */
export function parseCount(text: string, flag: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(
      'COUNT_INVALID',
      `${flag} "${text}" must be a whole number from 1 to ${max}.`,
    );
  }
  return Number(text);
}
