import { InputError } from '../errors.js';
import { decryptKfMessage } from './crypto.js';
import {
  kfSignature,
  kfSignatureMatches,
  requiredQuery,
  sha1Hex,
  type PushQuery,
} from './signature.js';

/**
 * The GET verification WeChat sends when the push settings are saved
 * (spec §2.1). On success the server must answer 200 `text/plain` with the
 * echostr exactly: no JSON, no quotes, no newline, never through a number
 * (case C01: a 19-digit echostr does not survive a double).
 */
export interface UrlVerification {
  valid: boolean;
  /** Which signature was checked. */
  form: 'signature' | 'msg_signature';
  expected: string;
  received: string;
  /** What the server must answer, byte for byte (only when valid). */
  answer?: string;
  /** Likely reasons for a mismatch, most specific first. */
  causes: string[];
}

export function verifyPushUrl(
  query: PushQuery,
  secrets: { token: string; aesKey?: Buffer; appid?: string },
): UrlVerification {
  const timestamp = requiredQuery(query, 'timestamp');
  const nonce = requiredQuery(query, 'nonce');
  // WeCom-style stacks sign an encrypted echostr with msg_signature; the
  // mini-program doc shows the plain form. Whether a mini program ever
  // sends the encrypted form is UNCONFIRMED (spec §2.1), so both are
  // accepted: msg_signature when present, else signature.
  if (query.msg_signature && query.echostr) {
    return verifyEncryptedEcho(query, timestamp, nonce, secrets);
  }
  const received = requiredQuery(query, 'signature');
  const expected = kfSignature(secrets.token, timestamp, nonce);
  const valid = kfSignatureMatches(received, expected);
  return {
    valid,
    form: 'signature',
    expected,
    received,
    answer: valid ? (query.echostr ?? '') : undefined,
    causes: valid
      ? []
      : mismatchCauses(
          received,
          secrets.token,
          timestamp,
          nonce,
          query.echostr,
        ),
  };
}

function verifyEncryptedEcho(
  query: PushQuery,
  timestamp: string,
  nonce: string,
  secrets: { token: string; aesKey?: Buffer; appid?: string },
): UrlVerification {
  const received = query.msg_signature ?? '';
  const echostr = query.echostr ?? '';
  const expected = kfSignature(secrets.token, timestamp, nonce, echostr);
  const valid = kfSignatureMatches(received, expected);
  if (!valid) {
    return {
      valid,
      form: 'msg_signature',
      expected,
      received,
      causes: [
        'msg_signature does not match sha1(sort(Token, timestamp, nonce, echostr)): the Token differs, or echostr was altered (a "+" read as a space?).',
      ],
    };
  }
  if (!secrets.aesKey) {
    throw new InputError(
      'KF_AES_KEY_MISSING',
      'This verification carries an encrypted echostr; the EncodingAESKey is needed to answer it.',
      { hint: 'Set encoding_aes_key in the profile, or pass --aes-key-file.' },
    );
  }
  const answer = decryptKfMessage(echostr, {
    aesKey: secrets.aesKey,
    appid: secrets.appid,
  }).message;
  return {
    valid,
    form: 'msg_signature',
    expected,
    received,
    answer,
    causes: [],
  };
}

/** Known ways a verification signature goes wrong, checked one by one. */
function mismatchCauses(
  received: string,
  token: string,
  timestamp: string,
  nonce: string,
  echostr?: string,
): string[] {
  const causes: string[] = [];
  const expected = kfSignature(token, timestamp, nonce);
  if (received.toLowerCase() === expected) {
    causes.push(
      'The signature is right but in upper-case hex; WeChat writes and compares lower-case.',
    );
  }
  if (
    token.trim() !== token &&
    kfSignature(token.trim(), timestamp, nonce) === received.toLowerCase()
  ) {
    causes.push(
      'The profile token has leading or trailing whitespace; the console Token has none.',
    );
  }
  if (sha1Hex(`${token}${timestamp}${nonce}`) === received.toLowerCase()) {
    causes.push('The three strings were joined without sorting them first.');
  }
  if (
    echostr &&
    kfSignature(token, timestamp, nonce, echostr) === received.toLowerCase()
  ) {
    causes.push(
      'echostr was included in the hash; only Token, timestamp and nonce are signed.',
    );
  }
  if (!/^[0-9a-f]{40}$/i.test(received)) {
    causes.push(
      `The signature is not 40 hex characters (${received.length} given): it was cut or altered while copying.`,
    );
  }
  if (causes.length === 0) {
    causes.push(
      'The Token differs from the one saved in 消息推送配置, or timestamp/nonce were changed after WeChat signed them.',
    );
  }
  return causes;
}
