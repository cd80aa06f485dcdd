import { describe, expect, it } from 'vitest';
import { caseText } from '../helpers/fixtures.js';
import { WeChatApiError } from '../../src/core/http/errors.js';
import { PayClient } from '../../src/core/http/client.js';
import {
  ApiError,
  ConfigError,
  InputError,
  NetworkError,
  SignatureError,
} from '../../src/core/errors.js';
import { sign, verify } from '../../src/core/sign.js';
import {
  APPID,
  KEY,
  MCH_ID,
  PRIMARY,
  fieldsOf,
  makeClient,
  answer,
  mockAgent,
  signedAnswer,
} from './support.js';

const PATH = '/pay/orderquery';

describe('PayClient.call', () => {
  it('sends signed XML with appid, mch_id and nonce_str and returns verified fields', async () => {
    const agent = mockAgent();
    let sent: Record<string, string> = {};
    answer(agent, (opts) => {
      sent = fieldsOf(opts.body);
      return signedAnswer({ trade_state: 'NOTPAY', out_trade_no: 'A123456' });
    });
    const { client } = makeClient({ dispatcher: agent });
    const result = await client.call(PATH, { out_trade_no: 'A123456' });
    expect(Object.keys(sent).sort()).toEqual([
      'appid',
      'mch_id',
      'nonce_str',
      'out_trade_no',
      'sign',
    ]);
    expect(sent).toMatchObject({ appid: APPID, mch_id: MCH_ID });
    expect(verify(sent, KEY, { signType: 'MD5' }).valid).toBe(true);
    expect(result.tradeState).toBe('NOTPAY');
    expect(result.fields.out_trade_no).toBe('A123456');
    expect(result.attempts).toBe(1);
  });

  it('declares HMAC-SHA256 and verifies an HMAC answer that omits sign_type', async () => {
    const agent = mockAgent();
    let sent: Record<string, string> = {};
    answer(agent, (opts) => {
      sent = fieldsOf(opts.body);
      return signedAnswer(
        { trade_state: 'SUCCESS' },
        { signType: 'HMAC-SHA256' },
      );
    });
    const { client } = makeClient({
      dispatcher: agent,
      signType: 'HMAC-SHA256',
    });
    const result = await client.call(PATH, { out_trade_no: 'A123456' });
    expect(sent.sign_type).toBe('HMAC-SHA256');
    expect(sent.sign).toHaveLength(64);
    expect(result.tradeState).toBe('SUCCESS');
  });

  it('rejects an MD5-signed answer to an HMAC request', async () => {
    const agent = mockAgent();
    answer(agent, signedAnswer({ trade_state: 'SUCCESS' }));
    const { client } = makeClient({
      dispatcher: agent,
      signType: 'HMAC-SHA256',
    });
    await expect(
      client.call(PATH, { out_trade_no: 'A123456' }),
    ).rejects.toMatchObject({
      code: 'RESPONSE_SIGN_INVALID',
    });
  });

  it('rejects an answer without a sign, never reporting success', async () => {
    const agent = mockAgent();
    const unsigned = signedAnswer({ trade_state: 'SUCCESS' }).replace(
      /<sign>.*?<\/sign>/,
      '',
    );
    answer(agent, unsigned);
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(error.code).toBe('RESPONSE_SIGN_MISSING');
  });

  it('rejects an answer forged with another key', async () => {
    const agent = mockAgent();
    answer(
      agent,
      signedAnswer(
        { trade_state: 'SUCCESS' },
        { key: 'ffffffffffffffffffffffffffffffff' },
      ),
    );
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(error.code).toBe('RESPONSE_SIGN_INVALID');
  });

  it('rejects a field added after signing', async () => {
    const agent = mockAgent();
    const tampered = signedAnswer({ trade_state: 'NOTPAY' }).replace(
      '<trade_state><![CDATA[NOTPAY]]></trade_state>',
      '<trade_state><![CDATA[SUCCESS]]></trade_state>',
    );
    answer(agent, tampered);
    const { client } = makeClient({ dispatcher: agent });
    await expect(
      client.call(PATH, { out_trade_no: 'A123456' }),
    ).rejects.toBeInstanceOf(SignatureError);
  });

  it.each([
    ['appid', { appid: 'wxffffffffffffffff' }],
    ['mch_id', { mch_id: '1900000999' }],
  ])(
    'rejects a validly signed answer for another %s',
    async (field, change) => {
      const agent = mockAgent();
      answer(agent, signedAnswer({ trade_state: 'SUCCESS', ...change }));
      const { client } = makeClient({ dispatcher: agent });
      const error = await client
        .call(PATH, { out_trade_no: 'A123456' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(SignatureError);
      expect(error).toMatchObject({
        code: 'RESPONSE_MERCHANT_MISMATCH',
        details: { field },
      });
    },
  );

  it('reads an unsigned return_code=FAIL as a refusal with its class', async () => {
    const agent = mockAgent();
    answer(
      agent,
      '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>',
    );
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect(error).toMatchObject({
      returnCode: 'FAIL',
      errCode: '签名错误',
      errorClass: 'signature_error',
      retryable: false,
    });
  });

  it.each([
    ['B42-orderpaid.xml', 'ORDERPAID', 'already_paid'],
    [
      'B42-outtradeno-used.xml',
      'OUTTRADENO_USED',
      'out_trade_no_reused_with_different_params',
    ],
    ['B42-orderclosed.xml', 'ORDERCLOSED', 'order_closed'],
  ])(
    'verifies %s and refuses with class %s/%s, without retrying',
    async (file, code, cls) => {
      const agent = mockAgent();
      agent
        .get(PRIMARY)
        .intercept({ path: '/pay/unifiedorder', method: 'POST' })
        .reply(200, caseText(file));
      const { client, sleeps } = makeClient({ dispatcher: agent });
      const error = await client
        .call('/pay/unifiedorder', { out_trade_no: 'B42000001' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        errCode: code,
        errorClass: cls,
        resultCode: 'FAIL',
      });
      expect(sleeps).toEqual([]);
    },
  );

  it('retries SYSTEMERROR with backoff, re-sending the identical signed body', async () => {
    const agent = mockAgent();
    const bodies: string[] = [];
    const pool = agent.get(PRIMARY);
    const fail = signedAnswer({
      result_code: 'FAIL',
      err_code: 'SYSTEMERROR',
      err_code_des: '系统超时',
    });
    for (const answer of [
      fail,
      fail,
      signedAnswer({ trade_state: 'SUCCESS' }),
    ]) {
      pool.intercept({ path: PATH, method: 'POST' }).reply(200, (opts) => {
        bodies.push(String(opts.body));
        return answer;
      });
    }
    const { client, sleeps, events } = makeClient({ dispatcher: agent });
    const result = await client.call(PATH, { out_trade_no: 'A123456' });
    expect(result.tradeState).toBe('SUCCESS');
    expect(result.attempts).toBe(3);
    expect(new Set(bodies).size).toBe(1);
    expect(fieldsOf(bodies[0]).out_trade_no).toBe('A123456');
    expect(sleeps).toEqual([500, 1000]);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', attempt: 2, delayMs: 500, code: 'SYSTEMERROR' },
      { type: 'retry', attempt: 3, delayMs: 1000, code: 'SYSTEMERROR' },
    ]);
  });

  it('retries BIZERR_NEED_RETRY and gives up after the bounded number of retries', async () => {
    const agent = mockAgent();
    const answer = signedAnswer({
      result_code: 'FAIL',
      err_code: 'BIZERR_NEED_RETRY',
    });
    agent
      .get(PRIMARY)
      .intercept({ path: '/secapi/pay/refund', method: 'POST' })
      .reply(200, answer)
      .times(2);
    const { client, sleeps } = makeClient({
      dispatcher: agent,
      retries: 1,
      tls: { cert: 'unused', key: 'unused' },
    });
    const error = await client
      .call('/secapi/pay/refund', { out_refund_no: 'R1' }, { cert: true })
      .catch((e) => e);
    expect(error).toMatchObject({
      errCode: 'BIZERR_NEED_RETRY',
      errorClass: 'concurrency_retry',
      retryable: true,
    });
    expect(sleeps).toEqual([500]);
  });

  it('refuses unsafe XML in an answer as an unreadable answer (exit 3)', async () => {
    const agent = mockAgent();
    answer(agent, caseText('B20-xxe-file.xml'));
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'ANSWER_UNREADABLE' });
    expect((error as Error).message).toContain(
      'with XML carrying a DOCTYPE or ENTITY declaration (refused as hostile)',
    );
  });

  it('reproduces the C16 known-answer sign through prepare()', () => {
    const { client } = makeClient({
      nonce: () => 'C16nonce5K8264ILTKCH16CQ2502SI8Z',
    });
    const prepared = client.prepare('/pay/unifiedorder', {
      body: 'wxpay-测试商品',
      out_trade_no: 'C16202406100001',
      total_fee: 1,
      spbill_create_ip: '203.0.113.10',
      notify_url: 'https://example.com/wxpay/notify',
      trade_type: 'JSAPI',
      openid: 'oWxPayCases2TestUser00000001',
      time_start: '20240610141320',
      time_expire: '20240610161320',
    });
    expect(prepared.params.sign).toBe('C1879BAC9782B8FDBB6F2AF790DD407E');
    expect(prepared.params.sign_type).toBeUndefined();
    expect(fieldsOf(prepared.xml).sign).toBe(
      'C1879BAC9782B8FDBB6F2AF790DD407E',
    );
  });
});

