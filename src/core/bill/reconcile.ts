import { describeTradeState } from '../api/trade-state.js';
import { BillIndex, PAID, REFUNDED, SEEN } from './bill-index.js';
import {
  DISCREPANCY_CATEGORIES,
  type DiscrepancyCategory,
} from './categories.js';
import { describeFailures, type BillChecks } from './checks.js';
import { detach } from './source.js';
import type { MerchantOrder, OrdersReader } from './orders.js';
import type { NoBill, TradeBill } from './parse.js';

/**
 * Compares one day's bill with the merchant's orders (spec §5: a bill holds
 * the payments that succeeded that day and the refunds started that day).
 * The bill is indexed first, compactly; the orders are then streamed past
 * the index, so neither file is ever held in memory.
 */

/** One difference; amounts in fen. */
export interface Finding {
  category: DiscrepancyCategory;
  out_trade_no: string;
  transaction_id?: string;
  out_refund_no?: string;
  /** The bill's amount: paid, or refunded for refund categories. */
  bill_amount?: number;
  /** The orders' amount: paid, or refunded for refund categories. */
  order_amount?: number;
  /** bill_amount − order_amount, when both are known. */
  difference?: number;
  /** Line in the orders file. */
  order_line?: number;
  note?: string;
}

export interface ReconcileReport {
  /** True when no finding was reported. */
  clean: boolean;
  counts: Record<DiscrepancyCategory, number>;
  bill: {
    no_bill: boolean;
    bill_type?: string;
    payments: number;
    payment_total: number;
    refunds: number;
    refund_total: number;
    other_rows: number;
    checks?: BillChecks;
  };
  orders: {
    rows: number;
    paid: number;
    paid_total: number;
    columns: Record<string, string | null>;
  };
  /** What could not be compared, and why. */
  notes: string[];
}

export type FindingSink = (finding: Finding) => void | Promise<void>;

/**
 * The bill text reconciliation needs; pass it to openBill as `select` so
 * the bill is read in the fast, compact mode.
 */
export const RECONCILE_FIELDS = [
  'out_trade_no',
  'transaction_id',
  'trade_state',
  'out_refund_no',
  'refund_id',
] as const;

/**
 * Runs the comparison, handing each finding to `onFinding` as soon as it is
 * known (findings are not collected, so their number does not cost
 * memory), and returns the counts.
 */
export async function reconcile(
  bill: TradeBill | NoBill,
  orders: OrdersReader,
  onFinding: FindingSink,
): Promise<ReconcileReport> {
  const run = new Reconciliation(bill, orders, onFinding);
  await run.indexBill();
  await run.compareOrders();
  await run.leftovers();
  return run.report();
}

class Reconciliation {
  private readonly index = new BillIndex();
  private readonly ordersOnly = new Set<string>();
  private readonly counts = Object.fromEntries(
    DISCREPANCY_CATEGORIES.map((category) => [category, 0]),
  ) as Record<DiscrepancyCategory, number>;
  private readonly notes: string[] = [];
  private checks?: BillChecks;
  private readonly coversPayments: boolean;
  private readonly coversRefunds: boolean;
  private orderRows = 0;
  private ordersPaid = 0;
  private ordersPaidTotal = 0;

  constructor(
    private readonly bill: TradeBill | NoBill,
    private readonly orders: OrdersReader,
    private readonly sink: FindingSink,
  ) {
    const type = bill.kind === 'bill' ? bill.layout.bill_type : 'ALL';
    this.coversPayments = type !== 'REFUND';
    this.coversRefunds = type !== 'SUCCESS';
    this.explainCoverage(type);
  }

  private explainCoverage(type: string) {
    const { columns } = this.orders;
    if (!this.coversPayments) {
      this.notes.push('A REFUND bill has no payments: only refunds compared.');
    }
    if (!this.coversRefunds) {
      this.notes.push(`A ${type} bill has no refunds: refunds not compared.`);
    } else if (!columns.refund && !columns.status) {
      this.notes.push(
        'The orders have no refund or status column: refunds not compared (--map refund=COLUMN).',
      );
    }
    if (!columns.amount) {
      this.notes.push(
        'The orders have no amount column: amounts not compared (--map amount=COLUMN).',
      );
    }
    if (!columns.status) {
      this.notes.push(
        'The orders have no status column: every order counts as paid (--map status=COLUMN).',
      );
    }
  }

  /**
   * Reports a finding; `slot` (the bill entry) adds its transaction_id,
   * looked up only now because unpacking it for every order costs time.
   */
  private async emit(found: Finding & { slot?: number }) {
    const { slot, ...finding } = found;
    const transactionId =
      slot === undefined ? undefined : this.index.transactionId(slot);
    this.counts[finding.category] += 1;
    await this.sink(
      transactionId && !finding.transaction_id
        ? { ...finding, transaction_id: transactionId }
        : finding,
    );
  }

  async indexBill() {
    if (this.bill.kind === 'no_bill') return;
    for await (const rows of this.bill.batches()) {
      for (const row of rows) {
        const duplicate = this.index.add(row);
        if (!duplicate) continue;
        const { amount, ...ids } = duplicate;
        await this.emit({
          category: 'duplicate_in_bill',
          ...ids,
          bill_amount: amount,
          note: ids.out_refund_no
            ? 'the same refund is listed twice'
            : 'the same payment is listed twice',
        });
      }
    }
    this.checks = this.bill.totals().checks;
    if (!this.checks.ok) {
      for (const failure of describeFailures(this.checks)) {
        await this.emit({
          category: 'bill_summary_mismatch',
          out_trade_no: '',
          note: failure,
        });
      }
    }
  }

