import { ApiError, UsageError } from '../errors.js';
import { validateOutTradeNo } from '../fields.js';
import type { PayClient } from '../http/client.js';
import type { Code2Session, PayResult } from '../http/types.js';
import { describeTradeState, type TradeStateInfo } from './trade-state.js';

export const ORDERQUERY_PATH = '/pay/orderquery';
export const CLOSEORDER_PATH = '/pay/closeorder';

export interface OrderLookup {
  outTradeNo?: string;
  transactionId?: string;
}

export interface OrderQueryResult {
  trade_state: string;
  state: TradeStateInfo;
  /** Paid amounts in fen, present once the order is paid. */
  total_fee?: number;
  cash_fee?: number;
  fields: Record<string, string>;
  result: PayResult;
}

function orderLookupFields(ref: OrderLookup): Record<string, string> {
  if (!ref.outTradeNo && !ref.transactionId) {
    throw new UsageError('ORDER_REF_MISSING', 'Name the order to query.', {
      hint: 'Pass --out-trade-no or --transaction-id.',
    });
  }
  // WeChat prefers transaction_id when both are sent (spec 4.2).
  if (ref.transactionId) return { transaction_id: ref.transactionId };
  return { out_trade_no: validateOutTradeNo(ref.outTradeNo!) };
}

function fen(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * orderquery (spec 4.2). Levels 1 and 2 throw on refusal
 * (ORDERNOTEXIST is class `order_not_found`); level 3, trade_state, is the
 * answer: NOTPAY or CLOSED are results, not errors.
 */
export async function orderQuery(
  client: PayClient,
  ref: OrderLookup,
): Promise<OrderQueryResult> {
  const result = await client.call(ORDERQUERY_PATH, orderLookupFields(ref));
  const tradeState = result.tradeState;
  if (!tradeState) {
    throw new ApiError(
      'TRADE_STATE_MISSING',
      'orderquery answered SUCCESS without a trade_state.',
    );
  }
  return {
    trade_state: tradeState,
    state: describeTradeState(tradeState),
    total_fee: fen(result.fields.total_fee),
    cash_fee: fen(result.fields.cash_fee),
    fields: result.fields,
    result,
  };
}

/**
 * closeorder (spec 4.3). ORDERPAID (class `already_paid`) means the order
 * cannot be closed because it is paid; ORDERCLOSED means nothing to do.
 */
export async function closeOrder(
  client: PayClient,
  outTradeNo: string,
): Promise<PayResult> {
  return client.call(CLOSEORDER_PATH, {
    out_trade_no: validateOutTradeNo(outTradeNo),
  });
}

/** jscode2session: the openid behind a wx.login code (spec 9). */
export async function jscode2session(
  client: PayClient,
  code: string,
): Promise<Code2Session> {
  return client.jscode2session(code);
}
