import * as nodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';

type OneShotHash = (
  algorithm: string,
  data: string | Uint8Array,
  encoding: 'hex' | 'latin1',
) => string;

/**
 * crypto.hash (Node >= 20.12) hashes in one call without creating a Hash
 * object; for a v2 body that object costs more than the hashing itself.
 * Older runtimes fall back to the object APIs.
 */
export const oneShotHash = (nodeCrypto as { hash?: OneShotHash }).hash;

const BLOCK = 64;
const DIGEST = 32;

/** The two padded key blocks of RFC 2104, prepared once per key. */
interface Pads {
  key: string;
  /** Key XOR 0x36 as a string whose UTF-8 bytes are exactly the block. */
  inner: string;
  /** Key XOR 0x5c, followed by room for the inner digest. */
  outer: Buffer;
}

// A server signs with one API key, so the last key's pads are enough.
let lastKey: string | undefined;
let lastPads: Pads | undefined;

function padsFor(key: string): Pads | undefined {
  if (key === lastKey) return lastPads;
  lastKey = key;
  lastPads = preparePads(key);
  return lastPads;
}

/**
 * The inner pad goes in front of the message as text, so the message never
 * has to be copied into a buffer. That is exact only when every key byte is
 * ASCII: XOR with 0x36 keeps each byte below 0x80, which UTF-8 writes as
 * itself. A key longer than one block would first have to be hashed. Both
 * are far from a real v2 key (32 letters and digits) and use createHmac.
 */
function preparePads(key: string): Pads | undefined {
  // eslint-disable-next-line no-control-regex -- the test is "ASCII only"
  if (!oneShotHash || key.length > BLOCK || !/^[\x00-\x7f]*$/.test(key)) {
    return undefined;
  }
  let inner = '';
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const byte = i < key.length ? key.charCodeAt(i) : 0;
    inner += String.fromCharCode(byte ^ 0x36);
    outer[i] = byte ^ 0x5c;
  }
  return { key, inner, outer };
}

/**
 * HMAC-SHA256 of the message's UTF-8 bytes keyed with the key's UTF-8
 * bytes, as lower-case hex: the same answer as
 * `createHmac('sha256', key).update(message).digest('hex')`, built from two
 * one-shot SHA-256 calls (RFC 2104) because Node 20 has no one-shot HMAC and
 * creating an Hmac object is the larger part of signing a v2 body.
 */
export function hmacSha256Hex(key: string, message: string): string {
  const pads = padsFor(key);
  if (!pads || !oneShotHash) {
    return createHmac('sha256', key).update(message, 'utf8').digest('hex');
  }
  const innerDigest = oneShotHash('sha256', pads.inner + message, 'latin1');
  // No await between filling the shared block and hashing it, so two
  // signatures can never interleave here.
  pads.outer.write(innerDigest, BLOCK, 'latin1');
  return oneShotHash('sha256', pads.outer, 'hex');
}
