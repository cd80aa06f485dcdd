import { describe, expect, it } from 'vitest';
import { sign } from '../../src/core/sign.js';
import { buildXml } from '../../src/core/xml.js';
import { caseText } from '../helpers/fixtures.js';
import {
  callPay,
  DEMO,
  orderParams,
  postRaw,
  replyVerifies,
  testSimulator,
} from './helpers.js';

describe('simulator protocol checks (spec 1-3)', () => {
  it('accepts an MD5-signed request and signs its reply with MD5, without sign_type', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/unifiedorder', orderParams());
    expect(answer.status).toBe(200);
    expect(answer.fields.return_code).toBe('SUCCESS');
    expect(answer.fields.result_code).toBe('SUCCESS');
    expect(answer.fields.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(answer.fields.sign_type).toBeUndefined();
    expect(replyVerifies(answer.fields)).toBe(true);
  });

  it('accepts an HMAC-SHA256 request and signs its reply with HMAC-SHA256 (64 hex, no sign_type)', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/unifiedorder', orderParams(), {
      signType: 'HMAC-SHA256',
    });
    expect(answer.fields.result_code).toBe('SUCCESS');
    expect(answer.fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(answer.fields.sign_type).toBeUndefined();
    expect(replyVerifies(answer.fields, DEMO.key, 'HMAC-SHA256')).toBe(true);
    expect(replyVerifies(answer.fields, DEMO.key, 'MD5')).toBe(false);
  });

  it('answers a request signed with another key the way WeChat does: FAIL 签名错误, unsigned', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/unifiedorder', orderParams(), {
      key: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    });
    expect(answer.fields).toEqual({
      return_code: 'FAIL',
      return_msg: '签名错误',
    });
  });

  it('refuses an HMAC signature sent without sign_type (WeChat then checks MD5)', async () => {
    const sim = await testSimulator();
    const answer = await callPay(
      sim,
      '/pay/orderquery',
      { out_trade_no: 'ABCDEF1' },
      {
        signType: 'HMAC-SHA256',
        declareSignType: false,
      },
    );
    expect(answer.fields.return_msg).toBe('签名错误');
  });

  it('refuses a lower-case signature', async () => {
    const sim = await testSimulator();
    const fields: Record<string, string> = {
      appid: DEMO.appid,
      mch_id: DEMO.mch_id,
      nonce_str: 'abc',
      out_trade_no: 'ABCDEF1',
    };
    fields.sign = sign(fields, DEMO.key).toLowerCase();
    const answer = await postRaw(`${sim.url}/pay/orderquery`, buildXml(fields));
    expect(answer.fields.return_msg).toBe('签名错误');
  });

  it.each([
    ['B20-xxe-file.xml'],
    ['B20-xxe-oob-param.xml'],
    ['B20-billion-laughs.xml'],
    ['B20-oversize-2MB.xml'],
  ])(
    'answers hostile XML %s with XML格式错误 and keeps serving',
    async (file) => {
      const sim = await testSimulator();
      const answer = await postRaw(
        `${sim.url}/pay/unifiedorder`,
        caseText(file),
      );
      expect(answer.status).toBe(200);
      expect(answer.fields).toEqual({
        return_code: 'FAIL',
        return_msg: 'XML格式错误',
      });
      const after = await callPay(sim, '/pay/unifiedorder', orderParams());
      expect(after.fields.result_code).toBe('SUCCESS');
    },
  );

  it.each([
    ['<xml><appid>x</appid>', 'XML格式错误'],
    ['not xml at all', 'XML格式错误'],
    ['<xml><a>1</a><a>2</a></xml>', 'XML格式错误'],
    ['<root><appid>x</appid></root>', 'XML格式错误'],
    ['', 'post数据为空'],
    ['   ', 'post数据为空'],
  ])('answers the body %j with %s', async (body, message) => {
    const sim = await testSimulator();
    const answer = await postRaw(`${sim.url}/pay/orderquery`, body);
    expect(answer.fields).toEqual({ return_code: 'FAIL', return_msg: message });
  });

  it('answers a body that is not UTF-8 with 编码格式错误', async () => {
    const sim = await testSimulator();
    const gbk = Buffer.from([
      0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xb2, 0xe2, 0x3c, 0x2f, 0x78, 0x6d, 0x6c,
      0x3e,
    ]);
    const answer = await postRaw(`${sim.url}/pay/orderquery`, gbk);
    expect(answer.fields.return_msg).toBe('编码格式错误');
  });

  it('refuses bodies over the server cap with HTTP 413', async () => {
    const sim = await testSimulator({ maxBodyBytes: 1024 });
    const answer = await postRaw(`${sim.url}/pay/orderquery`, 'x'.repeat(2048));
    expect(answer.status).toBe(413);
    expect(answer.fields.return_msg).toBe('XML格式错误');
  });

  it('answers a GET with 请使用post方法', async () => {
    const sim = await testSimulator();
    const answer = await postRaw(`${sim.url}/pay/unifiedorder`, '', 'GET');
    expect(answer.fields).toEqual({
      return_code: 'FAIL',
      return_msg: '请使用post方法',
    });
  });

  it('refuses a missing mch_id, an unknown mch_id and an appid not bound to it', async () => {
    const sim = await testSimulator();
    const missing = await callPay(sim, '/pay/orderquery', {
      mch_id: undefined,
      out_trade_no: 'ABCDEF1',
    });
    expect(missing.fields.return_msg).toBe('mch_id参数格式错误');
    const unknown = await callPay(sim, '/pay/orderquery', {
      mch_id: '1234567890',
      out_trade_no: 'ABCDEF1',
    });
    expect(unknown.fields.return_msg).toBe('mch_id参数格式错误');
    const otherApp = await callPay(sim, '/pay/orderquery', {
      appid: 'wx0123456789abcdef',
      out_trade_no: 'ABCDEF1',
    });
    expect(otherApp.fields.return_msg).toBe('商户号mch_id与appid不匹配');
  });

  it('refuses an unknown sign_type', async () => {
    const sim = await testSimulator();
    const answer = await callPay(sim, '/pay/orderquery', {
      out_trade_no: 'ABCDEF1',
      sign_type: 'SHA1',
    });
    expect(answer.fields.return_msg).toBe('sign_type参数格式错误');
  });

  it('answers unknown paths with 404 XML', async () => {
    const sim = await testSimulator();
    const answer = await postRaw(`${sim.url}/pay/nothing`, '<xml/>');
    expect(answer.status).toBe(404);
    expect(answer.fields.return_code).toBe('FAIL');
  });

  it('serves the /sandboxnew/ paths only with the sandbox key, in MD5', async () => {
    const sim = await testSimulator();
    const key = await callPay(sim, '/sandboxnew/pay/getsignkey', {
      appid: undefined,
    });
    const sandboxKey = key.fields.sandbox_signkey;
    expect(sandboxKey).toMatch(/^[0-9a-f]{32}$/);
    const withReal = await callPay(
      sim,
      '/sandboxnew/pay/unifiedorder',
      orderParams(),
    );
    expect(withReal.fields.return_msg).toBe('签名错误');
    const params = orderParams();
    const ok = await callPay(sim, '/sandboxnew/pay/unifiedorder', params, {
      key: sandboxKey,
    });
    expect(ok.fields.result_code).toBe('SUCCESS');
    expect(replyVerifies(ok.fields, sandboxKey)).toBe(true);
    const hmac = await callPay(
      sim,
      '/sandboxnew/pay/unifiedorder',
      orderParams(),
      {
        key: sandboxKey,
        signType: 'HMAC-SHA256',
      },
    );
    expect(hmac.fields.return_msg).toBe('沙箱环境仅支持MD5签名');
    // Sandbox orders are kept apart from live ones.
    const live = await callPay(sim, '/pay/orderquery', {
      out_trade_no: params.out_trade_no,
    });
    expect(live.fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('hands out the same sandbox key on the legacy and the current getsignkey path', async () => {
    const sim = await testSimulator();
    const legacy = await callPay(sim, '/sandboxnew/pay/getsignkey', {
      appid: undefined,
    });
    const current = await callPay(sim, '/xdc/apiv2getsignkey/sign/getsignkey', {
      appid: undefined,
    });
    expect(legacy.fields).toMatchObject({
      return_code: 'SUCCESS',
      mch_id: DEMO.mch_id,
    });
    expect(current.fields.sandbox_signkey).toBe(legacy.fields.sandbox_signkey);
    expect(legacy.fields.sandbox_signkey).not.toBe(DEMO.key);
    const forged = await callPay(
      sim,
      '/xdc/apiv2getsignkey/sign/getsignkey',
      { appid: undefined },
      { key: 'x'.repeat(32) },
    );
    expect(forged.fields.return_msg).toBe('签名错误');
  });
});
