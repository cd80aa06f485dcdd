import { orderQuery } from '../../../core/api/orders.js';
import type { DoctorFinding } from '../../../core/doctor.js';
import { ConfigError, NetworkError, WxPayError } from '../../../core/errors.js';
import { generateOutTradeNo } from '../../../core/fields.js';
import { WeChatApiError } from '../../../core/http/errors.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { withPay } from '../refund/session.js';

export interface ProbeOutcome {
  finding: DoctorFinding;
  exitCode: number;
}

/**
 * Asks orderquery about an order that cannot exist. WeChat checks the
 * signature and the appid/mch_id pair before it looks for the order, so
 * ORDERNOTEXIST proves the key, the sign type and the ids are right without
 * creating anything; SIGNERROR proves the key (or sign type) is wrong.
 */
export async function onlineProbe(ctx: Context): Promise<ProbeOutcome> {
  const outTradeNo = generateOutTradeNo('DR');
  try {
    await withPay(ctx, {}, (client) => orderQuery(client, { outTradeNo }));
    return ok(
      `orderquery on ${outTradeNo} answered with an order; signing works.`,
    );
  } catch (error) {
    return judge(error, outTradeNo);
  }
}

function ok(message: string): ProbeOutcome {
  return { finding: { id: 'online', level: 'ok', message }, exitCode: EXIT.OK };
}

function failed(
  message: string,
  fix: string | undefined,
  exitCode: number,
): ProbeOutcome {
  return { finding: { id: 'online', level: 'fail', message, fix }, exitCode };
}

function judge(error: unknown, outTradeNo: string): ProbeOutcome {
  if (error instanceof WeChatApiError) {
    if (error.errorClass === 'order_not_found') {
      return ok(
        `orderquery on the random out_trade_no ${outTradeNo} answered ORDERNOTEXIST: the API key, sign type, appid and mch_id are right.`,
      );
    }
    if (error.errorClass === 'signature_error') {
      return failed(
        `WeChat refused the signature (${error.errCode}${error.returnMsg ? `, ${error.returnMsg}` : ''}): the API key or the sign type is wrong for this mch_id.`,
        'Copy the API密钥 again from 账户中心 > API安全 (`wxpay config set key`); it is not the AppSecret nor the APIv3 key. `wxpay sign diagnose` explains a given signature.',
        EXIT.CONFIG,
      );
    }
    if (error.errorClass === 'merchant_config') {
      return failed(error.message, error.hint, EXIT.CONFIG);
    }
    return failed(error.message, error.hint, EXIT.NEGATIVE);
  }
  if (error instanceof NetworkError) {
    return failed(
      `Could not reach the API: ${error.message}`,
      error.hint,
      EXIT.NETWORK,
    );
  }
  if (error instanceof ConfigError) {
    return failed(error.message, error.hint, EXIT.CONFIG);
  }
  if (error instanceof WxPayError) {
    return failed(error.message, error.hint, EXIT.NEGATIVE);
  }
  throw error;
}
