import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  downloadBill,
  downloadFundflow,
  parseFundflowAccountType,
  parseDownloadBillType,
} from '../../src/core/api/bill.js';
import { UsageError } from '../../src/core/errors.js';
import { WeChatApiError } from '../../src/core/http/errors.js';
import { verify } from '../../src/core/sign.js';
import { caseJson, fixturePath } from '../helpers/fixtures.js';
import {
  FAKE_MERCHANT,
  fakeClient,
  startFakeWeChat,
} from '../refund/fake-wechat.js';

const B31 = readFileSync(fixturePath('cases', 'B31-bill-all.csv'));
const B33 = readFileSync(fixturePath('cases', 'B33-bill-all.csv.gz'));

function clientFor(url: string, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') {
  return fakeClient(url, { signType, retries: 0 });
}

describe('downloadbill (core)', () => {
  it('returns the bill bytes exactly as sent, BOM included', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B31 }),
    });
    const day = await downloadBill(clientFor(server.url, 'HMAC-SHA256'), {
      bill_date: '20240101',
      bill_type: 'ALL',
    });
    expect(day.status).toBe('bill');
    if (day.status !== 'bill') return;
    expect(day.body.equals(B31)).toBe(true);
    expect(day.gzip).toBe(false);
    const sent = server.requests[0].params;
    expect(sent).toMatchObject({ bill_date: '20240101', bill_type: 'ALL' });
    // MD5 whatever the profile says (HMAC is UNCONFIRMED for downloadbill).
    expect(sent.sign_type).toBeUndefined();
    expect(verify(sent, FAKE_MERCHANT.key, { signType: 'MD5' }).valid).toBe(
      true,
    );
    expect(sent.tar_type).toBeUndefined();
  });

  it('keeps a gzip bill compressed (B33), asking with tar_type=GZIP', async () => {
    const expected = caseJson<{ uncompressed_sha256: string }>(
      'B33-expected.json',
    );
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({ raw: B33 }),
    });
    const day = await downloadBill(clientFor(server.url), {
      bill_date: '20240101',
      gzip: true,
    });
    expect(server.requests[0].params.tar_type).toBe('GZIP');
    if (day.status !== 'bill') throw new Error('expected a bill');
    expect(day.gzip).toBe(true);
    expect(day.body.equals(B33)).toBe(true);
    expect(createHash('sha256').update(B31).digest('hex')).toBe(
      expected.uncompressed_sha256,
    );
  });

  it.each(['B30-nobill.xml', 'B30-nobill-doc-spelling.xml'])(
    'reads %s as an empty day, not an error (B30)',
    async (file) => {
      const server = await startFakeWeChat({
        '/pay/downloadbill': () => ({
          raw: readFileSync(fixturePath('cases', file)),
        }),
      });
      const day = await downloadBill(clientFor(server.url), {
        bill_date: '20240101',
        gzip: true,
      });
      expect(day.status).toBe('no_bill');
      if (day.status === 'no_bill') {
        expect(day.message.toLowerCase()).toBe('no bill exist');
      }
    },
  );

  it('explains Bill Creating: try after 10:00 Beijing time', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadbill': () => ({
        raw: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[Bill Creating]]></return_msg></xml>',
      }),
    });
    const error = await downloadBill(clientFor(server.url), {
      bill_date: '20240101',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).errorClass).toBe('bill_creating');
    expect((error as WeChatApiError).hint).toContain('10:00');
  });

  it('reads bill and account types case-insensitively', () => {
    expect(parseDownloadBillType('recharge_refund')).toBe('RECHARGE_REFUND');
    expect(parseFundflowAccountType('fees')).toBe('Fees');
    expect(() => parseDownloadBillType('REFUNDS')).toThrow(UsageError);
  });
});

describe('downloadfundflow (core)', () => {
  it('signs with HMAC-SHA256 and checks the SHA1 digest header', async () => {
    const bill = Buffer.from(
      '记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号\r\n',
    );
    const sha1 = createHash('sha1').update(bill).digest('hex');
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({
        raw: bill,
        headers: { Digest: `SHA=${sha1}` },
      }),
    });
    const day = await downloadFundflow(clientFor(server.url), {
      bill_date: '20240101',
      account_type: 'Operation',
    });
    const sent = server.requests[0].params;
    expect(sent.sign_type).toBe('HMAC-SHA256');
    expect(sent.account_type).toBe('Operation');
    expect(verify(sent, FAKE_MERCHANT.key).valid).toBe(true);
    if (day.status !== 'bill') throw new Error('expected a bill');
    expect(day.digest).toEqual({ value: sha1, matches: true });
  });

  it('reads NO_BILL_EXIST as an empty day', async () => {
    const server = await startFakeWeChat({
      '/pay/downloadfundflow': () => ({
        fields: {
          result_code: 'FAIL',
          err_code: 'NO_BILL_EXIST',
          err_code_des: '账单不存在',
        },
      }),
    });
    const day = await downloadFundflow(clientFor(server.url), {
      bill_date: '20240101',
    });
    expect(day.status).toBe('no_bill');
  });
});
