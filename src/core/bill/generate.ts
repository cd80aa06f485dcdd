import type { BillFormat, BillType } from './columns.js';
import {
  DETAIL_HEADERS,
  documentedSummaryShape,
  SUMMARY_HEADER_LINES,
  type SummaryShape,
} from './headers.js';
import {
  DISCREPANCY_CATEGORIES,
  type DiscrepancyCategory,
} from './categories.js';
import { planOrders, type OrderPlan } from './generate-plan.js';
import { formatUnits } from './amounts.js';

/**
 * A deterministic generator of large trade bills, for tests and the
 * benchmark: the same options always give the same bytes. Rows look like
 * real ones (27 columns, backtick cells, CRLF, a comma inside some 商品名称)
 * and the summary adds up, unless `breakSummary` says otherwise.
 */

export interface GenerateBillOptions {
  /** Merchant orders (payments); refund rows come on top. */
  orders: number;
  seed?: number;
  billType?: BillType;
  format?: BillFormat;
  /** Every n-th order is refunded the same day (default 10; 0 = never). */
  refundEvery?: number;
  /** Override the documented summary shape (e.g. 7 columns on SUCCESS). */
  summaryShape?: SummaryShape;
  /** Discrepancies to plant, by category (see generateOrders). */
  inject?: Partial<Record<DiscrepancyCategory, number>>;
  /** Add this many fen to 应结订单总金额 in the summary. */
  breakSummary?: number;
  /** Leave out the UTF-8 BOM. */
  noBom?: boolean;
}

interface Rec {
  i: number;
  refund: boolean;
  fen: number;
  refundFen: number;
}

const DATE = '2024-01-01';
const CHUNK = 64 * 1024;

const yuan = (fen: number) => formatUnits(fen, 2);

function time(i: number, total: number): string {
  const second = Math.floor((i * 86399) / Math.max(total, 1));
  const hh = String(Math.floor(second / 3600)).padStart(2, '0');
  const mm = String(Math.floor(second / 60) % 60).padStart(2, '0');
  const ss = String(second % 60).padStart(2, '0');
  return `${DATE} ${hh}:${mm}:${ss}`;
}

/** The cells of one record, keyed by Chinese header. */
function cells(rec: Rec, plan: OrderPlan): Record<string, string> {
  const o = plan.order(rec.i);
  const refund = rec.refund;
  const fee = refund ? -rec.refundFen * 6 : rec.fen * 6;
  const at = time(rec.i, plan.count);
  return {
    交易时间: at,
    公众账号ID: 'wx0123456789abcdef',
    商户号: '1900000109',
    特约商户号: '0',
    子商户号: '0',
    设备号: rec.i % 3 === 0 ? 'WEB' : '',
    微信订单号: o.transaction_id,
    商户订单号: o.out_trade_no,
    用户标识: `oTESTopenid${String(rec.i % 100000).padStart(17, '0')}`,
    交易类型: rec.i % 4 === 0 ? 'NATIVE' : 'JSAPI',
    交易状态: refund ? 'REFUND' : 'SUCCESS',
    付款银行: rec.i % 5 === 0 ? 'CMB_CREDIT' : 'OTHERS',
    货币种类: 'CNY',
    应结订单金额: yuan(refund ? 0 : rec.fen),
    总金额: yuan(refund ? 0 : rec.fen),
    代金券金额: '0.00',
    代金券或立减优惠金额: '0.00',
    退款申请时间: refund ? at : '',
    退款成功时间: refund ? at : '',
    微信退款单号: refund ? `5000${o.transaction_id.slice(4)}` : '0',
    商户退款单号: refund ? `R${o.out_trade_no}` : '0',
    退款金额: yuan(refund ? rec.refundFen : 0),
    充值券退款金额: '0.00',
    代金券或立减优惠退款金额: '0.00',
    退款类型: refund ? 'ORIGINAL' : '',
    退款状态: refund ? 'SUCCESS' : '',
    商品名称: rec.i % 7 === 0 ? `测试商品,规格${rec.i % 10}` : '测试商品',
    商户数据包: rec.i % 2 ? '' : `attach-${rec.i}`,
    手续费: formatUnits(fee, 5),
    费率: '0.60%',
    订单金额: yuan(refund ? 0 : rec.fen),
    申请退款金额: yuan(refund ? rec.refundFen : 0),
    费率备注: '',
  };
}

interface Totals {
  count: number;
  settle: number;
  refund: number;
  fee: number;
}

