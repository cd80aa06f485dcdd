import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { signaturesEqual } from '../sign.js';

/**
 * Push signatures (customer-service spec §2): SHA-1 over the sorted,
 * concatenated strings, written as 40 lower-case hex characters.
 *
 * - `signature`     = sha1(sort(Token, timestamp, nonce))
 * - `msg_signature` = sha1(sort(Token, timestamp, nonce, Encrypt))
 *
 * The sort is plain code-unit order with no comparator (spec §8.5): Base64's
 * `+`, `/` and `=` sort before digits and letters. Published vector (V1):
 * Token `AAAAA`, timestamp `1714036504`, nonce `1514711492` give
 * `f464b24fc39322e44b38aa78f5edd27bd1441696`.
 */
export function kfSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt?: string,
): string {
  const parts = [token, timestamp, nonce];
  if (encrypt !== undefined) parts.push(encrypt);
  return sha1Hex(parts.sort().join(''));
}

export function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Compares a received signature with the expected one in constant time. */
export function kfSignatureMatches(
  received: string,
  expected: string,
): boolean {
  return signaturesEqual(received, expected);
}

/** The query parameters WeChat puts on a push or verification URL. */
export interface PushQuery {
  signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  openid?: string;
  encrypt_type?: string;
  msg_signature?: string;
}

/**
 * Reads a query string the way WeChat writes it: `%XX` decoded, but `+` kept
 * as `+`. URLSearchParams turns `+` into a space, which corrupts a Base64
 * `echostr` or `Encrypt` and makes a correct signature look wrong.
 */
export function parsePushQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  const text = search.startsWith('?') ? search.slice(1) : search;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    // The first value wins, as in WeChat's own servers' samples: a repeated
    // parameter must not let an attacker swap the signed one.
    if (!(name in query)) query[name] = value;
  }
  return query;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query part of a pasted URL, or the text itself when it has no `?`. */
export function queryOfUrl(urlOrQuery: string): Record<string, string> {
  const at = urlOrQuery.indexOf('?');
  const search = at >= 0 ? urlOrQuery.slice(at + 1) : urlOrQuery;
  return parsePushQuery(search.split('#')[0]);
}

/** A query parameter that must be present, or an InputError naming it. */
export function requiredQuery(query: PushQuery, name: keyof PushQuery): string {
  const value = query[name];
  if (value === undefined || value === '') {
    throw new InputError(
      'KF_QUERY_MISSING',
      `The request URL has no ${name} parameter.`,
      {
        hint: `Give --${name.replace('_', '-')}, or paste the whole URL WeChat called.`,
      },
    );
  }
  return value;
}
