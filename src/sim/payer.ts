import { createHash } from 'node:crypto';
import { ApiError, InputError } from '../core/errors.js';
import { beijingTime, nonceStr, parseBeijingTime } from '../core/fields.js';
import { sign } from '../core/sign.js';
import { buildXml } from '../core/xml.js';
import {
  sandboxKey,
  type MerchantRegistry,
  type SimMerchant,
} from './merchants.js';
import type { OutgoingNotification } from './notify.js';
import {
  existingBook,
  merchantBook,
  newTransactionId,
  own,
  type MerchantBook,
  type SimOrder,
} from './pay/model.js';
import type { StateAccess } from './state-store.js';

/**
 * Playing the payer: what happens at WeChat when the user confirms the
 * payment. The order becomes SUCCESS and a signed payment notification
 * (spec 6) is prepared for its notify_url.
 */

export interface MarkPaidOptions {
  /** The merchant, when several have an order with this number. */
  mchId?: string;
  /** Pay an order made through /sandboxnew/ paths. */
  sandbox?: boolean;
  /** The payer's bank (`bank_type`); default OTHERS. */
  bankType?: string;
}

export interface PaidOrder {
  appid: string;
  mch_id: string;
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  trade_type: string;
  time_end: string;
  notify_url: string;
  /** True when the order was paid before; its notification is sent again. */
  already_paid: boolean;
}

export interface MarkPaidResult {
  order: PaidOrder;
  notification: OutgoingNotification;
}

function payerOpenid(order: SimOrder): string {
  if (order.openid) return order.openid;
  const hash = createHash('sha256')
    .update(`payer:${order.appid}:${order.mch_id}`)
    .digest('base64url');
  return `o${hash.slice(0, 27)}`;
}

function findBook(
  state: Record<string, unknown>,
  merchants: MerchantRegistry,
  outTradeNo: string,
  mchId?: string,
): { book: MerchantBook; merchant: SimMerchant } {
  const candidates = merchants
    .list()
    .filter((m) => mchId === undefined || m.mch_id === mchId)
    .filter((m) => {
      const book = existingBook(state, m.mch_id);
      return book !== undefined && own(book.orders, outTradeNo) !== undefined;
    });
  if (candidates.length === 0) {
    throw new InputError(
      'ORDER_NOT_FOUND',
      `No order ${outTradeNo} in the simulator${mchId ? ` for mch_id ${mchId}` : ''}.`,
      {
        hint: 'Create it first (wxpay order create --mock, or unifiedorder against wxpay mock serve); check --url and the config folder.',
      },
    );
  }
  if (candidates.length > 1) {
    throw new InputError(
      'ORDER_AMBIGUOUS',
      `Several merchants have an order ${outTradeNo}.`,
      { hint: 'Name the merchant with --mch-id.' },
    );
  }
  const merchant = candidates[0];
  return { book: merchantBook(state, merchant.mch_id), merchant };
}

function refuseUnpayable(order: SimOrder, now: Date): void {
  if (order.trade_state === 'CLOSED') {
    throw new ApiError(
      'ORDERCLOSED',
      `Order ${order.out_trade_no} is closed; it cannot be paid.`,
      {
        hint: 'Create a new order with a new out_trade_no.',
      },
    );
  }
  if (order.time_expire && parseBeijingTime(order.time_expire) <= now) {
    throw new ApiError(
      'ORDER_EXPIRED',
      `Order ${order.out_trade_no} expired at ${order.time_expire} (Beijing time); WeChat no longer lets the user pay it.`,
      { hint: 'Create a new order, or a later --expire.' },
    );
  }
}

/** Marks an order paid (or finds it paid) and builds its notification. */
export async function markPaid(
  state: StateAccess,
  now: () => Date,
  merchants: MerchantRegistry,
  outTradeNo: string,
  options: MarkPaidOptions = {},
): Promise<MarkPaidResult> {
  const area = options.sandbox ? 'pay-sandbox' : 'pay';
  return state.update(area, (records) => {
    const { book, merchant } = findBook(
      records,
      merchants,
      outTradeNo,
      options.mchId,
    );
    const order = book.orders[outTradeNo];
    const alreadyPaid =
      order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND';
    if (!alreadyPaid) {
      const moment = now();
      refuseUnpayable(order, moment);
      let id = newTransactionId(moment);
      while (Object.hasOwn(book.transactions, id)) {
        id = newTransactionId(moment);
      }
      order.trade_state = 'SUCCESS';
      order.transaction_id = id;
      order.time_end = beijingTime(moment);
      order.bank_type = options.bankType ?? 'OTHERS';
      order.paid_at = moment.toISOString();
      order.openid = payerOpenid(order);
      book.transactions[id] = order.out_trade_no;
    }
    const key = options.sandbox ? sandboxKey(merchant) : merchant.key;
    return {
      order: {
        appid: order.appid,
        mch_id: order.mch_id,
        out_trade_no: order.out_trade_no,
        transaction_id: order.transaction_id!,
        total_fee: order.total_fee,
        trade_type: order.trade_type,
        time_end: order.time_end!,
        notify_url: order.notify_url,
        already_paid: alreadyPaid,
      },
      notification: paymentNotification(order, key),
    };
  });
}

/**
 * The payment notification (spec 6), signed with the sign type the order
 * was created with. Like WeChat's, it does not say which (no sign_type):
 * a receiver must tell HMAC-SHA256 from MD5 by its own config or the
 * signature's length (case B08).
 */
export function paymentNotification(
  order: SimOrder,
  key: string,
): OutgoingNotification {
  const fields: Record<string, string | number | undefined> = {
    appid: order.appid,
    attach: order.attach,
    bank_type: order.bank_type,
    cash_fee: order.total_fee,
    device_info: order.device_info,
    fee_type: order.fee_type,
    is_subscribe: 'N',
    mch_id: order.mch_id,
    nonce_str: nonceStr(),
    openid: order.openid,
    out_trade_no: order.out_trade_no,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    time_end: order.time_end,
    total_fee: order.total_fee,
    trade_type: order.trade_type,
    transaction_id: order.transaction_id,
  };
  fields.sign = sign(fields, key, order.sign_type);
  return {
    kind: 'payment',
    url: order.notify_url,
    body: buildXml(fields),
    ref: order.out_trade_no,
  };
}
