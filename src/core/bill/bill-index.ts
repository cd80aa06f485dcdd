import { detach } from './source.js';
import type { BillRow } from './rows.js';

/**
 * What reconciliation keeps of a bill: per out_trade_no, the paid amount,
 * the refunded amount and a few flags, packed in typed arrays behind one
 * Map of out_trade_no → slot. A million orders fit in about 150 MB, where
 * a million row objects would take over a gigabyte.
 */

export const PAID = 1;
export const REFUNDED = 2;
/** Set when the merchant's orders mention this out_trade_no. */
export const SEEN = 4;

/** A duplicate the index noticed while rows were added. */
export interface BillDuplicate {
  out_trade_no: string;
  transaction_id?: string;
  out_refund_no?: string;
  amount: number;
}

/** Digits without a leading zero, 16 to 30 of them (ids are 28). */
const PACKABLE_ID = /^[1-9]\d{15,29}$/;

export class BillIndex {
  readonly slots = new Map<string, number>();
  size = 0;
  paid = new Float64Array(1024);
  refunded = new Float64Array(1024);
  flags = new Uint8Array(1024);
  /**
   * transaction_id packed as two numbers (its digits before and in the last
   * 15 places): 16 bytes where a string takes 60. Ids of another shape are
   * kept as text in `otherIds`.
   */
  private idHigh = new Float64Array(1024).fill(-1);
  private idLow = new Float64Array(1024);
  private readonly otherIds = new Map<number, string>();
  private readonly refundNos = new Set<string>();
  /** Statistics for the report. */
  payments = 0;
  paymentTotal = 0;
  refunds = 0;
  refundTotal = 0;
  otherRows = 0;

  /** Adds one bill row; returns the duplicate it makes, if any. */
  add(row: BillRow): BillDuplicate | undefined {
    if (row.trade_state === 'SUCCESS') return this.addPayment(row);
    if (row.trade_state === 'REFUND') return this.addRefund(row);
    // REVOKED and other states are not money received (spec §5).
    this.otherRows += 1;
    return undefined;
  }

  slotOf(outTradeNo: string): number | undefined {
    return this.slots.get(outTradeNo);
  }

  private slot(outTradeNo: string): number {
    const found = this.slots.get(outTradeNo);
    if (found !== undefined) return found;
    const slot = this.size++;
    if (slot === this.flags.length) this.grow();
    this.slots.set(detach(outTradeNo), slot);
    return slot;
  }

  private addPayment(row: BillRow): BillDuplicate | undefined {
    const slot = this.slot(row.out_trade_no);
    const amount = row.total_fee ?? row.settlement_total_fee;
    if (this.flags[slot] & PAID) {
      return {
        out_trade_no: row.out_trade_no,
        transaction_id: row.transaction_id,
        amount,
      };
    }
    this.flags[slot] |= PAID;
    this.paid[slot] = amount;
    this.setTransactionId(slot, row.transaction_id);
    this.payments += 1;
    this.paymentTotal += amount;
    return undefined;
  }

  private addRefund(row: BillRow): BillDuplicate | undefined {
    const amount = row.refund_fee ?? row.settlement_refund_fee ?? 0;
    const refundNo = row.out_refund_no ?? row.refund_id ?? '';
    if (refundNo !== '' && this.refundNos.has(refundNo)) {
      return {
        out_trade_no: row.out_trade_no,
        out_refund_no: refundNo,
        amount,
      };
    }
    if (refundNo !== '') this.refundNos.add(detach(refundNo));
    const slot = this.slot(row.out_trade_no);
    this.flags[slot] |= REFUNDED;
    this.refunded[slot] += amount;
    if (this.transactionId(slot) === undefined) {
      this.setTransactionId(slot, row.transaction_id);
    }
    this.refunds += 1;
    this.refundTotal += amount;
    return undefined;
  }

  /** The transaction_id of a slot, when the bill gave one. */
  transactionId(slot: number): string | undefined {
    const high = this.idHigh[slot];
    if (high > 0) {
      return `${high}${String(this.idLow[slot]).padStart(15, '0')}`;
    }
    return this.otherIds.get(slot);
  }

  private setTransactionId(slot: number, id: string | undefined) {
    if (!id) return;
    if (PACKABLE_ID.test(id)) {
      this.idHigh[slot] = Number(id.slice(0, -15));
      this.idLow[slot] = Number(id.slice(-15));
    } else {
      this.otherIds.set(slot, detach(id));
    }
  }

  private grow() {
    const size = this.flags.length * 2;
    const paid = new Float64Array(size);
    paid.set(this.paid);
    this.paid = paid;
    const refunded = new Float64Array(size);
    refunded.set(this.refunded);
    this.refunded = refunded;
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
    const idHigh = new Float64Array(size).fill(-1);
    idHigh.set(this.idHigh);
    this.idHigh = idHigh;
    const idLow = new Float64Array(size);
    idLow.set(this.idLow);
    this.idLow = idLow;
  }
}
