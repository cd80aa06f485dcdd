import { InputError, SignatureError } from '../errors.js';
import { decryptKfMessage, encryptKfMessage } from './crypto.js';
import {
  parsePushBody,
  renderMessage,
  type KfMessage,
  type PushFormat,
} from './message.js';
import {
  kfSignature,
  kfSignatureMatches,
  requiredQuery,
  type PushQuery,
} from './signature.js';

/** 明文 (plaintext), 兼容 (compatible: both) or 安全 (safe) mode (spec §1). */
export type PushMode = 'plaintext' | 'compatible' | 'safe';

export interface KfSecrets {
  /** The push Token. */
  token: string;
  /** The 32-byte AES key (decodeEncodingAesKey); needed for safe mode. */
  aesKey?: Buffer;
  /** The mini program's AppID; a safe push for another app is refused. */
  appid?: string;
}

export interface OpenedPush {
  mode: PushMode;
  /** The format of the body as received. */
  format: PushFormat;
  /** The format of the message inside (differs only if WeChat mixed them). */
  messageFormat: PushFormat;
  message: KfMessage;
  /** The AppID found inside a safe-mode message. */
  appid?: string;
  /** The PKCS#7 pad removed (1..32), for diagnostics. */
  pad?: number;
}

export interface OpenPushOptions extends KfSecrets {
  /** Skip the signature check (only for looking at a body by hand). */
  skipSignature?: boolean;
}

/**
 * Checks and opens one POST push (spec §2.2, §3):
 * - a body with `Encrypt` is verified with `msg_signature` over (Token,
 *   timestamp, nonce, Encrypt), never with `signature` alone, then decrypted
 *   and its AppID checked;
 * - a plaintext body is verified with `signature` over (Token, timestamp,
 *   nonce).
 *
 * Throws SignatureError for a wrong signature, key or AppID and InputError
 * for a malformed body or missing parameters.
 */
export function openPush(
  body: string | Uint8Array,
  query: PushQuery,
  options: OpenPushOptions,
): OpenedPush {
  const outer = parsePushBody(body);
  const encrypt = outer.fields.Encrypt;
  if (encrypt === undefined) {
    if (!options.skipSignature) checkSigned(query, options.token);
    return {
      mode: 'plaintext',
      format: outer.format,
      messageFormat: outer.format,
      message: outer.fields,
    };
  }
  if (!options.skipSignature) checkSigned(query, options.token, encrypt);
  if (!options.aesKey) {
    throw new InputError(
      'KF_AES_KEY_MISSING',
      'This push is encrypted (safe mode) and no EncodingAESKey was given.',
      { hint: 'Set encoding_aes_key in the profile, or pass --aes-key-file.' },
    );
  }
  const decrypted = decryptKfMessage(encrypt, {
    aesKey: options.aesKey,
    appid: options.appid,
  });
  const inner = parsePushBody(decrypted.message);
  const compatible = Object.keys(outer.fields).some(
    (name) => name !== 'Encrypt' && name !== 'ToUserName',
  );
  return {
    mode: compatible ? 'compatible' : 'safe',
    format: outer.format,
    messageFormat: inner.format,
    message: inner.fields,
    appid: decrypted.appid,
    pad: decrypted.pad,
  };
}

/**
 * Verifies `signature` over (Token, timestamp, nonce), or with `encrypt`
 * given, `msg_signature` over (Token, timestamp, nonce, Encrypt).
 */
function checkSigned(query: PushQuery, token: string, encrypt?: string): void {
  const name = encrypt === undefined ? 'signature' : 'msg_signature';
  const received = requiredQuery(query, name);
  const expected = kfSignature(
    token,
    requiredQuery(query, 'timestamp'),
    requiredQuery(query, 'nonce'),
    encrypt,
  );
  if (!kfSignatureMatches(received, expected)) {
    throw new SignatureError(
      encrypt === undefined
        ? 'KF_SIGNATURE_INVALID'
        : 'KF_MSG_SIGNATURE_INVALID',
      `${name} does not match sha1(sort(Token, timestamp, nonce${encrypt === undefined ? '' : ', Encrypt'})): the push is forged, altered, or the Token differs.`,
      {
        hint: 'Compare the profile token with the Token in 消息推送配置 (SDK code -40001).',
        details: { expected, received },
      },
    );
  }
}