  async compareOrders() {
    for await (const batch of this.orders.batches()) {
      for (const order of batch) await this.compare(order);
    }
  }

  private async compare(order: MerchantOrder) {
    this.orderRows += 1;
    const slot = this.index.slotOf(order.out_trade_no);
    if (this.isDuplicate(order, slot)) {
      await this.emit({
        category: 'duplicate_in_orders',
        out_trade_no: order.out_trade_no,
        order_amount: order.amount,
        order_line: order.line,
        note: 'the same out_trade_no appears again',
      });
      return;
    }
    // SUCCESS and REFUND: the payment itself succeeded (spec §3).
    const paid =
      order.state === undefined || describeTradeState(order.state).paid;
    if (paid) {
      this.ordersPaid += 1;
      this.ordersPaidTotal += order.amount ?? 0;
    }
    if (this.coversPayments) await this.comparePayment(order, slot, paid);
    if (this.coversRefunds) await this.compareRefund(order, slot);
  }

  /** Marks the order seen; true when it was seen before. */
  private isDuplicate(order: MerchantOrder, slot: number | undefined) {
    if (slot !== undefined) {
      const seen = (this.index.flags[slot] & SEEN) !== 0;
      this.index.flags[slot] |= SEEN;
      return seen;
    }
    if (this.ordersOnly.has(order.out_trade_no)) return true;
    this.ordersOnly.add(detach(order.out_trade_no));
    return false;
  }

  private async comparePayment(
    order: MerchantOrder,
    slot: number | undefined,
    paid: boolean,
  ) {
    const flags = slot === undefined ? 0 : this.index.flags[slot];
    const base = this.base(order, slot);
    if (!(flags & PAID)) {
      // Paid on another day and refunded today: the bill lists the refund
      // only, so the payment cannot be missing from it.
      if (paid && !(flags & REFUNDED)) {
        await this.emit({
          ...base,
          category: 'missing_in_bill',
          order_amount: order.amount,
        });
      }
      return;
    }
    const billAmount = this.index.paid[slot!];
    if (!paid) {
      await this.emit({
        ...base,
        category: 'unpaid_in_orders',
        bill_amount: billAmount,
        note: `your status: ${order.state}`,
      });
    } else if (order.amount !== undefined && order.amount !== billAmount) {
      await this.emit({
        ...base,
        category: 'amount_mismatch',
        bill_amount: billAmount,
        order_amount: order.amount,
        difference: billAmount - order.amount,
      });
    }
  }

  private async compareRefund(order: MerchantOrder, slot: number | undefined) {
    const billRefund = slot === undefined ? 0 : this.index.refunded[slot];
    const base = this.base(order, slot);
    if (order.refund !== undefined) {
      if (billRefund === order.refund) return;
      const category: DiscrepancyCategory =
        order.refund === 0
          ? 'refund_only_in_bill'
          : billRefund === 0
            ? 'refund_only_in_orders'
            : 'refund_amount_mismatch';
      await this.emit({
        ...base,
        category,
        bill_amount: billRefund,
        order_amount: order.refund,
        difference: billRefund - order.refund,
      });
      return;
    }
    if (order.state === undefined) return;
    const refundedHere = order.state === 'REFUND';
    if (billRefund > 0 && !refundedHere) {
      await this.emit({
        ...base,
        category: 'refund_only_in_bill',
        bill_amount: billRefund,
        note: `your status: ${order.state}`,
      });
    } else if (billRefund === 0 && refundedHere) {
      await this.emit({
        ...base,
        category: 'refund_only_in_orders',
        note: 'your status: REFUND (no refund column to compare amounts)',
      });
    }
  }

  private base(order: MerchantOrder, slot: number | undefined) {
    return { out_trade_no: order.out_trade_no, order_line: order.line, slot };
  }

  /** Bill entries no order mentioned. */
  async leftovers() {
    const { index } = this;
    for (const [outTradeNo, slot] of index.slots) {
      const flags = index.flags[slot];
      if (flags & SEEN) continue;
      const transaction_id = index.transactionId(slot);
      if (flags & PAID && this.coversPayments) {
        await this.emit({
          category: 'missing_in_orders',
          out_trade_no: outTradeNo,
          transaction_id,
          bill_amount: index.paid[slot],
        });
      }
      if (flags & REFUNDED && this.coversRefunds) {
        await this.emit({
          category: 'refund_only_in_bill',
          out_trade_no: outTradeNo,
          transaction_id,
          bill_amount: index.refunded[slot],
          note: 'no such order in your records',
        });
      }
    }
  }

  report(): ReconcileReport {
    const { index, orders } = this;
    const total = Object.values(this.counts).reduce((a, b) => a + b, 0);
    return {
      clean: total === 0,
      counts: this.counts,
      bill: {
        no_bill: this.bill.kind === 'no_bill',
        bill_type:
          this.bill.kind === 'bill' ? this.bill.layout.bill_type : undefined,
        payments: index.payments,
        payment_total: index.paymentTotal,
        refunds: index.refunds,
        refund_total: index.refundTotal,
        other_rows: index.otherRows,
        checks: this.checks,
      },
      orders: {
        rows: this.orderRows,
        paid: this.ordersPaid,
        paid_total: this.ordersPaidTotal,
        columns: Object.fromEntries(
          Object.entries(orders.columns).map(([k, v]) => [k, v ?? null]),
        ),
      },
      notes: this.notes,
    };
  }
}
