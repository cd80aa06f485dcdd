import { nonceStr } from '../../core/fields.js';
import { encryptReqInfo } from '../../core/notify/refund-crypto.js';
import { buildXml } from '../../core/xml.js';
import type { OutgoingNotification } from '../notify.js';
import type { SimResponse } from '../router.js';
import type { PayHandler, PayHandlerInput } from './context.js';
import {
  beijingDateTime,
  merchantBook,
  newRefundId,
  own,
  type MerchantBook,
  type SimOrder,
  type SimRefund,
} from './model.js';
import { findOrder } from './orderquery.js';
import {
  businessFail,
  checkFields,
  FEN,
  OUT_REFUND_NO_CHARS,
  OUT_TRADE_NO_RULE,
  signedReply,
  type FieldRule,
  type PayCall,
} from './protocol.js';

const RULES: readonly FieldRule[] = [
  { name: 'transaction_id', maxChars: 32, format: /^\d+$/ },
  OUT_TRADE_NO_RULE,
  {
    name: 'out_refund_no',
    required: true,
    maxChars: 64,
    format: OUT_REFUND_NO_CHARS,
  },
  { name: 'total_fee', required: true, format: FEN },
  { name: 'refund_fee', required: true, format: FEN },
  { name: 'refund_fee_type', format: /^CNY$/ },
  { name: 'refund_desc', maxChars: 80 },
  {
    name: 'refund_account',
    format: /^REFUND_SOURCE_(UNSETTLED|RECHARGE)_FUNDS$/,
  },
  { name: 'notify_url', maxChars: 256, format: /^https?:\/\/[^?#\s]+$/ },
];

/** WeChat's limit on partial refunds of one order (spec 4.4). */
const MAX_REFUNDS_PER_ORDER = 50;

/**
 * Applies for a refund (spec 4.4). The simulator refunds at once: the
 * refund is SUCCESS when the call returns, and its notification (if a
 * notify_url was given) is sent right away.
 */
export const refund: PayHandler = async (input) => {
  const { call } = input;
  const refused = checkFields(call, RULES);
  if (refused) return refused;
  if (!call.fields.transaction_id && !call.fields.out_trade_no) {
    return businessFail(
      call,
      'LACK_PARAMS',
      '缺少参数transaction_id或out_trade_no',
    );
  }
  const outcome = await input.state.update(input.area, (state) =>
    applyRefund(input, merchantBook(state, call.merchant.mch_id)),
  );
  if (outcome.notification) input.env.notifyInBackground(outcome.notification);
  return outcome.reply;
};

interface RefundOutcome {
  reply: SimResponse;
  notification?: OutgoingNotification;
}

function applyRefund(
  input: PayHandlerInput,
  book: MerchantBook,
): RefundOutcome {
  const { call } = input;
  const f = call.fields;
  const totalFee = Number(f.total_fee);
  const refundFee = Number(f.refund_fee);
  const order = findOrder(book, f);
  const previous = own(book.refunds, f.out_refund_no);
  if (previous) return { reply: repeatRefund(call, previous, order) };
  if (
    !order ||
    order.trade_state === 'NOTPAY' ||
    order.trade_state === 'CLOSED'
  ) {
    return { reply: businessFail(call, 'ORDERNOTEXIST', '订单不存在') };
  }
  const refusal = limitRefusal(call, order, totalFee, refundFee);
  if (refusal) return { reply: refusal };
  const now = input.services.now();
  const record: SimRefund = {
    out_refund_no: f.out_refund_no,
    refund_id: uniqueRefundId(book, now),
    out_trade_no: order.out_trade_no,
    transaction_id: order.transaction_id!,
    total_fee: totalFee,
    refund_fee: refundFee,
    refund_desc: f.refund_desc || undefined,
    refund_account: f.refund_account || 'REFUND_SOURCE_UNSETTLED_FUNDS',
    notify_url: f.notify_url || undefined,
    refund_status: 'SUCCESS',
    created_at: now.toISOString(),
    success_at: now.toISOString(),
  };
  book.refunds[record.out_refund_no] = record;
  book.refundIds[record.refund_id] = record.out_refund_no;
  order.refunds.push(record.out_refund_no);
  order.refunded_fee += refundFee;
  order.trade_state = 'REFUND';
  return {
    reply: refundReply(call, record, order),
    notification: record.notify_url
      ? refundNotification(call, order, record)
      : undefined,
  };
}

/**
 * The same out_refund_no again: WeChat refunds once (spec 4.4), so a retry
 * with the same amounts gets the same refund, and other amounts are
 * REFUND_FEE_MISMATCH.
 */
function repeatRefund(
  call: PayCall,
  previous: SimRefund,
  order: SimOrder | undefined,
): SimResponse {
  if (!order || order.out_trade_no !== previous.out_trade_no) {
    return businessFail(call, 'INVALID_REQUEST', '商户退款单号已用于其他订单');
  }
  if (
    previous.total_fee !== Number(call.fields.total_fee) ||
    previous.refund_fee !== Number(call.fields.refund_fee)
  ) {
    return businessFail(
      call,
      'REFUND_FEE_MISMATCH',
      '订单金额或退款金额与之前请求不一致，请核实后再试',
    );
  }
  return refundReply(call, previous, order);
}

function limitRefusal(
  call: PayCall,
  order: SimOrder,
  totalFee: number,
  refundFee: number,
): SimResponse | undefined {
  if (totalFee !== order.total_fee) {
    return businessFail(
      call,
      'INVALID_REQUEST',
      '订单金额total_fee与原订单金额不一致',
    );
  }
  if (order.refunded_fee >= order.total_fee) {
    return businessFail(call, 'ERROR', '订单已全额退款');
  }
  if (order.refunded_fee + refundFee > order.total_fee) {
    return businessFail(call, 'ERROR', '累计退款金额大于支付金额');
  }
  if (order.refunds.length >= MAX_REFUNDS_PER_ORDER) {
    return businessFail(
      call,
      'ERROR',
      '退款次数超过限制，一笔订单最多退款50次',
    );
  }
  return undefined;
}

function uniqueRefundId(book: MerchantBook, now: Date): string {
  for (;;) {
    const id = newRefundId(now);
    if (!Object.hasOwn(book.refundIds, id)) return id;
  }
}

function refundReply(
  call: PayCall,
  r: SimRefund,
  order: SimOrder,
): SimResponse {
  return signedReply(call, {
    result_code: 'SUCCESS',
    transaction_id: r.transaction_id,
    out_trade_no: r.out_trade_no,
    out_refund_no: r.out_refund_no,
    refund_id: r.refund_id,
    refund_fee: r.refund_fee,
    total_fee: r.total_fee,
    fee_type: order.fee_type,
    cash_fee: order.total_fee,
    cash_refund_fee: r.refund_fee,
  });
}

/**
 * The refund notification (spec 7): no sign; the details travel in
 * req_info, AES-256-ECB encrypted with the MD5 of the key, root `<root>`.
 */
export function refundNotification(
  call: Pick<PayCall, 'key'>,
  order: SimOrder,
  r: SimRefund,
): OutgoingNotification {
  const plain = rootXml({
    out_refund_no: r.out_refund_no,
    out_trade_no: r.out_trade_no,
    refund_account: r.refund_account,
    refund_fee: String(r.refund_fee),
    refund_id: r.refund_id,
    refund_recv_accout: '支付用户零钱',
    refund_request_source: 'API',
    refund_status: r.refund_status,
    settlement_refund_fee: String(r.refund_fee),
    settlement_total_fee: String(r.total_fee),
    success_time: r.success_at ? beijingDateTime(new Date(r.success_at)) : '',
    total_fee: String(r.total_fee),
    transaction_id: r.transaction_id,
  });
  const body = buildXml({
    return_code: 'SUCCESS',
    appid: order.appid,
    mch_id: order.mch_id,
    nonce_str: nonceStr(),
    req_info: encryptReqInfo(plain, call.key),
  });
  return { kind: 'refund', url: r.notify_url!, body, ref: r.out_refund_no };
}

/** `<root>` with one CDATA element per line, as WeChat's plaintext is. */
function rootXml(fields: Record<string, string>): string {
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`);
  return `<root>\n${lines.join('\n')}\n</root>`;
}
