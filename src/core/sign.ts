import { createHash, timingSafeEqual } from 'node:crypto';
import { InputError, UsageError } from './errors.js';
import { hmacSha256Hex, oneShotHash } from './hmac.js';

/** The two signature algorithms of WeChat Pay API v2. */
export type SignType = 'MD5' | 'HMAC-SHA256';

/** A parameter set as it is signed: names to raw values. */
export type Params = Record<string, string | number | null | undefined>;

export const SIGN_TYPES: readonly SignType[] = ['MD5', 'HMAC-SHA256'];

/** Why a field was left out of the string to sign. */
export interface DroppedField {
  name: string;
  reason: 'sign-field' | 'empty' | 'null';
}

export interface CanonicalForm {
  /** `k1=v1&k2=v2…` without the key: WeChat's stringA. */
  stringA: string;
  /** The fields that took part, in signing order. */
  fields: [string, string][];
  dropped: DroppedField[];
}

/** Reads `MD5` / `HMAC-SHA256` (any case); throws a UsageError otherwise. */
export function parseSignType(value: string): SignType {
  const upper = value.trim().toUpperCase();
  if (upper === 'MD5' || upper === 'HMAC-SHA256') return upper;
  throw new UsageError('SIGN_TYPE_UNKNOWN', `Unknown sign type "${value}".`, {
    hint: 'Use MD5 or HMAC-SHA256.',
  });
}

/**
 * Builds WeChat's stringA (spec 2.1): drops `sign` and empty values (`""`,
 * `null`, `undefined`; `"0"` stays), sorts names by byte order and joins raw
 * values with no URL-encoding.
 */
export function canonicalize(params: Params): CanonicalForm {
  const fields: [string, string][] = [];
  const dropped: DroppedField[] = [];
  for (const name of signingOrder(params).names) {
    const value = params[name];
    if (name === 'sign') {
      dropped.push({ name, reason: 'sign-field' });
    } else if (value === null || value === undefined) {
      dropped.push({ name, reason: 'null' });
    } else if (String(value) === '') {
      dropped.push({ name, reason: 'empty' });
    } else {
      fields.push([name, String(value)]);
    }
  }
  const stringA = fields.map(([k, v]) => `${k}=${v}`).join('&');
  return { stringA, fields, dropped };
}

/** Names in byte order, each also as the `name=` text that starts its pair. */
interface SigningOrder {
  names: readonly string[];
  prefixes: readonly string[];
}

/**
 * Names in byte order. Comparing strings compares UTF-16 units, which equals
 * UTF-8 byte order except for characters outside the Basic Multilingual
 * Plane; WeChat refuses those (4-byte UTF-8) everywhere in v2, so this is
 * the byte order for every valid name. A v2 body has a few dozen fields at
 * most, where insertion sort beats Array.prototype.sort by half.
 */
function signingOrder(params: Params): SigningOrder {
  const names = Object.keys(params);
  if (sameNames(names, lastNames)) return lastOrder;
  const sorted = names.slice();
  if (sorted.length > 64) {
    sorted.sort();
  } else {
    for (let i = 1; i < sorted.length; i++) {
      const name = sorted[i];
      let j = i - 1;
      while (j >= 0 && sorted[j] > name) {
        sorted[j + 1] = sorted[j];
        j--;
      }
      sorted[j + 1] = name;
    }
  }
  lastNames = names;
  lastOrder = { names: sorted, prefixes: sorted.map((name) => `${name}=`) };
  return lastOrder;
}

// A server signs the same shape of parameters again and again (every
// notification, every order); comparing the names with the previous call's
// is cheaper than sorting them, and the result is the same sorted order.
let lastNames: readonly string[] = [];
let lastOrder: SigningOrder = { names: [], prefixes: [] };

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * stringSignTemp from a ready stringA: `stringA&key=KEY`, or `key=KEY` alone
 * when every field was dropped (the same text `stringToSign` builds).
 */
export function appendKey(stringA: string, key: string): string {
  return stringA === '' ? `key=${key}` : `${stringA}&key=${key}`;
}

/**
 * stringSignTemp: stringA followed by `&key=KEY`. This is the hot path of
 * every signature, so it builds the string in one pass without the
 * bookkeeping of `canonicalize`; plain `+` on cached `name=` prefixes is
 * the cheapest way V8 has to build it.
 */
export function stringToSign(params: Params, key: string): string {
  const { names, prefixes } = signingOrder(params);
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = params[name];
    if (name === 'sign' || value === null || value === undefined) continue;
    const raw = typeof value === 'string' ? value : String(value);
    if (raw !== '') text = text + prefixes[i] + raw + '&';
  }
  return text + 'key=' + key;
}

