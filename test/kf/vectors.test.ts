import { readFileSync } from 'node:fs';
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeEncodingAesKey,
  decryptKfMessage,
  encryptKfMessage,
  kfSignature,
  openPush,
  sealReply,
  verifyPushUrl,
} from '../../src/core/kf/index.js';
import { SignatureError } from '../../src/core/errors.js';
import { caseJson } from '../helpers/fixtures.js';
import { fixturePath } from '../helpers/fixtures.js';

const vectors = JSON.parse(
  readFileSync(fixturePath('kf', 'published-vectors.json'), 'utf8'),
);
const { V1, V2, V3, V4 } = vectors;

function asciiOfHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}

describe('published signature vectors', () => {
  it('V1 GET verification signs Token, timestamp and nonce sorted', () => {
    const g = V1.get_verify;
    expect(kfSignature(V1.token, g.timestamp, g.nonce)).toBe(g.signature);
    const result = verifyPushUrl(g, { token: V1.token });
    expect(result).toMatchObject({
      valid: true,
      answer: '4375120948345356249',
    });
  });

  it('V1 plaintext and safe POST signatures', () => {
    const p = V1.post_plain;
    expect(kfSignature(V1.token, p.timestamp, p.nonce)).toBe(p.signature);
    const s = V1.post_safe;
    expect(kfSignature(V1.token, s.timestamp, s.nonce)).toBe(s.signature);
    expect(kfSignature(V1.token, s.timestamp, s.nonce, s.Encrypt)).toBe(
      s.msg_signature,
    );
  });

  it('V2 and V4 signatures, including Base64 items that sort before digits', () => {
    expect(kfSignature(V2.token, V2.timestamp, V2.nonce)).toBe(V2.signature);
    expect(kfSignature(V2.token, V2.timestamp, V2.nonce, V2.Encrypt)).toBe(
      V2.msg_signature,
    );
    const t = V4.three_item;
    expect(kfSignature(t.token, t.timestamp, t.nonce)).toBe(t.signature);
    const w = V4.wechat_crypto_test;
    expect(kfSignature(w.token, w.timestamp, w.nonce, w.encrypt)).toBe(
      w.signature,
    );
    expect(kfSignature(V4.token, V4.timestamp, V4.nonce, V4.echostr)).toBe(
      V4.msg_signature,
    );
  });
});

