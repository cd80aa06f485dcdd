import { gzipSync } from 'node:zlib';
import { fenToYuan } from '../../core/money.js';
import type { SimResponse } from '../router.js';
import type { PayHandler } from './context.js';
import {
  beijingDateTime,
  beijingDayOf,
  merchantBook,
  type MerchantBook,
  type SimOrder,
  type SimRefund,
} from './model.js';
import { isTime14, xmlReply } from './protocol.js';

/**
 * downloadbill (spec 4.6 and 5): the trade bill of one Beijing day, built
 * from the simulator's own paid orders and refunds, in the current format
 * (spec 5.1): a header line, one line per payment or refund with every
 * value prefixed by a backtick, then the 7-column summary.
 *
 * The file is UTF-8 with a BOM and CRLF line ends, the shape of case B31.
 * Today's bill is served at once, where WeChat makes it the next morning:
 * that keeps order, pay, refund, download and reconcile runnable in one
 * sitting.
 */

const COMMON = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
];
const REFUND_COLUMNS = [
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
];
const TAIL = ['商品名称', '商户数据包', '手续费', '费率', '订单金额'];

export const BILL_HEADERS: Record<BillType, string[]> = {
  ALL: [...COMMON, ...REFUND_COLUMNS, ...TAIL, '申请退款金额', '费率备注'],
  SUCCESS: [...COMMON, ...TAIL, '费率备注'],
  REFUND: [
    ...COMMON,
    '退款申请时间',
    '退款成功时间',
    ...REFUND_COLUMNS,
    ...TAIL,
    '申请退款金额',
    '费率备注',
  ],
};

/**
 * The summary WeChat prints for current-format bills. The official page
 * shows 4 columns for SUCCESS bills, a real 2019 bill shows these 7 (spec
 * 5.1, UNCONFIRMED); every bill type gets the 7 here.
 */
export const SUMMARY_HEADER = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
];

type BillType = 'ALL' | 'SUCCESS' | 'REFUND';

/** The simulated fee rate, 0.60%: fee in 1e-5 yuan = fen x 6. */
const FEE_RATE = '0.60%';
const FEE_UNITS_PER_FEN = 6;

function feeText(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  return `${sign}${Math.trunc(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`;
}

/** Bill text cannot carry line breaks; WeChat's escaping is unknown. */
function cell(value: string | undefined): string {
  return (value ?? '').replace(/[\r\n]+/g, ' ');
}

interface BillLine {
  at: string;
  values: Record<string, string>;
  settled: number;
  refunded: number;
  fee: number;
  ordered: number;
  requested: number;
}

function orderCells(order: SimOrder): Record<string, string> {
  return {
    公众账号ID: order.appid,
    商户号: order.mch_id,
    特约商户号: '0',
    设备号: cell(order.device_info),
    微信订单号: order.transaction_id ?? '',
    商户订单号: order.out_trade_no,
    用户标识: order.openid ?? '',
    交易类型: order.trade_type,
    付款银行: order.bank_type ?? 'OTHERS',
    货币种类: 'CNY',
    代金券金额: '0.00',
    充值券退款金额: '0.00',
    商品名称: cell(order.body),
    商户数据包: cell(order.attach),
    费率: FEE_RATE,
    费率备注: '',
  };
}

function paymentLine(order: SimOrder): BillLine {
  const fee = order.total_fee * FEE_UNITS_PER_FEN;
  return {
    at: order.paid_at!,
    values: {
      ...orderCells(order),
      交易时间: beijingDateTime(new Date(order.paid_at!)),
      交易状态: 'SUCCESS',
      应结订单金额: fenToYuan(order.total_fee),
      微信退款单号: '0',
      商户退款单号: '0',
      退款金额: '0.00',
      退款类型: '',
      退款状态: '',
      手续费: feeText(fee),
      订单金额: fenToYuan(order.total_fee),
      申请退款金额: '0.00',
    },
    settled: order.total_fee,
    refunded: 0,
    fee,
    ordered: order.total_fee,
    requested: 0,
  };
}

