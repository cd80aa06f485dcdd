import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { InputError, SignatureError } from '../errors.js';

/**
 * Refund notifications carry no `sign`; their `req_info` is encrypted with
 * the merchant's v2 API key instead (spec section 7): AES-256-ECB, PKCS#7,
 * keyed with the 32 ASCII bytes of the lower-case hex MD5 of the API key.
 *
 * The key derivation is where integrations break (case B29): formatting the
 * MD5 through a big integer drops a leading zero (31 characters, "Invalid
 * key length"), and upper-case hex gives "bad decrypt".
 */
export function refundCryptoKey(apiKey: string): Buffer {
  const hex = createHash('md5').update(apiKey, 'utf8').digest('hex');
  return Buffer.from(hex, 'ascii');
}

// A handler decrypts every refund notification with the same key: derive
// its AES key once (only used internally, never handed out).
let lastApiKey: string | undefined;
let lastCryptoKey: Buffer = Buffer.alloc(0);

function cachedCryptoKey(apiKey: string): Buffer {
  if (apiKey !== lastApiKey) {
    lastCryptoKey = refundCryptoKey(apiKey);
    lastApiKey = apiKey;
  }
  return lastCryptoKey;
}

/**
 * Strict base64: Node's decoder skips characters it does not know, so a
 * decoded length shorter than the text promises means the text was not
 * base64. Cheaper than a regular expression over the whole text.
 */
function decodeBase64(text: string): Buffer | undefined {
  if (text === '' || text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const data = Buffer.from(text, 'base64');
  return data.length === (text.length / 4) * 3 - padding ? data : undefined;
}

/** Decrypts `req_info` into the plaintext XML (root `<root>`). */
export function decryptReqInfo(reqInfo: string, apiKey: string): string {
  const data = decodeBase64(reqInfo.replace(/\s+/g, ''));
  if (data === undefined) {
    throw new InputError('REQ_INFO_MALFORMED', 'req_info is not base64 text.');
  }
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new InputError(
      'REQ_INFO_MALFORMED',
      `req_info decodes to ${data.length} bytes, not a whole number of AES blocks.`,
    );
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-ecb',
      cachedCryptoKey(apiKey),
      null,
    );
    return Buffer.concat([decipher.update(data), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new SignatureError(
      'REQ_INFO_UNDECRYPTABLE',
      'req_info does not decrypt with this API key: the notification is forged, or the key is not the one of this mch_id.',
      {
        hint: 'Check the v2 API key of the merchant in mch_id (the same key that signs your requests).',
        cause: error,
      },
    );
  }
}

/** Encrypts plaintext XML into `req_info` (used by the simulator and tests). */
export function encryptReqInfo(plainXml: string, apiKey: string): string {
  const cipher = createCipheriv('aes-256-ecb', refundCryptoKey(apiKey), null);
  return Buffer.concat([
    cipher.update(plainXml, 'utf8'),
    cipher.final(),
  ]).toString('base64');
}
