import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../src/core/hmac.js';
import { sign, stringToSign } from '../../src/core/sign.js';

const reference = (key: string, message: string) =>
  createHmac('sha256', key).update(message, 'utf8').digest('hex');

describe('HMAC-SHA256 from one-shot hashes', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches RFC 4231 test case 6 (a key longer than one block)', () => {
    const key = '\xaa'.repeat(131);
    // RFC 4231 keys are bytes; a JS string key means its UTF-8 bytes, so
    // compare with node:crypto given the same string.
    const message = 'Test Using Larger Than Block-Size Key - Hash Key First';
    expect(hmacSha256Hex(key, message)).toBe(reference(key, message));
    const bytes = Buffer.alloc(131, 0xaa);
    expect(createHmac('sha256', bytes).update(message).digest('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('handles keys at and around the block size and every pad byte', () => {
    for (const key of [
      '',
      '6'.repeat(64), // XOR 0x36 makes every inner pad byte 0x00
      '\\'.repeat(64), // XOR 0x5c makes every outer pad byte 0x00
      'k'.repeat(63),
      'k'.repeat(64),
      'k'.repeat(65),
      ' 192006250b4c09247ec02edce69f6a2d\n',
      '\x7f\x00\x01',
      '密钥',
    ]) {
      expect(hmacSha256Hex(key, '中文 body=1&key=x')).toBe(
        reference(key, '中文 body=1&key=x'),
      );
    }
  });

  it('equals node:crypto for any key and message, keys alternating', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z0-9]{32}$/),
    );
    fc.assert(
      fc.property(key, key, fc.string({ unit: 'binary' }), (a, b, message) => {
        expect(hmacSha256Hex(a, message)).toBe(reference(a, message));
        expect(hmacSha256Hex(b, message)).toBe(reference(b, message));
        expect(hmacSha256Hex(a, message)).toBe(reference(a, message));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the cached signing order', () => {
  it('follows a change of field names between calls of the same size', () => {
    const first = { b: '2', a: '1' };
    const second = { c: '3', a: '1' };
    expect(stringToSign(first, 'K')).toBe('a=1&b=2&key=K');
    expect(stringToSign(second, 'K')).toBe('a=1&c=3&key=K');
    expect(stringToSign(first, 'K')).toBe('a=1&b=2&key=K');
  });

  it('signs alternating keys and shapes as if nothing were cached', () => {
    const orders = [
      { appid: 'wx1', body: '商品', total_fee: 1 },
      { total_fee: '2', appid: 'wx2', attach: '', sign: 'X' },
    ];
    for (const keyText of ['A'.repeat(32), 'B'.repeat(32), 'A'.repeat(32)]) {
      for (const params of orders) {
        const text = stringToSign(params, keyText);
        expect(sign(params, keyText, 'HMAC-SHA256')).toBe(
          reference(keyText, text).toUpperCase(),
        );
      }
    }
  });
});