function refundLine(order: SimOrder, refund: SimRefund): BillLine {
  const fee = -refund.refund_fee * FEE_UNITS_PER_FEN;
  const applied = beijingDateTime(new Date(refund.created_at));
  return {
    at: refund.created_at,
    values: {
      ...orderCells(order),
      交易时间: applied,
      交易状态: 'REFUND',
      应结订单金额: '0.00',
      退款申请时间: applied,
      退款成功时间: refund.success_at
        ? beijingDateTime(new Date(refund.success_at))
        : '',
      微信退款单号: refund.refund_id,
      商户退款单号: refund.out_refund_no,
      退款金额: fenToYuan(refund.refund_fee),
      退款类型: 'ORIGINAL',
      退款状态: refund.refund_status,
      手续费: feeText(fee),
      订单金额: '0.00',
      申请退款金额: fenToYuan(refund.refund_fee),
    },
    settled: 0,
    refunded: refund.refund_fee,
    fee,
    ordered: 0,
    requested: refund.refund_fee,
  };
}

/** The lines of one day's bill, oldest first. */
export function billLines(
  book: MerchantBook,
  day: string,
  type: BillType,
): BillLine[] {
  const lines: BillLine[] = [];
  if (type !== 'REFUND') {
    for (const order of Object.values(book.orders)) {
      if (order.paid_at && beijingDayOf(order.paid_at) === day) {
        lines.push(paymentLine(order));
      }
    }
  }
  if (type !== 'SUCCESS') {
    for (const refund of Object.values(book.refunds)) {
      if (beijingDayOf(refund.created_at) === day) {
        lines.push(refundLine(book.orders[refund.out_trade_no], refund));
      }
    }
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at));
}

/** The bill file's text for lines already chosen. */
export function billText(lines: readonly BillLine[], type: BillType): string {
  const header = BILL_HEADERS[type];
  const sum = (pick: (line: BillLine) => number) =>
    lines.reduce((total, line) => total + pick(line), 0);
  const summary = [
    String(lines.length),
    fenToYuan(sum((l) => l.settled)),
    fenToYuan(sum((l) => l.refunded)),
    '0.00',
    feeText(sum((l) => l.fee)),
    fenToYuan(sum((l) => l.ordered)),
    fenToYuan(sum((l) => l.requested)),
  ];
  const tick = (values: string[]) => values.map((v) => `\`${v}`).join(',');
  const out = [
    header.join(','),
    ...lines.map((line) => tick(header.map((name) => line.values[name] ?? ''))),
    SUMMARY_HEADER.join(','),
    tick(summary),
  ];
  return `\uFEFF${out.join('\r\n')}\r\n`;
}

/** What WeChat answers when a day has no bill (spec 4.6; case B30). */
export function noBillExist(): SimResponse {
  return xmlReply({
    return_code: 'FAIL',
    return_msg: 'No Bill Exist',
    error_code: '20002',
  });
}

function billFail(message: string): SimResponse {
  return xmlReply({ return_code: 'FAIL', return_msg: message });
}

/** A real calendar day as `yyyyMMdd`. */
export function isBillDate(value: string): boolean {
  return /^\d{8}$/.test(value) && isTime14(`${value}000000`);
}

export function fileReply(text: string, gzip: boolean): SimResponse {
  const plain = Buffer.from(text, 'utf8');
  return gzip
    ? {
        status: 200,
        headers: { 'content-type': 'application/x-gzip' },
        body: gzipSync(plain),
      }
    : {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: plain,
      };
}

export const downloadBill: PayHandler = async ({
  call,
  state: store,
  area,
}) => {
  const f = call.fields;
  if (!f.bill_date) return billFail('missing parameter');
  if (!isBillDate(f.bill_date)) return billFail('data format error');
  const billType = f.bill_type || 'ALL';
  if (!/^(ALL|SUCCESS|REFUND|RECHARGE_REFUND)$/.test(billType)) {
    return billFail('invalid bill_type');
  }
  if (f.tar_type && f.tar_type !== 'GZIP') return billFail('invalid tar_type');
  // No recharge coupons exist in the simulator, so no RECHARGE_REFUND bill.
  if (billType === 'RECHARGE_REFUND') return noBillExist();
  const lines = await store.read(area, (state) =>
    billLines(
      merchantBook(state, call.merchant.mch_id),
      f.bill_date,
      billType as BillType,
    ),
  );
  if (lines.length === 0) return noBillExist();
  return fileReply(
    billText(lines, billType as BillType),
    f.tar_type === 'GZIP',
  );
};