export interface SealOptions {
  token: string;
  aesKey: Buffer;
  appid: string;
  /** Unix seconds (never milliseconds, spec §3.2). */
  timestamp: string;
  nonce: string;
  random?: Buffer | string;
}

export interface SealedPush {
  /** The body to POST. */
  body: string;
  encrypt: string;
  msgSignature: string;
  /** The URL query WeChat would send with it (PushQuery names). */
  query: Record<string, string>;
}

/** Encrypts a message and signs the result (msg_signature / MsgSignature). */
function encryptAndSign(
  message: string,
  options: SealOptions,
): { encrypt: string; msgSignature: string } {
  const encrypt = encryptKfMessage(message, options);
  return {
    encrypt,
    msgSignature: kfSignature(
      options.token,
      options.timestamp,
      options.nonce,
      encrypt,
    ),
  };
}

/**
 * Builds a safe-mode push envelope as WeChat sends it (spec §3.1): the body
 * with ToUserName and Encrypt, and the query with both signatures.
 */
export function sealPush(
  message: string,
  format: PushFormat,
  toUserName: string,
  options: SealOptions & { openid?: string },
): SealedPush {
  const { encrypt, msgSignature } = encryptAndSign(message, options);
  return {
    body: renderMessage({ ToUserName: toUserName, Encrypt: encrypt }, format),
    encrypt,
    msgSignature,
    query: {
      signature: kfSignature(options.token, options.timestamp, options.nonce),
      timestamp: options.timestamp,
      nonce: options.nonce,
      ...(options.openid ? { openid: options.openid } : {}),
      encrypt_type: 'aes',
      msg_signature: msgSignature,
    },
  };
}

/**
 * Wraps a passive reply for safe mode (spec §3.2): Encrypt, MsgSignature,
 * TimeStamp (a number in JSON) and Nonce.
 */
export function sealReply(
  reply: string,
  format: PushFormat,
  options: SealOptions,
): string {
  const { encrypt, msgSignature } = encryptAndSign(reply, options);
  return renderMessage(
    {
      Encrypt: encrypt,
      MsgSignature: msgSignature,
      TimeStamp: options.timestamp,
      Nonce: options.nonce,
    },
    format,
  );
}

/**
 * Opens an encrypted passive reply (what a handler answered) and checks its
 * MsgSignature; used by `kf trigger` to judge a merchant's handler.
 */
export function openReply(
  body: string,
  secrets: Required<Pick<KfSecrets, 'token' | 'aesKey'>> & { appid?: string },
): { format: PushFormat; message: KfMessage; appid: string } {
  const outer = parsePushBody(body);
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = outer.fields;
  if (!Encrypt || !MsgSignature || !TimeStamp || !Nonce) {
    throw new InputError(
      'KF_REPLY_INCOMPLETE',
      'An encrypted reply needs Encrypt, MsgSignature, TimeStamp and Nonce.',
    );
  }
  const expected = kfSignature(secrets.token, TimeStamp, Nonce, Encrypt);
  if (!kfSignatureMatches(MsgSignature, expected)) {
    throw new SignatureError(
      'KF_REPLY_SIGNATURE_INVALID',
      'The reply MsgSignature does not match sha1(sort(Token, TimeStamp, Nonce, Encrypt)).',
    );
  }
  const decrypted = decryptKfMessage(Encrypt, secrets);
  const inner = parsePushBody(decrypted.message);
  return {
    format: inner.format,
    message: inner.fields,
    appid: decrypted.appid,
  };
}

/**
 * The reply that hands a user message to the web/mobile customer-service
 * tool (spec §4.1, §7): ToUserName and FromUserName swapped relative to
 * the push, in the push's own format (JSON pushes need a JSON reply).
 */
export function transferReply(
  message: KfMessage,
  format: PushFormat,
  createTime: string,
): string {
  return renderMessage(
    {
      ToUserName: message.FromUserName ?? '',
      FromUserName: message.ToUserName ?? '',
      CreateTime: createTime,
      MsgType: 'transfer_customer_service',
    },
    format,
  );
}
