import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';

/** Field rules of WeChat Pay v2 (spec sections 4.1 and 8). */

const NONCE_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random `nonce_str` from the crypto RNG (at most 32 characters, WeChat's
 * limit). Rejection sampling keeps every character equally likely.
 */
export function nonceStr(length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 32) {
    throw new InputError(
      'NONCE_LENGTH',
      'nonce_str must be 1 to 32 characters.',
    );
  }
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 62 * 4 = 248: bytes above that would favour the first letters.
      if (byte < 248 && out.length < length) {
        out += NONCE_ALPHABET[byte % 62];
      }
    }
  }
  return out;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/**
 * Checks an `out_trade_no`: 6 to 32 characters of `0-9 a-z A-Z _ - | *`.
 * The 6-character minimum appears on most official pages but not on the
 * mini-program one (spec 11.3); enforcing it is the reading that never gets a
 * request refused.
 */
export function validateOutTradeNo(
  value: string,
  field = 'out_trade_no',
): string {
  if (!OUT_TRADE_NO.test(value)) {
    throw new InputError(
      'OUT_TRADE_NO_INVALID',
      `${field} "${value}" is invalid: use 6 to 32 characters from 0-9 a-z A-Z _ - | *.`,
      { hint: 'Leave it out and wxpay generates a unique one.' },
    );
  }
  return value;
}

/** Checks an `out_refund_no`: 1 to 64 characters of `0-9 a-z A-Z _ - | * @`. */
export function validateOutRefundNo(value: string): string {
  if (!OUT_REFUND_NO.test(value)) {
    throw new InputError(
      'OUT_REFUND_NO_INVALID',
      `out_refund_no "${value}" is invalid: use at most 64 characters from 0-9 a-z A-Z _ - | * @.`,
    );
  }
  return value;
}

let lastStamp = '';
let sequence = 0;

/**
 * A fresh merchant order number: Beijing time to the second, a per-process
 * sequence and random digits, e.g. `20240610141320000017294`. Unique across
 * fast repeated calls in one process (the sequence) and across processes
 * (the randomness), and sortable by creation time.
 */
export function generateOutTradeNo(prefix = '', now = new Date()): string {
  const stamp = beijingTime(now);
  if (stamp === lastStamp) {
    sequence += 1;
  } else {
    lastStamp = stamp;
    sequence = 0;
  }
  const random = randomBytes(4).readUInt32BE(0) % 1_000_000;
  const value = `${prefix}${stamp}${String(sequence % 1000).padStart(3, '0')}${String(random).padStart(6, '0')}`;
  return validateOutTradeNo(value);
}

/** `body` is limited to 127 bytes of UTF-8 (a Chinese character is 3). */
export const BODY_MAX_BYTES = 127;

export function validateBody(body: string): string {
  if (body.trim() === '') {
    throw new InputError(
      'BODY_EMPTY',
      'body (the product description) is empty.',
    );
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > BODY_MAX_BYTES) {
    throw new InputError(
      'BODY_TOO_LONG',
      `body is ${bytes} bytes of UTF-8; WeChat allows ${BODY_MAX_BYTES} (a Chinese character counts 3).`,
      { hint: 'Shorten the product description.' },
    );
  }
  return body;
}

/**
 * WeChat Pay v2 accepts only 1-3 byte UTF-8 characters (spec 1): emoji and
 * other supplementary-plane characters make the whole request fail. Names
 * the first field that has one.
 */
export function refuseFourByteChars(
  fields: Record<string, string | number | null | undefined>,
): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const match = /[\u{10000}-\u{10FFFF}]/u.exec(value);
    if (match) {
      const code = match[0].codePointAt(0)!.toString(16).toUpperCase();
      throw new InputError(
        'FOUR_BYTE_CHAR',
        `Field ${name} contains U+${code}, a 4-byte UTF-8 character (such as an emoji) that WeChat Pay v2 refuses.`,
        { hint: `Remove or replace that character in ${name}.` },
      );
    }
  }
}

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * Formats a moment as `yyyyMMddHHmmss` in Beijing time (UTC+8), which is how
 * WeChat reads `time_start` / `time_expire`, whatever the server's TZ
 * (case C16: a UTC clock made orders expire before they were created).
 */
export function beijingTime(moment: Date): string {
  const shifted = new Date(moment.getTime() + BEIJING_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(shifted.getUTCFullYear(), 4) +
    pad(shifted.getUTCMonth() + 1) +
    pad(shifted.getUTCDate()) +
    pad(shifted.getUTCHours()) +
    pad(shifted.getUTCMinutes()) +
    pad(shifted.getUTCSeconds())
  );
}

/** Reads WeChat's `yyyyMMddHHmmss` Beijing time back into a Date. */
export function parseBeijingTime(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) {
    throw new InputError('TIME_INVALID', `"${text}" is not yyyyMMddHHmmss.`);
  }
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS);
}

/**
 * Reads a duration such as `30m`, `2h`, `90s`, `1h30m`, `500ms`, `1.5s` or a
 * plain number of seconds into milliseconds. Every `--timeout` and
 * `--expire` flag reads durations this one way.
 */
export function parseDuration(text: string): number {
  const value = text.trim();
  const m =
    /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(
      value,
    );
  const plain = /^\d+(?:\.\d+)?$/.test(value);
  if (value === '' || (!m && !plain)) {
    throw new InputError('DURATION_INVALID', `"${text}" is not a duration.`, {
      hint: 'Write it like 30m, 2h, 90s, 1h30m or 500ms.',
    });
  }
  if (plain) return Math.round(Number(value) * 1000);
  const [h, mi, s, ms] = m!.slice(1).map((v) => Number(v ?? 0));
  return Math.round(((h * 60 + mi) * 60 + s) * 1000 + ms);
}