function summaryLines(shape: SummaryShape, t: Totals, broken: number) {
  const values: Record<SummaryShape, (string | number)[]> = {
    seven: [t.count, yuan(t.settle + broken), yuan(t.refund), '0.00'],
    four: [t.count, yuan(t.settle + broken)],
    legacy: [t.count, yuan(t.settle + broken), yuan(t.refund), '0.00'],
  };
  const fee = formatUnits(t.fee, 5);
  const tail: Record<SummaryShape, string[]> = {
    seven: [fee, yuan(t.settle), yuan(t.refund)],
    four: [fee, yuan(t.settle)],
    legacy: [fee],
  };
  const all = [...values[shape], ...tail[shape]];
  return `${SUMMARY_HEADER_LINES[shape]}\r\n\`${all.join(',`')}\r\n`;
}

/** The records a bill holds, in file order, for one plan. */
function* records(plan: OrderPlan, type: BillType): Generator<Rec> {
  for (let i = 0; i < plan.count; i++) {
    const o = plan.order(i);
    if (!o.inBill) continue;
    if (type !== 'REFUND') {
      const copies = o.billDuplicate ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        yield { i, refund: false, fen: o.billFen, refundFen: 0 };
      }
    }
    if (type !== 'SUCCESS' && o.billRefundFen > 0) {
      yield { i, refund: true, fen: o.billFen, refundFen: o.billRefundFen };
    }
  }
}

/** Yields the bill as text chunks of about 64 KiB. */
export function* generateBill(options: GenerateBillOptions): Generator<string> {
  const type = options.billType ?? 'ALL';
  const format = options.format ?? 'current';
  const plan = planOrders(options);
  const headers = DETAIL_HEADERS[format][type].split(',');
  const totals: Totals = { count: 0, settle: 0, refund: 0, fee: 0 };
  let chunk = `${options.noBom ? '' : '\uFEFF'}${headers.join(',')}\r\n`;
  for (const rec of records(plan, type)) {
    const row = cells(rec, plan);
    chunk += `\`${headers.map((h) => row[h]).join(',`')}\r\n`;
    totals.count += 1;
    totals.settle += rec.refund ? 0 : rec.fen;
    totals.refund += rec.refund ? rec.refundFen : 0;
    totals.fee += rec.refund ? -rec.refundFen * 6 : rec.fen * 6;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  const shape = options.summaryShape ?? documentedSummaryShape(format, type);
  yield chunk + summaryLines(shape, totals, options.breakSummary ?? 0);
}

export interface GenerateOrdersOptions extends GenerateBillOptions {
  /** `csv` (default) or `ndjson`. */
  as?: 'csv' | 'ndjson';
  /** Column names in the orders file (default: the canonical names). */
  columns?: Partial<
    Record<'out_trade_no' | 'amount' | 'status' | 'refund', string>
  >;
  /** Status words written for each WeChat state (default: the state). */
  statusWords?: Partial<Record<'SUCCESS' | 'REFUND' | 'NOTPAY', string>>;
  /** Write amounts as yuan strings instead of fen. */
  amountUnit?: 'fen' | 'yuan';
}

/**
 * Yields the merchant's orders matching {@link generateBill} with the same
 * options, with the planted discrepancies. Each planted discrepancy gives
 * exactly one finding of its category in `bill reconcile`.
 */
export function* generateOrders(
  options: GenerateOrdersOptions,
): Generator<string> {
  const plan = planOrders(options);
  const names = {
    out_trade_no: 'out_trade_no',
    amount: 'amount',
    status: 'status',
    refund: 'refund',
    ...options.columns,
  };
  const word = (state: 'SUCCESS' | 'REFUND' | 'NOTPAY') =>
    options.statusWords?.[state] ?? state;
  const money = (fen: number) =>
    options.amountUnit === 'yuan' ? yuan(fen) : String(fen);
  const csv = (options.as ?? 'csv') === 'csv';
  let chunk = csv
    ? `${names.out_trade_no},${names.amount},${names.status},${names.refund},note\n`
    : '';
  for (let i = 0; i < plan.count; i++) {
    const o = plan.order(i);
    if (!o.inOrders) continue;
    const values = [o.out_trade_no, money(o.orderFen), word(o.orderState)];
    values.push(money(o.orderRefundFen));
    const line = csv
      ? `${values.join(',')},"note ${i}, ""quoted"""\n`
      : `${JSON.stringify({
          [names.out_trade_no]: values[0],
          [names.amount]:
            options.amountUnit === 'yuan' ? values[1] : o.orderFen,
          [names.status]: values[2],
          [names.refund]: values[3],
        })}\n`;
    chunk += o.orderDuplicate ? line + line : line;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

export { DISCREPANCY_CATEGORIES, type DiscrepancyCategory };
