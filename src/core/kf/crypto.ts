import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, InputError, SignatureError } from '../errors.js';

/**
 * Safe-mode (安全模式) message crypto, the WXBizMsgCrypt scheme
 * (customer-service spec §3):
 *
 *   FullStr = random(16) ‖ msg_len (u32 big-endian, BYTES) ‖ msg ‖ appid
 *   Encrypt = Base64(AES-256-CBC(key, iv = key[0:16], PKCS#7 with K = 32))
 *
 * K = 32 is the trap (case C07): pads of 17..32 are legal, so Node's default
 * auto-padding (block 16) throws ERR_OSSL_BAD_DECRYPT on about half of real
 * pushes. Padding is therefore done by hand with auto-padding off.
 */

/** WXBizMsgCrypt pads to multiples of 32 bytes, not the AES block (16). */
export const KF_PAD_BLOCK = 32;

/**
 * Decodes the 43-character EncodingAESKey into the 32-byte AES key.
 *
 * The key is Base64 with the trailing `=` dropped; its last character often
 * carries non-zero discarded bits, so decoding must be lenient and keys must
 * never be compared by re-encoding them (spec §3, "Key decoding leniency").
 */
export function decodeEncodingAesKey(encodingAesKey: string): Buffer {
  const trimmed = encodingAesKey.trim();
  if (!/^[A-Za-z0-9]{43}$/.test(trimmed)) {
    throw new ConfigError(
      'KF_AES_KEY_INVALID',
      `The EncodingAESKey must be exactly 43 letters and digits; this one is ${trimmed.length} characters${/[^A-Za-z0-9]/.test(trimmed) ? ' and contains other characters' : ''}.`,
      {
        hint: 'Copy it again from 开发管理 → 消息推送配置 (the SDK code for this is -40004).',
      },
    );
  }
  const key = Buffer.from(`${trimmed}=`, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      'KF_AES_KEY_INVALID',
      `The EncodingAESKey decodes to ${key.length} bytes instead of 32.`,
    );
  }
  return key;
}

/** Appends PKCS#7 padding to a multiple of `block` (a full block when aligned). */
export function pkcs7Pad(data: Buffer, block = KF_PAD_BLOCK): Buffer {
  const amount = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(amount, amount)]);
}

/**
 * Removes PKCS#7 padding with pads of 1..block. Every pad byte is checked:
 * a wrong key turns the tail into noise, and checking all of them (not only
 * the last) makes that show as a decrypt failure instead of garbage.
 */
export function pkcs7Unpad(data: Buffer, block = KF_PAD_BLOCK): Buffer {
  const amount = data.length ? data[data.length - 1] : 0;
  if (amount < 1 || amount > block || amount > data.length) {
    throw new RangeError(`bad padding byte ${amount}`);
  }
  for (let i = data.length - amount; i < data.length; i++) {
    if (data[i] !== amount) throw new RangeError('inconsistent padding');
  }
  return data.subarray(0, data.length - amount);
}

export interface KfEncryptOptions {
  /** The 32-byte key from decodeEncodingAesKey. */
  aesKey: Buffer;
  /** The mini program's AppID (receiveid), appended after the message. */
  appid: string;
  /** 16 bytes of random prefix; fixed only to reproduce a published vector. */
  random?: Buffer | string;
}

/** Encrypts one message into the Base64 `Encrypt` value. */
export function encryptKfMessage(
  message: string,
  options: KfEncryptOptions,
): string {
  const random =
    options.random === undefined
      ? randomBytes(16)
      : Buffer.from(options.random as string);
  if (random.length !== 16) {
    throw new InputError(
      'KF_RANDOM_LENGTH',
      `The random prefix must be 16 bytes, not ${random.length}.`,
    );
  }
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  // msg_len counts UTF-8 bytes, not characters (spec §3, vector V5).
  length.writeUInt32BE(body.length, 0);
  const full = Buffer.concat([
    random,
    length,
    body,
    Buffer.from(options.appid, 'utf8'),
  ]);
  const cipher = createCipheriv(
    'aes-256-cbc',
    options.aesKey,
    options.aesKey.subarray(0, 16),
  );
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(pkcs7Pad(full)),
    cipher.final(),
  ]).toString('base64');
}

export interface KfDecrypted {
  /** The inner message text (XML or JSON). */
  message: string;
  /** The AppID found after the message. */
  appid: string;
  /** The 16-byte random prefix, as hex. */
  random: string;
  /** The PKCS#7 pad that was removed (1..32). */
  pad: number;
}

/**
 * Decrypts an `Encrypt` value. With `appid` given, a message for another
 * mini program is refused (SDK code -40005, spec §3): a push for another app
 * must never be processed as one's own.
 */
export function decryptKfMessage(
  encrypt: string,
  options: { aesKey: Buffer; appid?: string },
): KfDecrypted {
  const data = decodeCiphertext(encrypt);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(
      'aes-256-cbc',
      options.aesKey,
      options.aesKey.subarray(0, 16),
    );
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (error) {
    throw undecryptable(error);
  }
  let unpadded: Buffer;
  try {
    unpadded = pkcs7Unpad(plain);
  } catch (error) {
    throw undecryptable(error);
  }
  const pad = plain.length - unpadded.length;
  if (unpadded.length < 20) throw undecryptable('too short');
  const length = unpadded.readUInt32BE(16);
  if (20 + length > unpadded.length) throw undecryptable('msg_len too large');
  const message = unpadded.subarray(20, 20 + length).toString('utf8');
  const appid = unpadded.subarray(20 + length).toString('utf8');
  if (options.appid !== undefined && appid !== options.appid) {
    throw new SignatureError(
      'KF_APPID_MISMATCH',
      `The message is for AppID ${JSON.stringify(appid)}, not this mini program (${options.appid}).`,
      {
        hint: 'A push for another app must be refused (SDK code -40005); check that the profile appid is the mini program whose push settings you configured.',
        details: { appid, expected: options.appid },
      },
    );
  }
  return {
    message,
    appid,
    random: unpadded.subarray(0, 16).toString('hex'),
    pad,
  };
}

function decodeCiphertext(encrypt: string): Buffer {
  const compact = encrypt.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new InputError(
      'KF_ENCRYPT_MALFORMED',
      'Encrypt is not Base64 text (SDK code -40010).',
    );
  }
  const data = Buffer.from(compact, 'base64');
  // WeChat's ciphertext is a multiple of 32; any whole number of AES blocks
  // is accepted so that a sender padding to 16 still decrypts.
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new InputError(
      'KF_ENCRYPT_MALFORMED',
      `Encrypt decodes to ${data.length} bytes, not a whole number of AES blocks.`,
      { hint: 'The value was cut or altered on the way (SDK code -40008).' },
    );
  }
  return data;
}

function undecryptable(cause: unknown): SignatureError {
  return new SignatureError(
    'KF_UNDECRYPTABLE',
    'Encrypt does not decrypt with this EncodingAESKey (SDK code -40007).',
    {
      hint: 'Use the EncodingAESKey shown in 消息推送配置 right now; regenerating it there changes it.',
      cause,
    },
  );
}