describe('PayClient configuration', () => {
  it('fails over to api2 only behind the real primary host', () => {
    const real = new PayClient({
      baseUrl: 'https://api.mch.weixin.qq.com',
      appid: APPID,
      mchId: MCH_ID,
      key: KEY,
    });
    const local = new PayClient({
      baseUrl: 'http://127.0.0.1:9',
      appid: APPID,
      mchId: MCH_ID,
      key: KEY,
    });
    const off = new PayClient({
      baseUrl: 'https://api.mch.weixin.qq.com',
      backupBaseUrl: null,
      appid: APPID,
      mchId: MCH_ID,
      key: KEY,
    });
    expect(real.backupBaseUrl).toBe('https://api2.mch.weixin.qq.com');
    expect(local.backupBaseUrl).toBeUndefined();
    expect(off.backupBaseUrl).toBeUndefined();
    expect(real.timeoutMs).toBe(10_000);
  });

  it('refuses a client without a key and a base URL that is not http(s)', () => {
    expect(
      () =>
        new PayClient({
          baseUrl: PRIMARY,
          appid: APPID,
          mchId: MCH_ID,
          key: '',
        }),
    ).toThrow(ConfigError);
    expect(
      () =>
        new PayClient({
          baseUrl: 'ftp://x',
          appid: APPID,
          mchId: MCH_ID,
          key: KEY,
        }),
    ).toThrow(ConfigError);
  });

  it('asks for the merchant certificate before a certificate call over https', async () => {
    const { client } = makeClient();
    await expect(
      client.call(
        '/secapi/pay/refund',
        { out_refund_no: 'R1' },
        { cert: true },
      ),
    ).rejects.toMatchObject({ code: 'CERT_MISSING' });
  });

  it('signs with the key but never sends it', async () => {
    const agent = mockAgent();
    let raw = '';
    answer(agent, (opts) => {
      raw = String(opts.body);
      return signedAnswer({ trade_state: 'NOTPAY' });
    });
    const { client } = makeClient({ dispatcher: agent });
    await client.call(PATH, { out_trade_no: 'A123456' });
    expect(raw).not.toContain(KEY);
    expect(sign(fieldsOf(raw), KEY)).toBe(fieldsOf(raw).sign);
  });

  it('reports a NetworkError, not bad input, for an answer that is not XML', async () => {
    const agent = mockAgent();
    answer(agent, 'hello');
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(InputError);
  });
});
