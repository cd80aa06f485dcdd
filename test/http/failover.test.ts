import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../src/core/errors.js';
import { PayNetworkError } from '../../src/core/http/transport.js';
import {
  BACKUP,
  PRIMARY,
  makeClient,
  localServer,
  mockAgent,
  signedAnswer,
} from './support.js';

const PATH = '/pay/orderquery';

function refusedError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED'), {
    code: 'ECONNREFUSED',
  });
}

describe('failover from base_url to backup_base_url (MockAgent)', () => {
  it('switches to the backup on a refused connection and reports it', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: PATH, method: 'POST' })
      .replyWithError(refusedError());
    agent
      .get(BACKUP)
      .intercept({ path: PATH, method: 'POST' })
      .reply(200, signedAnswer({ trade_state: 'SUCCESS' }));
    const { client, events } = makeClient({
      dispatcher: agent,
      backupBaseUrl: BACKUP,
    });
    const result = await client.call(PATH, { out_trade_no: 'A123456' });
    expect(result).toMatchObject({
      baseUrl: BACKUP,
      attempts: 2,
      tradeState: 'SUCCESS',
    });
    expect(events.filter((e) => e.type === 'failover')).toEqual([
      {
        type: 'failover',
        from: PRIMARY,
        to: BACKUP,
        reason: 'connection refused',
      },
    ]);
  });

  it.each([500, 502, 503])(
    'switches to the backup on HTTP %i',
    async (status) => {
      const agent = mockAgent();
      agent
        .get(PRIMARY)
        .intercept({ path: PATH, method: 'POST' })
        .reply(status, 'busy');
      agent
        .get(BACKUP)
        .intercept({ path: PATH, method: 'POST' })
        .reply(200, signedAnswer({ trade_state: 'NOTPAY' }));
      const { client, events } = makeClient({
        dispatcher: agent,
        backupBaseUrl: BACKUP,
      });
      const result = await client.call(PATH, { out_trade_no: 'A123456' });
      expect(result.baseUrl).toBe(BACKUP);
      expect(events.find((e) => e.type === 'failover')).toMatchObject({
        reason: `answered HTTP ${status}`,
      });
    },
  );

  it('does not fail over on a 4xx answer', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: PATH, method: 'POST' })
      .reply(404, 'not here');
    const { client } = makeClient({ dispatcher: agent, backupBaseUrl: BACKUP });
    await expect(
      client.call(PATH, { out_trade_no: 'A123456' }),
    ).rejects.toMatchObject({
      code: 'ANSWER_UNREADABLE',
      attempts: 1,
    });
  });

  it('states the timeout and the attempts when both hosts fail', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: PATH, method: 'POST' })
      .replyWithError(refusedError());
    agent
      .get(BACKUP)
      .intercept({ path: PATH, method: 'POST' })
      .reply(503, 'down');
    const { client } = makeClient({
      dispatcher: agent,
      backupBaseUrl: BACKUP,
      timeoutMs: 1234,
    });
    const error = await client
      .call(PATH, { out_trade_no: 'A123456' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timeoutMs: 1234, attempts: 2 });
    expect(error.message).toContain('after 2 attempts (timeout 1234 ms)');
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('answered HTTP 503');
  });
});

