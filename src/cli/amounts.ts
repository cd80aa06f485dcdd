import { fenToYuan } from '../core/money.js';

/**
 * WeChat's amount fields (total_fee, cash_fee, coupon_fee_0, refund_fee,
 * settlement_total_fee…; not fee_type) and their yuan, for output.
 *
 * `--json` documents keep WeChat's own fields exactly as WeChat sent them:
 * strings of fen (`"total_fee": "1"`). The numbers a script wants sit under
 * a separate `amounts` member: `{ "total_fee": { "fen": 1, "yuan": "0.01" } }`
 * (yuan stays a string: a float cannot hold every amount exactly).
 */
const AMOUNT = /(^|_)fee(_\d+)*$/;

export function isAmountField(name: string, value: string): boolean {
  return AMOUNT.test(name) && /^\d{1,15}$/.test(value);
}

/** The yuan text of an amount field, or '' when it is not one. */
export function yuanOf(name: string, value: string): string {
  return isAmountField(name, value) ? fenToYuan(Number(value)) : '';
}

/** `{ total_fee: { fen: 100, yuan: "1.00" } }` for every amount field. */
export function amounts(
  fields: Record<string, string>,
): Record<string, { fen: number; yuan: string }> {
  const out: Record<string, { fen: number; yuan: string }> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (isAmountField(name, value)) {
      out[name] = { fen: Number(value), yuan: fenToYuan(Number(value)) };
    }
  }
  return out;
}
