import type { SimResponse } from '../router.js';
import type { PayHandler } from './context.js';
import {
  beijingDateTime,
  merchantBook,
  own,
  type MerchantBook,
  type SimOrder,
  type SimRefund,
} from './model.js';
import { findOrder } from './orderquery.js';
import {
  businessFail,
  checkFields,
  OUT_REFUND_NO_CHARS,
  OUT_TRADE_NO_RULE,
  signedReply,
  type FieldRule,
  type PayCall,
  type ReplyFields,
} from './protocol.js';

const RULES: readonly FieldRule[] = [
  { name: 'transaction_id', maxChars: 32, format: /^\d+$/ },
  OUT_TRADE_NO_RULE,
  { name: 'out_refund_no', maxChars: 64, format: OUT_REFUND_NO_CHARS },
  { name: 'refund_id', maxChars: 32, format: /^\d+$/ },
  { name: 'offset', format: /^\d{1,9}$/ },
];

/** Refunds returned per page when querying by order (spec 4.5). */
export const REFUNDS_PER_PAGE = 10;

/**
 * Queries refunds (spec 4.5). By refund number: that refund. By order
 * number: up to 10 refunds from `offset`, with total_refund_count.
 */
export const refundQuery: PayHandler = async ({ call, state: store, area }) => {
  const refused = checkFields(call, RULES);
  if (refused) return refused;
  const f = call.fields;
  if (
    !f.refund_id &&
    !f.out_refund_no &&
    !f.transaction_id &&
    !f.out_trade_no
  ) {
    return businessFail(
      call,
      'LACK_PARAMS',
      '缺少参数：transaction_id、out_trade_no、out_refund_no、refund_id至少填一个',
    );
  }
  return store.read(area, (state) =>
    answer(call, merchantBook(state, call.merchant.mch_id)),
  );
};

function notExist(call: PayCall): SimResponse {
  return businessFail(call, 'REFUNDNOTEXIST', 'not exist');
}

function answer(call: PayCall, book: MerchantBook): SimResponse {
  const f = call.fields;
  // Priority refund_id > out_refund_no > transaction_id > out_trade_no.
  const byRefund = f.refund_id
    ? own(book.refunds, own(book.refundIds, f.refund_id) ?? '')
    : f.out_refund_no
      ? own(book.refunds, f.out_refund_no)
      : undefined;
  if (f.refund_id || f.out_refund_no) {
    if (!byRefund) return notExist(call);
    const order = own(book.orders, byRefund.out_trade_no)!;
    return reply(call, order, [byRefund]);
  }
  const order = findOrder(book, f);
  if (!order || order.refunds.length === 0) return notExist(call);
  const total = order.refunds.length;
  const offset = Number(f.offset || '0');
  if (offset > total) {
    return businessFail(call, 'PARAM_ERROR', 'offset超过退款总笔数');
  }
  const page = order.refunds
    .slice(offset, offset + REFUNDS_PER_PAGE)
    .map((no) => book.refunds[no]);
  return reply(call, order, page, total);
}

function reply(
  call: PayCall,
  order: SimOrder,
  refunds: SimRefund[],
  totalCount?: number,
): SimResponse {
  const fields: ReplyFields = {
    result_code: 'SUCCESS',
    total_refund_count: totalCount,
    transaction_id: order.transaction_id,
    out_trade_no: order.out_trade_no,
    total_fee: order.total_fee,
    fee_type: order.fee_type,
    cash_fee: order.total_fee,
    refund_count: refunds.length,
  };
  refunds.forEach((r, n) => Object.assign(fields, refundFields(r, n)));
  return signedReply(call, fields);
}

/** One refund's `_$n` fields; `$n` counts from 0 (spec 2.3). */
function refundFields(r: SimRefund, n: number): ReplyFields {
  return {
    [`out_refund_no_${n}`]: r.out_refund_no,
    [`refund_id_${n}`]: r.refund_id,
    [`refund_channel_${n}`]: 'ORIGINAL',
    [`refund_fee_${n}`]: r.refund_fee,
    [`settlement_refund_fee_${n}`]: r.refund_fee,
    [`refund_status_${n}`]: r.refund_status,
    [`refund_account_${n}`]: r.refund_account,
    [`refund_recv_accout_${n}`]: '支付用户零钱',
    [`refund_success_time_${n}`]: r.success_at
      ? beijingDateTime(new Date(r.success_at))
      : undefined,
  };
}
