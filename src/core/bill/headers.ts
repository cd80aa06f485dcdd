import type { BillFormat, BillType } from './columns.js';

/**
 * The header lines WeChat documents, column order exactly as published:
 * current format from the official format page (spec §5.1), legacy from
 * an older copy of the downloadbill page (spec §5.2). The parser does not
 * depend on this order; the generator and the tests use these lines.
 */

const common = (merchant: string, amount: string, coupon: string) =>
  `交易时间,公众账号ID,商户号,${merchant},设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,${amount},${coupon}`;

const CURRENT = common('特约商户号', '应结订单金额', '代金券金额');
const LEGACY = common('子商户号', '总金额', '代金券或立减优惠金额');
const REFUND_CURRENT =
  '微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态';
const REFUND_LEGACY =
  '微信退款单号,商户退款单号,退款金额,代金券或立减优惠退款金额,退款类型,退款状态';
const TAIL = '商品名称,商户数据包,手续费,费率';

export const DETAIL_HEADERS: Record<BillFormat, Record<BillType, string>> = {
  current: {
    ALL: `${CURRENT},${REFUND_CURRENT},${TAIL},订单金额,申请退款金额,费率备注`,
    SUCCESS: `${CURRENT},${TAIL},订单金额,费率备注`,
    REFUND: `${CURRENT},退款申请时间,退款成功时间,${REFUND_CURRENT},${TAIL},订单金额,申请退款金额,费率备注`,
  },
  legacy: {
    ALL: `${LEGACY},${REFUND_LEGACY},${TAIL}`,
    SUCCESS: `${LEGACY},${TAIL}`,
    REFUND: `${LEGACY},退款申请时间,退款成功时间,${REFUND_LEGACY},${TAIL}`,
  },
};

/** Summary shapes: 7 columns (ALL, REFUND, some SUCCESS), 4, and legacy 5. */
export const SUMMARY_HEADER_LINES = {
  seven:
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  four: '总交易单数,应结订单总金额,手续费总金额,订单总金额',
  legacy:
    '总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额',
} as const;

export type SummaryShape = keyof typeof SUMMARY_HEADER_LINES;

/** The summary shape WeChat documents for a bill type and format. */
export function documentedSummaryShape(
  format: BillFormat,
  type: BillType,
): SummaryShape {
  if (format === 'legacy') return 'legacy';
  return type === 'SUCCESS' ? 'four' : 'seven';
}
