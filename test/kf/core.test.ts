import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createKfReceiver,
  decodeEncodingAesKey,
  decryptKfMessage,
  encryptKfMessage,
  explainKfErrcode,
  judgePushAnswer,
  kfSignature,
  KF_ERRCODES,
  mpApiError,
  parseJsonLossless,
  parsePushQuery,
  pkcs7Pad,
  pkcs7Unpad,
  redactUrl,
  renderMessage,
  sampleMessage,
  transferReply,
} from '../../src/core/kf/index.js';
import { ApiError, ConfigError, InputError } from '../../src/core/errors.js';

const KEY = decodeEncodingAesKey('WxPayCases2KfSafeModeAesKeyForTestsOnly2025');

describe('lossless JSON reader', () => {
  it('keeps every number as its exact text', () => {
    expect(
      parseJsonLossless(
        '{"a":7386519283746501234,"b":-1.50e+3,"c":[0,true,null],"d":"x\\u0041"}',
      ),
    ).toEqual({
      a: '7386519283746501234',
      b: '-1.50e+3',
      c: ['0', true, null],
      d: 'xA',
    });
  });

  it('keeps "__proto__" an ordinary field', () => {
    const value = parseJsonLossless(
      '{"__proto__":{"polluted":"yes"}}',
    ) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a":1,}', /expected a field name/],
    ['{"a":01}', /expected "}"/],
    ['{"a":1} x', /after the JSON value/],
    ['{"a":"b', /unterminated/],
    ['{"a":"\u0001"}', /invalid string/],
    ['['.repeat(100), /nesting deeper/],
    ['{"a":1,"a":2}', /appears twice/],
  ])('refuses %s', (text, reason) => {
    expect(() => parseJsonLossless(text)).toThrow(InputError);
    expect(() => parseJsonLossless(text)).toThrow(reason);
  });

  it('agrees with JSON.parse for any JSON value, numbers as their literal text', () => {
    const numbersAsText = (v: unknown): unknown =>
      typeof v === 'number'
        ? JSON.stringify(v)
        : Array.isArray(v)
          ? v.map(numbersAsText)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(
                Object.entries(v).map(([k, x]) => [k, numbersAsText(x)]),
              )
            : v;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(parseJsonLossless(text)).toEqual(
          numbersAsText(JSON.parse(text)),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('PKCS#7 with K = 32 and the crypto round trip', () => {
  it('pads 1..32 bytes and a full block when aligned', () => {
    expect(pkcs7Pad(Buffer.alloc(31)).subarray(31)).toEqual(Buffer.from([1]));
    expect(pkcs7Pad(Buffer.alloc(32))).toHaveLength(64);
    expect(pkcs7Pad(Buffer.alloc(13)).at(-1)).toBe(19);
  });

  it('refuses inconsistent pads', () => {
    expect(() => pkcs7Unpad(Buffer.from([1, 2, 3, 33]))).toThrow(/bad padding/);
    expect(() => pkcs7Unpad(Buffer.from([9, 9, 2, 3]))).toThrow(/inconsistent/);
    expect(() => pkcs7Unpad(Buffer.alloc(0))).toThrow();
  });

  it('round-trips any UTF-8 message, msg_len counting bytes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        (message) => {
          const encrypt = encryptKfMessage(message, {
            aesKey: KEY,
            appid: 'wx0123456789abcdef',
          });
          expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
          const out = decryptKfMessage(encrypt, {
            aesKey: KEY,
            appid: 'wx0123456789abcdef',
          });
          expect(out.message).toBe(message);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tampered ciphertext never decrypts to a message silently', () => {
    const encrypt = encryptKfMessage('{"MsgType":"text"}', {
      aesKey: KEY,
      appid: 'wx0123456789abcdef',
    });
    const bytes = Buffer.from(encrypt, 'base64');
    bytes[bytes.length - 1] ^= 0xff;
    expect(() =>
      decryptKfMessage(bytes.toString('base64'), {
        aesKey: KEY,
        appid: 'wx0123456789abcdef',
      }),
    ).toThrow();
  });
});

describe('query parsing', () => {
  it('keeps "+" in a Base64 value instead of turning it into a space', () => {
    expect(parsePushQuery('?echostr=a+b%2Fc%3D&x')).toEqual({
      echostr: 'a+b/c=',
      x: '',
    });
  });

  it('keeps the first of repeated parameters', () => {
    expect(parsePushQuery('signature=a&signature=b').signature).toBe('a');
  });
});

describe('errcode catalog', () => {
  it('explains every errcode of the spec send/token tables with a next action', () => {
    for (const code of [
      -1, 40001, 40002, 40003, 40013, 40014, 40125, 40164, 42001, 43002, 45009,
      45011, 45015, 45047, 45072, 45080, 45081, 48001, 70000, 89503,
    ]) {
      const info = explainKfErrcode(code);
      expect(info, String(code)).toBeDefined();
      expect(info!.action.length).toBeGreaterThan(10);
    }
    expect(Object.keys(KF_ERRCODES).length).toBeGreaterThan(25);
  });

  it('credential errors are ConfigError (exit 4), window and quota ApiError (exit 1)', () => {
    expect(mpApiError(40125, 'invalid appsecret', 'token')).toBeInstanceOf(
      ConfigError,
    );
    expect(mpApiError(40164, 'invalid ip', 'token')).toBeInstanceOf(
      ConfigError,
    );
    const window = mpApiError(
      45015,
      'response out of time limit',
      'custom send',
    );
    expect(window).toBeInstanceOf(ApiError);
    expect(window.message).toBe(
      'custom send failed: errcode 45015 (response out of time limit): Reply window passed: the user has not messaged in the last 48 hours (1 minute after only entering the session), or unsubscribed.',
    );
    expect(mpApiError(12345, '', 'x').hint).toMatch(/WeChat docs/);
  });

  it('redacts access_token and secret from URLs', () => {
    expect(
      redactUrl(
        'https://h/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CR3T',
      ),
    ).toBe(
      'https://h/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***',
    );
    expect(redactUrl('https://h/x?access_token=TOKEN&a=1')).toBe(
      'https://h/x?access_token=***&a=1',
    );
  });
});

describe('replies and judgement', () => {
  const message = sampleMessage({
    kind: 'text',
    openid: 'oUser000000000000000000000001',
    toUserName: 'gh_0123456789ab',
    createTime: '1718000300',
    msgId: '7386519283746501300',
  });

  it('renders CreateTime and MsgId as bare JSON numbers, exact', () => {
    expect(renderMessage(message, 'json')).toContain(
      '"MsgId":7386519283746501300',
    );
    expect(renderMessage(message, 'xml')).toContain(
      '<MsgId>7386519283746501300</MsgId>',
    );
  });

  it('transferReply swaps the user names and keeps the format', () => {
    expect(transferReply(message, 'json', '1718000301')).toBe(
      '{"ToUserName":"oUser000000000000000000000001","FromUserName":"gh_0123456789ab","CreateTime":1718000301,"MsgType":"transfer_customer_service"}',
    );
  });

  it('an empty body acknowledges like success; HTTP 500 does not', () => {
    const secrets = { token: 't', appid: 'wx0123456789abcdef' };
    const push = { message, format: 'json' as const, safe: false };
    expect(judgePushAnswer({ status: 200, body: '' }, push, secrets).ok).toBe(
      true,
    );
    expect(
      judgePushAnswer({ status: 500, body: 'success' }, push, secrets).ok,
    ).toBe(false);
    expect(
      judgePushAnswer({ status: 200, body: 'success\n' }, push, secrets)
        .problems[0],
    ).toMatch(/exactly success/);
  });

  it('the receiver refuses a safe push when no EncodingAESKey is configured (400)', () => {
    const receiver = createKfReceiver({ token: 'tok' });
    const body = JSON.stringify({ ToUserName: 'gh_1', Encrypt: 'AAAA' });
    const query = `timestamp=1&nonce=2&msg_signature=${kfSignature('tok', '1', '2', 'AAAA')}`;
    const { answer, event } = receiver.handle({
      method: 'POST',
      url: `/?${query}`,
      body: Buffer.from(body),
    });
    expect(answer.status).toBe(400);
    expect(event.type === 'malformed' && event.error.code).toBe(
      'KF_AES_KEY_MISSING',
    );
  });
});
