import type { SimResponse } from '../router.js';
import type { PayHandler } from './context.js';
import {
  merchantBook,
  own,
  type MerchantBook,
  type SimOrder,
  type TradeState,
} from './model.js';
import {
  businessFail,
  checkFields,
  OUT_TRADE_NO_RULE,
  signedReply,
  type FieldRule,
  type PayCall,
  type ReplyFields,
} from './protocol.js';

const LOOKUP_RULES: readonly FieldRule[] = [
  { name: 'transaction_id', maxChars: 32, format: /^\d+$/ },
  OUT_TRADE_NO_RULE,
];

const STATE_TEXT: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '订单发生过退款，退款详情请查询退款单',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
};

/** transaction_id wins when both are given (spec 4.2). */
export function findOrder(
  book: MerchantBook,
  fields: Record<string, string>,
): SimOrder | undefined {
  if (fields.transaction_id) {
    const outTradeNo = own(book.transactions, fields.transaction_id);
    return outTradeNo === undefined ? undefined : own(book.orders, outTradeNo);
  }
  return own(book.orders, fields.out_trade_no ?? '');
}

function orderNotExist(call: PayCall): SimResponse {
  return businessFail(call, 'ORDERNOTEXIST', 'order not exist');
}

export const orderQuery: PayHandler = async ({ call, state: store, area }) => {
  const refused = checkFields(call, LOOKUP_RULES);
  if (refused) return refused;
  if (!call.fields.transaction_id && !call.fields.out_trade_no) {
    return businessFail(
      call,
      'LACK_PARAMS',
      '缺少参数transaction_id或out_trade_no',
    );
  }
  return store.read(area, (state) => {
    const order = findOrder(
      merchantBook(state, call.merchant.mch_id),
      call.fields,
    );
    if (!order) return orderNotExist(call);
    return signedReply(call, {
      result_code: 'SUCCESS',
      ...queryFields(order),
    });
  });
};

/**
 * What orderquery shows for an order. Unpaid orders carry only the fields
 * WeChat guarantees for them (spec 3): the number, the state and attach.
 */
function queryFields(order: SimOrder): ReplyFields {
  const paid =
    order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND';
  const common: ReplyFields = {
    device_info: order.device_info,
    out_trade_no: order.out_trade_no,
    attach: order.attach,
    trade_state: order.trade_state,
    trade_state_desc: STATE_TEXT[order.trade_state],
  };
  if (!paid) return { ...common, total_fee: order.total_fee };
  return {
    ...common,
    openid: order.openid ?? '',
    is_subscribe: 'N',
    trade_type: order.trade_type,
    bank_type: order.bank_type,
    total_fee: order.total_fee,
    fee_type: order.fee_type,
    cash_fee: order.total_fee,
    cash_fee_type: 'CNY',
    transaction_id: order.transaction_id,
    time_end: order.time_end,
  };
}

export const closeOrder: PayHandler = async ({
  call,
  services,
  state: store,
  area,
}) => {
  const refused = checkFields(call, [{ ...OUT_TRADE_NO_RULE, required: true }]);
  if (refused) return refused;
  return store.update(area, (state) => {
    const book = merchantBook(state, call.merchant.mch_id);
    const order = own(book.orders, call.fields.out_trade_no);
    // ORDERNOTEXIST is listed by WxJava, not on the official table (spec
    // 4.3, UNCONFIRMED); it is the only sensible answer for an unknown order.
    if (!order) return orderNotExist(call);
    if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') {
      return businessFail(call, 'ORDERPAID', '订单已支付，不能发起关单');
    }
    if (order.trade_state === 'CLOSED') {
      return businessFail(call, 'ORDERCLOSED', '订单已关闭，无需继续调用');
    }
    order.trade_state = 'CLOSED';
    order.closed_at = services.now().toISOString();
    return signedReply(call, { result_code: 'SUCCESS', result_msg: 'OK' });
  });
};
