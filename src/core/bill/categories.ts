/**
 * What `bill reconcile` reports, one category per kind of difference, so a
 * finance team can route each to its own fix (ship the order, chase the
 * refund, fix a price).
 */
export const DISCREPANCY_CATEGORIES = [
  'missing_in_orders',
  'unpaid_in_orders',
  'missing_in_bill',
  'amount_mismatch',
  'refund_only_in_bill',
  'refund_only_in_orders',
  'refund_amount_mismatch',
  'duplicate_in_bill',
  'duplicate_in_orders',
  'bill_summary_mismatch',
] as const;

export type DiscrepancyCategory = (typeof DISCREPANCY_CATEGORIES)[number];

/** One line per category, for reports and docs. */
export const CATEGORY_MEANING: Record<DiscrepancyCategory, string> = {
  missing_in_orders: 'paid at WeChat, no such order in your records',
  unpaid_in_orders: 'paid at WeChat, not paid in your records',
  missing_in_bill: 'paid in your records, no payment in the bill',
  amount_mismatch: 'paid amount differs',
  refund_only_in_bill: 'refunded at WeChat, no refund in your records',
  refund_only_in_orders: 'refund in your records, none in the bill',
  refund_amount_mismatch: 'refunded amount differs',
  duplicate_in_bill: 'the bill lists the same payment or refund twice',
  duplicate_in_orders: 'your records list the same out_trade_no twice',
  bill_summary_mismatch: 'the bill does not add up to its own summary',
};