describe('timeouts and failover against local servers', () => {
  it('gives up on a server that never answers within the timeout and uses the backup', async () => {
    const silent = await localServer(() => 'hang');
    const backup = await localServer(() => ({
      body: signedAnswer({ trade_state: 'SUCCESS' }),
    }));
    const { client, events } = makeClient({
      baseUrl: silent.url,
      backupBaseUrl: backup.url,
      timeoutMs: 300,
    });
    try {
      const result = await client.call(PATH, { out_trade_no: 'A123456' });
      expect(result.baseUrl).toBe(backup.url);
      expect(events.find((e) => e.type === 'failover')).toMatchObject({
        from: silent.url,
        to: backup.url,
        reason: 'timed out after 300 ms',
      });
      expect(backup.requests[0].body).toBe(silent.requests[0].body);
    } finally {
      await client.close();
    }
  });

  it('uses the backup when the primary port refuses connections', async () => {
    const gone = await localServer(() => ({ body: '' }));
    const goneUrl = gone.url;
    await gone.close();
    const backup = await localServer(() => ({
      body: signedAnswer({ trade_state: 'CLOSED' }),
    }));
    const { client, events } = makeClient({
      baseUrl: goneUrl,
      backupBaseUrl: backup.url,
    });
    try {
      const result = await client.call(PATH, { out_trade_no: 'A123456' });
      expect(result.tradeState).toBe('CLOSED');
      expect(events.find((e) => e.type === 'failover')).toMatchObject({
        reason: 'connection refused',
      });
    } finally {
      await client.close();
    }
  });

  it('uses the backup when the primary drops the connection', async () => {
    const dropper = await localServer(() => 'destroy');
    const backup = await localServer(() => ({
      body: signedAnswer({ trade_state: 'SUCCESS' }),
    }));
    const { client } = makeClient({
      baseUrl: dropper.url,
      backupBaseUrl: backup.url,
    });
    try {
      expect(
        (await client.call(PATH, { out_trade_no: 'A123456' })).baseUrl,
      ).toBe(backup.url);
    } finally {
      await client.close();
    }
  });

  it('throws a NetworkError naming the timeout when the only host hangs', async () => {
    const silent = await localServer(() => 'hang');
    const { client } = makeClient({ baseUrl: silent.url, timeoutMs: 200 });
    try {
      const error = await client
        .call(PATH, { out_trade_no: 'A123456' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(PayNetworkError);
      expect(error).toMatchObject({ timeoutMs: 200, attempts: 1 });
      expect(error.message).toContain('timed out after 200 ms');
    } finally {
      await client.close();
    }
  });
});

describe('PayClient.raw (bill bodies)', () => {
  const BILL =
    '交易时间,公众账号ID\n`2024-06-10 14:13:20,`wx0123456789abcdef\n';

  it('returns a text bill as text', async () => {
    const agent = mockAgent();
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/downloadbill', method: 'POST' })
      .reply(200, BILL);
    const { client } = makeClient({ dispatcher: agent });
    const result = await client.raw('/pay/downloadbill', {
      bill_date: '20240610',
    });
    expect(result).toMatchObject({ gzip: false, text: BILL });
  });

  it('decompresses a gzip bill and keeps the raw bytes', async () => {
    const agent = mockAgent();
    const gz = gzipSync(Buffer.from(BILL));
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/downloadfundflow', method: 'POST' })
      .reply(200, gz, { headers: { digest: 'SHA=abc' } });
    const { client } = makeClient({ dispatcher: agent });
    const result = await client.raw(
      '/pay/downloadfundflow',
      { bill_date: '20240610', account_type: 'Basic', tar_type: 'GZIP' },
      { signType: 'HMAC-SHA256', cert: true },
    );
    expect(result.gzip).toBe(true);
    expect(result.body.equals(gz)).toBe(true);
    expect(result.text).toBe(BILL);
    expect(result.digest).toBe('SHA=abc');
    expect(result.request.params.sign_type).toBe('HMAC-SHA256');
  });

  it.each(['No Bill Exist', 'NO Bill Exist', 'no bill exist'])(
    'reads the XML error "%s" as class no_bill',
    async (msg) => {
      const agent = mockAgent();
      agent
        .get(PRIMARY)
        .intercept({ path: '/pay/downloadbill', method: 'POST' })
        .reply(
          200,
          `<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[${msg}]]></return_msg><error_code><![CDATA[20002]]></error_code></xml>`,
        );
      const { client } = makeClient({ dispatcher: agent });
      const error = await client
        .raw('/pay/downloadbill', { bill_date: '20240610' })
        .catch((e) => e);
      expect(error).toMatchObject({
        errorClass: 'no_bill',
        errCode: msg,
        errCodeDes: '20002',
        retryable: false,
      });
    },
  );

  it('detects an XML error even when a gzip bill was requested', async () => {
    const agent = mockAgent();
    const xml =
      '<xml><return_code>FAIL</return_code><return_msg>Bill Creating</return_msg></xml>';
    agent
      .get(PRIMARY)
      .intercept({ path: '/pay/downloadbill', method: 'POST' })
      .reply(200, xml);
    const { client } = makeClient({ dispatcher: agent });
    const error = await client
      .raw('/pay/downloadbill', { bill_date: '20240610', tar_type: 'GZIP' })
      .catch((e) => e);
    expect(error).toMatchObject({
      errorClass: 'bill_creating',
      retryable: true,
    });
  });
});
