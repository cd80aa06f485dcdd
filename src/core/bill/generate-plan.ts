import { type DiscrepancyCategory } from './categories.js';

/**
 * The orders behind a generated bill, with planted discrepancies. Each
 * order is computed from its index alone (a hash, not a running random
 * sequence), so the bill and the orders file agree without sharing state.
 */

export interface PlannedOrder {
  out_trade_no: string;
  transaction_id: string;
  /** Paid amount in the bill, fen. */
  billFen: number;
  /** Refunded that day in the bill, fen (0 = no refund row). */
  billRefundFen: number;
  inBill: boolean;
  billDuplicate: boolean;
  /** What the merchant's records say. */
  orderFen: number;
  orderRefundFen: number;
  orderState: 'SUCCESS' | 'REFUND' | 'NOTPAY';
  inOrders: boolean;
  orderDuplicate: boolean;
}

export interface OrderPlan {
  count: number;
  order(i: number): PlannedOrder;
}

export interface PlanOptions {
  orders: number;
  seed?: number;
  refundEvery?: number;
  inject?: Partial<Record<DiscrepancyCategory, number>>;
}

/** A 32-bit integer hash of (seed, i): deterministic and well spread. */
function hash(seed: number, i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ seed;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function injectionsByIndex(options: PlanOptions) {
  const wanted = Object.entries(options.inject ?? {}).flatMap(([category, n]) =>
    Array<string>(n ?? 0).fill(category),
  );
  if (wanted.length > options.orders) {
    throw new RangeError('More planted discrepancies than orders.');
  }
  const at = new Map<number, DiscrepancyCategory>();
  wanted.forEach((category, j) => {
    const index = Math.floor(((j + 0.5) * options.orders) / wanted.length);
    at.set(index, category as DiscrepancyCategory);
  });
  return at;
}

export function planOrders(options: PlanOptions): OrderPlan {
  const seed = options.seed ?? 1;
  const every = options.refundEvery ?? 10;
  const injected = injectionsByIndex(options);
  return {
    count: options.orders,
    order(i) {
      const fen = 2 + (hash(seed, i) % 99999);
      const refunded = every > 0 && i % every === every - 1;
      const refund = refunded ? (i % 2 ? fen : Math.ceil(fen / 2)) : 0;
      const base: PlannedOrder = {
        out_trade_no: `WX20240101${String(i).padStart(10, '0')}`,
        transaction_id: `42000012342024010${String(i).padStart(11, '0')}`,
        billFen: fen,
        billRefundFen: refund,
        inBill: true,
        billDuplicate: false,
        orderFen: fen,
        orderRefundFen: refund,
        orderState: refund ? 'REFUND' : 'SUCCESS',
        inOrders: true,
        orderDuplicate: false,
      };
      const category = injected.get(i);
      return category ? plant(base, category) : base;
    },
  };
}

/** Changes a clean order so that it gives one finding of `category`. */
function plant(o: PlannedOrder, category: DiscrepancyCategory): PlannedOrder {
  const clean: PlannedOrder = {
    ...o,
    billRefundFen: 0,
    orderRefundFen: 0,
    orderState: 'SUCCESS',
  };
  const refunded = (bill: number, order: number): PlannedOrder => ({
    ...clean,
    billRefundFen: bill,
    orderRefundFen: order,
    orderState: order ? 'REFUND' : 'SUCCESS',
  });
  switch (category) {
    case 'missing_in_orders':
      return { ...clean, inOrders: false };
    case 'unpaid_in_orders':
      return { ...clean, orderState: 'NOTPAY' };
    case 'missing_in_bill':
      return { ...clean, inBill: false };
    case 'amount_mismatch':
      return { ...clean, orderFen: o.billFen + 1 };
    case 'refund_only_in_bill':
      return refunded(o.billFen, 0);
    case 'refund_only_in_orders':
      return refunded(0, o.billFen);
    case 'refund_amount_mismatch':
      return refunded(o.billFen, o.billFen - 1);
    case 'duplicate_in_bill':
      return { ...clean, billDuplicate: true };
    case 'duplicate_in_orders':
      return { ...clean, orderDuplicate: true };
    default:
      return clean;
  }
}