function md5Hex(text: string): string {
  return oneShotHash
    ? oneShotHash('md5', text, 'hex')
    : createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * Hashes an already built string the WeChat way: UTF-8 bytes, MD5 or
 * HMAC-SHA256 keyed with the API key, upper-case hex.
 */
export function digest(text: string, key: string, signType: SignType): string {
  if (signType === 'MD5') return md5Hex(text).toUpperCase();
  if (signType === 'HMAC-SHA256') return hmacSha256Hex(key, text).toUpperCase();
  // Plain JavaScript callers can pass anything: read 'md5' as MD5, and
  // refuse a typo rather than sign with an algorithm nobody asked for.
  return digest(text, key, parseSignType(String(signType)));
}

/**
 * Signs a parameter set with the merchant's v2 API key.
 *
 * Known answers (WeChat's signing doc, spec 2.4): the parameters
 * `appid=wxd930ea5d5a258f4f, mch_id=10000100, device_info=1000, body=test,
 * nonce_str=ibuaiVcKdpRxkhJA` with key `192006250b4c09247ec02edce69f6a2d`
 * sign to `9A0A8659F005D6984697E2CA0A9CF3B7` (MD5) and
 * `6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6`
 * (HMAC-SHA256).
 */
export function sign(
  params: Params,
  key: string,
  signType: SignType = 'MD5',
): string {
  return digest(stringToSign(params, key), key, signType);
}

/**
 * Chooses the algorithm for received data (spec 2.6): the `sign_type` field
 * when present, else the signature's length (32 hex → MD5, 64 → HMAC), else
 * the configured fallback. WeChat omits `sign_type` from notifications and
 * responses even for HMAC merchants, so never assume MD5 blindly.
 */
export function detectSignType(
  params: Params,
  fallback: SignType = 'MD5',
): SignType {
  const declared = params.sign_type;
  if (declared !== undefined && declared !== null && String(declared) !== '') {
    return parseSignType(String(declared));
  }
  const signature = String(params.sign ?? '');
  if (/^[0-9a-fA-F]{32}$/.test(signature)) return 'MD5';
  if (/^[0-9a-fA-F]{64}$/.test(signature)) return 'HMAC-SHA256';
  return fallback;
}

/**
 * Compares two signatures in constant time. Exact bytes: WeChat writes
 * upper-case hex, and a lower-case signature is refused by WeChat, so it is
 * reported (by `diagnose`) rather than silently accepted.
 */
export function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; comparing the right side with itself
  // keeps the time independent of where a mismatch would be.
  if (left.length !== right.length) {
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

export interface VerifyResult {
  valid: boolean;
  signType: SignType;
  /** The signature the data should carry with this key. */
  expected: string;
  /** The signature it does carry (empty when missing). */
  received: string;
}

/**
 * Verifies the `sign` inside received data over every field it carries
 * (WeChat may add fields at any time, spec 2.1 step 7).
 *
 * A missing `sign` is a failure, never a pass.
 */
export function verify(
  params: Params,
  key: string,
  options: { signType?: SignType; fallbackSignType?: SignType } = {},
): VerifyResult {
  if (key === '') {
    throw new InputError('KEY_EMPTY', 'The API key is empty.', {
      hint: 'Load the 32-character v2 API key from the profile, WXPAY_KEY or --key-file.',
    });
  }
  const received = String(params.sign ?? '');
  const signType = options.signType
    ? parseSignType(String(options.signType))
    : detectSignType(params, options.fallbackSignType);
  const expected = sign(params, key, signType);
  const valid =
    received !== '' &&
    hasSignedField(params) &&
    signaturesEqual(received, expected);
  return { valid, signType, expected, received };
}

/**
 * True when at least one field besides `sign` and `sign_type` has a value. A set with none
 * signs only `key=KEY`: no WeChat message is like that, and such a
 * signature, once seen, would "verify" any empty body.
 */
export function hasSignedField(params: Params): boolean {
  for (const name in params) {
    // sign and sign_type say how the rest is signed; they are not content.
    if (name === 'sign' || name === 'sign_type') continue;
    if (!Object.hasOwn(params, name)) continue;
    const value = params[name];
    if (value !== null && value !== undefined && String(value) !== '') {
      return true;
    }
  }
  return false;
}

/**
 * Describes a key without revealing it, so two people can compare keys:
 * its length and the first 8 hex digits of its SHA-256.
 */
export function keyFingerprint(key: string): string {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return `len=${Buffer.byteLength(key, 'utf8')} sha256:${hash.slice(0, 8)}`;
}

/** Masks a secret except its last 4 characters. */
export function maskSecret(secret: string, visible = 4): string {
  // A short secret would give away too much of itself: never show more
  // than a quarter of it.
  const shown = Math.min(visible, Math.floor(secret.length / 4));
  if (shown <= 0) return '*'.repeat(secret.length);
  return '*'.repeat(secret.length - shown) + secret.slice(-shown);
}
