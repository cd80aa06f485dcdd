import { describe, expect, it } from 'vitest';
import {
  createKfReceiver,
  decodeEncodingAesKey,
  decryptKfMessage,
  detectPushFormat,
  openPush,
  parsePushBody,
  pushDedupeKey,
  verifyPushUrl,
} from '../../src/core/kf/index.js';
import { caseJson, caseText } from '../helpers/fixtures.js';

/** The identities of the "More cases" set (cases README, COMMON). */
const TOKEN = 'wxpayKfToken2024';
const AES_KEY = decodeEncodingAesKey(
  'WxPayCases2KfSafeModeAesKeyForTestsOnly2025',
);
const APPID = 'wx0123456789abcdef';

describe('C01: URL verification answers the echostr byte for byte', () => {
  const c01 = caseJson<{
    request: { query: Record<string, string> };
    string_to_hash: string;
    expected_signature: string;
    expected_response: {
      status: number;
      body: string;
      body_bytes: number;
      content_type: string;
    };
    wrong_responses: { body: string | null }[];
    negative_request: {
      query: Record<string, string>;
      expected_status: number;
    };
  }>('C01-kf-url-verify.json');

  it('checks the signature and returns the 19-digit echostr untouched', () => {
    const result = verifyPushUrl(c01.request.query, { token: TOKEN });
    expect(result.valid).toBe(true);
    expect(result.expected).toBe(c01.expected_signature);
    expect(result.answer).toBe(c01.expected_response.body);
    expect(Buffer.byteLength(result.answer!)).toBe(
      c01.expected_response.body_bytes,
    );
    for (const wrong of c01.wrong_responses) {
      if (wrong.body !== null) expect(result.answer).not.toBe(wrong.body);
    }
  });

  it('the receiver answers 200 text/plain with exactly the echostr', () => {
    const receiver = createKfReceiver({ token: TOKEN });
    const query = new URLSearchParams(c01.request.query).toString();
    const { answer } = receiver.handle({
      method: 'GET',
      url: `/kf?${query}`,
      body: Buffer.alloc(0),
    });
    expect(answer.status).toBe(c01.expected_response.status);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.body).toBe('7391046285019283746');
  });

  it('a request signed with another token gets 403 and no echo', () => {
    const receiver = createKfReceiver({ token: TOKEN });
    const query = new URLSearchParams(c01.negative_request.query).toString();
    const { answer, event } = receiver.handle({
      method: 'GET',
      url: `/kf?${query}`,
      body: Buffer.alloc(0),
    });
    expect(answer.status).toBe(c01.negative_request.expected_status);
    expect(answer.body).not.toContain('7391046285019283746');
    expect(event.type).toBe('verify-rejected');
  });
});

describe('C04: the same message in plaintext/safe XML/JSON parses identically', () => {
  const c04 = caseJson<{
    timestamp: string;
    nonce: string;
    signature: string;
    bodies: Record<string, { msg_signature?: string; first_char?: string }>;
    expected_parsed_message_all_four: Record<string, string>;
  }>('C04-kf-json-vs-xml.json');

  for (const name of Object.keys(c04.bodies)) {
    it(`${name} opens to the expected message`, () => {
      const body = caseText(name);
      const query = {
        signature: c04.signature,
        timestamp: c04.timestamp,
        nonce: c04.nonce,
        msg_signature: c04.bodies[name].msg_signature,
      };
      const opened = openPush(body, query, {
        token: TOKEN,
        aesKey: AES_KEY,
        appid: APPID,
      });
      expect(opened.message).toEqual(c04.expected_parsed_message_all_four);
      expect(opened.mode).toBe(name.includes('safe') ? 'safe' : 'plaintext');
      expect(opened.format).toBe(name.endsWith('.xml') ? 'xml' : 'json');
    });
  }

  it('chooses the parser from the first non-space byte, whatever the Content-Type', () => {
    expect(detectPushFormat('  \n<xml></xml>')).toBe('xml');
    expect(detectPushFormat('\uFEFF {"a":1}')).toBe('json');
    expect(() => detectPushFormat('success')).toThrow(/neither XML/);
  });
});

describe('C07: PKCS#7 pads above 16 decrypt (K = 32)', () => {
  const c07 = caseJson<{
    cases: {
      name: string;
      msg: string;
      msg_len: number;
      Encrypt: string;
      expected: { pad: number; ct_len: number; appid: string };
    }[];
  }>('C07-kf-pad32-decrypt.json');

  for (const item of c07.cases) {
    it(`${item.name}: pad ${item.expected.pad}, ${item.expected.ct_len} ciphertext bytes`, () => {
      expect(Buffer.from(item.Encrypt, 'base64')).toHaveLength(
        item.expected.ct_len,
      );
      const out = decryptKfMessage(item.Encrypt, {
        aesKey: AES_KEY,
        appid: APPID,
      });
      expect(out.message).toBe(item.msg);
      expect(Buffer.byteLength(out.message)).toBe(item.msg_len);
      expect(out.pad).toBe(item.expected.pad);
      expect(out.appid).toBe(item.expected.appid);
    });
  }
});

describe('C10: 64-bit MsgIds stay exact strings and distinct dedupe keys', () => {
  const c10 = caseJson<{
    bodies: string[];
    expected: { msgid_strings: string[]; distinct_dedupe_keys: number };
  }>('C10-kf-msgid-precision.json');

  it('reads MsgId as a string, never through a double', () => {
    const ids = c10.bodies.map(
      (name) => parsePushBody(caseText(name)).fields.MsgId,
    );
    expect(ids).toEqual(c10.expected.msgid_strings);
    const keys = new Set(
      c10.bodies.map((name) =>
        pushDedupeKey(parsePushBody(caseText(name)).fields),
      ),
    );
    expect(keys.size).toBe(c10.expected.distinct_dedupe_keys);
  });

  it('the receiver counts both pushes as new messages, not a retry', () => {
    const receiver = createKfReceiver({ token: TOKEN });
    const duplicates = c10.bodies.map((name) => {
      const { event } = receiver.handle({
        method: 'POST',
        url: '/kf?signature=6785d4f1441a94b8cce280055cef06777e4f3697&timestamp=1718000300&nonce=918273645',
        body: Buffer.from(caseText(name)),
      });
      expect(event.type).toBe('message');
      return event.type === 'message' && event.duplicate;
    });
    expect(duplicates).toEqual([false, false]);
  });
});