describe('published crypto vectors', () => {
  const zeroKey = decodeEncodingAesKey(V1.encoding_aes_key);

  it('43 × "A" decodes to 32 zero bytes', () => {
    expect(zeroKey).toEqual(Buffer.alloc(32));
  });

  it('V1 decrypts with pad 19 (K = 32) and re-encrypts byte for byte', () => {
    const s = V1.post_safe;
    expect(Buffer.from(s.Encrypt, 'base64')).toHaveLength(s.ciphertext_bytes);
    const out = decryptKfMessage(s.Encrypt, {
      aesKey: zeroKey,
      appid: V1.appid,
    });
    expect(out).toMatchObject({ message: s.msg, appid: V1.appid, pad: 19 });
    expect(asciiOfHex(out.random)).toBe(s.random);
    expect(
      encryptKfMessage(s.msg, {
        aesKey: zeroKey,
        appid: V1.appid,
        random: s.random,
      }),
    ).toBe(s.Encrypt);
  });

  it("V1 cannot be read with Node's default block-16 padding", () => {
    const decipher = createDecipheriv(
      'aes-256-cbc',
      zeroKey,
      zeroKey.subarray(0, 16),
    );
    expect(() =>
      Buffer.concat([
        decipher.update(Buffer.from(V1.post_safe.Encrypt, 'base64')),
        decipher.final(),
      ]),
    ).toThrow();
  });

  it('V1 JSON safe push opens to the debug_demo event with CreateTime as a string', () => {
    const s = V1.post_safe;
    const body = JSON.stringify({
      ToUserName: 'gh_97417a04a28d',
      Encrypt: s.Encrypt,
    });
    const opened = openPush(body, s, {
      token: V1.token,
      aesKey: zeroKey,
      appid: V1.appid,
    });
    expect(opened).toMatchObject({ mode: 'safe', format: 'json', pad: 19 });
    expect(opened.message).toEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: '1714112445',
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
    });
  });

  it('V1 encrypted reply: Encrypt and MsgSignature match the doc', () => {
    const r = V1.reply;
    const sealed = sealReply(r.msg, 'json', {
      token: V1.token,
      aesKey: zeroKey,
      appid: V1.appid,
      timestamp: r.timestamp,
      nonce: r.nonce,
      random: r.random,
    });
    expect(sealed).toBe(
      `{"Encrypt":"${r.Encrypt}","MsgSignature":"${r.MsgSignature}","TimeStamp":1713424427,"Nonce":"415670741"}`,
    );
  });

  it('V2 XML push: pad 22, msg_len 292, third-party appid', () => {
    const out = decryptKfMessage(V2.Encrypt, {
      aesKey: zeroKey,
      appid: V2.appid,
    });
    expect(out.pad).toBe(V2.pad);
    expect(Buffer.byteLength(out.message)).toBe(V2.msg_len);
    expect(asciiOfHex(out.random)).toBe(V2.random);
    expect(out.message).toContain('debug_demo');
    const r = V2.reply;
    const sealed = sealReply(r.msg, 'xml', {
      token: V2.token,
      aesKey: zeroKey,
      appid: V2.appid,
      timestamp: r.timestamp,
      nonce: r.nonce,
      random: r.random,
    });
    expect(sealed).toContain(`<Encrypt><![CDATA[${r.Encrypt}]]></Encrypt>`);
    expect(sealed).toContain(
      `<MsgSignature><![CDATA[${r.MsgSignature}]]></MsgSignature>`,
    );
  });

  it('V3 official Python sample decrypts to the text message with a 64-bit MsgId', () => {
    const p = V3.python_sample;
    const key = decodeEncodingAesKey(V3.encoding_aes_key);
    const body = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[${p.Encrypt}]]></Encrypt></xml>`;
    const opened = openPush(
      body,
      {
        timestamp: p.timestamp,
        nonce: p.nonce,
        msg_signature: p.msg_signature,
      },
      { token: p.token, aesKey: key, appid: p.appid },
    );
    expect(opened.message).toMatchObject({
      MsgType: 'text',
      Content: p.Content,
      MsgId: p.MsgId,
    });
  });

  it('V3 Java sample: Chinese text encrypts byte-exact (msg_len counts bytes)', () => {
    const j = V3.java_encrypt;
    const key = decodeEncodingAesKey(V3.encoding_aes_key);
    expect(
      encryptKfMessage(j.msg, {
        aesKey: key,
        appid: j.appid,
        random: j.random,
      }),
    ).toBe(j.Encrypt);
  });

  it('V4 encrypted echostr (WeCom form) is accepted and answered decrypted', () => {
    const key = decodeEncodingAesKey(V4.encoding_aes_key);
    const result = verifyPushUrl(
      {
        timestamp: V4.timestamp,
        nonce: V4.nonce,
        msg_signature: V4.msg_signature,
        echostr: V4.echostr,
      },
      { token: V4.token, aesKey: key, appid: V4.id },
    );
    expect(result).toMatchObject({ valid: true, answer: V4.decrypted });
  });

  it('a V1 push decrypted as another app is refused (-40005)', () => {
    const error = (() => {
      try {
        decryptKfMessage(V1.post_safe.Encrypt, {
          aesKey: zeroKey,
          appid: 'wx0123456789abcdef',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).code).toBe('KF_APPID_MISMATCH');
  });
});

describe('the EncodingAESKey with non-zero discarded bits (cases COMMON)', () => {
  const common = caseJson<Record<string, unknown>>('C07-kf-pad32-decrypt.json');

  it('decodes leniently to the documented key bytes', () => {
    expect(common.id).toBe('C07');
    expect(
      decodeEncodingAesKey(
        'WxPayCases2KfSafeModeAesKeyForTestsOnly2025',
      ).toString('hex'),
    ).toBe('5b13dac826ac7acd8a7d269f78ca1d7807ac29ec85a2b4deb2db0e9e5cb6d36e');
  });

  it('refuses keys of the wrong length or alphabet', () => {
    expect(() => decodeEncodingAesKey('short')).toThrow(
      /43 letters and digits/,
    );
    expect(() => decodeEncodingAesKey(`${'A'.repeat(42)}+`)).toThrow(
      /other characters/,
    );
  });
});
