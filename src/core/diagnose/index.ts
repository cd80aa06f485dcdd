import { createHash, createHmac } from 'node:crypto';
import { encodeGbk } from '../gbk.js';
import { digest, hasSignedField, type SignType } from '../sign.js';
import {
  encodingAttempts,
  fieldAttempts,
  keyAttempts,
  orderAttempts,
  stringA,
  valueAttempts,
  withKey,
  type Attempt,
} from './mistakes.js';
import type { Cause, DiagnoseInput, Diagnosis } from './types.js';

export type { Cause, CauseId, DiagnoseInput, Diagnosis } from './types.js';

/**
 * `sign diagnose`: given parameters and a signature that the other side
 * produced (or WeChat rejected), find which known mistake reproduces it.
 *
 * Each mistake is a way of building the string or choosing the key that
 * real integrations got wrong (cases B01-B21). We rebuild the signature
 * under every mistake, with both algorithms, and report the ones that give
 * exactly the signature in question.
 */

function hash(attempt: Attempt, key: string, type: SignType): string {
  if (attempt.encoding === undefined) {
    return digest(attempt.text, attempt.hmacKey ?? key, type);
  }
  // latin1 is Node's old default for strings: each UTF-16 unit truncated to
  // a byte.
  const bytes =
    attempt.encoding === 'gbk'
      ? encodeGbk(attempt.text)
      : Buffer.from(attempt.text, 'latin1');
  if (!bytes) return '';
  const h =
    type === 'MD5'
      ? createHash('md5')
      : createHmac('sha256', Buffer.from(attempt.hmacKey ?? key, 'utf8'));
  return h.update(bytes).digest('hex').toUpperCase();
}

/**
 * Explains a signature mismatch. Returns `matches: true` when the signature
 * is already right; otherwise every known mistake that reproduces it.
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const { params, key } = input;
  const signType = input.signType ?? guessType(input.signature);
  const correctText = withKey(stringA(params), key);
  const expected = digest(correctText, key, signType);
  const given = input.signature.trim();
  // One cause, found before any search, explains the whole mismatch.
  const onlyCause = (cause: Cause): Diagnosis => ({
    matches: false,
    expected,
    signType,
    searched: true,
    causes: [cause],
  });
  if (!hasSignedField(params)) {
    // Whatever the signature, a body with nothing in it is not one to sign.
    return onlyCause({
      cause: 'nothing_signed',
      message:
        'No field besides sign and sign_type has a value, so the signature covers only the key. WeChat never sends such a body and wxpay never accepts one: check that the fields reached the signer.',
    });
  }
  if (given === expected) {
    if (given === input.signature) {
      return { matches: true, expected, signType, causes: [] };
    }
    // Right digits, but compared as sent: WeChat does not trim.
    return onlyCause({
      cause: 'sign_whitespace',
      message:
        'The signature is right but has spaces or a line break around it. Signatures are compared exactly: trim the value before sending or comparing it.',
    });
  }
  // Not a WeChat signature, or far more fields than any WeChat body: a
  // search would only burn time (a forged 8,000-field notification took
  // 40 s), so report that nothing was searched, and why.
  const notSearchedBecause = !/^[0-9A-Fa-f]{32}([0-9A-Fa-f]{32})?$/.test(given)
    ? 'signature-not-hex'
    : Object.keys(params).length > MAX_SEARCHED_FIELDS
      ? 'too-many-fields'
      : undefined;
  if (notSearchedBecause) {
    return {
      matches: false,
      expected,
      signType,
      causes: [],
      searched: false,
      notSearchedBecause,
    };
  }
  const causes: Cause[] = [];
  const add = (cause: Cause) => {
    if (!causes.some((c) => c.message === cause.message)) causes.push(cause);
  };
  const other: SignType = signType === 'MD5' ? 'HMAC-SHA256' : 'MD5';
  if (given.toUpperCase() === expected) {
    add({
      cause: 'lowercase_hex',
      message:
        'The signature is right but written in lower-case hex. WeChat expects upper-case: apply toUpperCase() to the digest.',
    });
  }
  if (given.toUpperCase() === digest(correctText, key, other)) {
    add({
      cause: 'wrong_sign_type',
      message: `The signature was made with ${other}, but ${signType} is expected. Use the same algorithm on both sides (sign_type, the profile's sign_type, or the order's sign type).`,
    });
  }
  const attempts = [
    ...keyAttempts(params, key, input),
    ...fieldAttempts(params, key),
    ...encodingAttempts(params, key),
    ...orderAttempts(params, key),
    ...valueAttempts(params, key),
  ];
  for (const attempt of attempts) {
    const sameAsCorrect =
      attempt.text === correctText &&
      (attempt.hmacKey ?? key) === key &&
      attempt.encoding === undefined;
    if (sameAsCorrect) continue;
    for (const type of [signType, other]) {
      if (hash(attempt, key, type) !== given.toUpperCase()) continue;
      const suffix =
        type === signType
          ? ''
          : ` It was also hashed with ${type} instead of ${signType}.`;
      add({ cause: attempt.cause, message: attempt.message + suffix });
      if (given !== given.toUpperCase()) {
        add({
          cause: 'lowercase_hex',
          message:
            'The signature is also in lower-case hex; WeChat expects upper-case.',
        });
      }
    }
  }
  return { matches: false, expected, signType, causes, searched: true };
}

/** WeChat bodies have a few dozen fields; the search stays linear below this. */
const MAX_SEARCHED_FIELDS = 200;

function guessType(signature: string): SignType {
  return signature.trim().length === 64 ? 'HMAC-SHA256' : 'MD5';
}
