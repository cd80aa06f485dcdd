import { createHash } from 'node:crypto';
import { fenToYuan } from '../../core/money.js';
import type { PayHandler } from './context.js';
import {
  beijingDateTime,
  beijingDayOf,
  merchantBook,
  type MerchantBook,
} from './model.js';
import { businessFail, checkFields } from './protocol.js';
import { fileReply, isBillDate } from './bill.js';

/**
 * downloadfundflow (spec 4.7): the Basic account's money movements of one
 * Beijing day, from the simulator's payments (income) and refunds
 * (expense), with the running balance. Only HMAC-SHA256 requests get here.
 * Errors are signed result_code=FAIL answers with NO_BILL_EXIST or
 * PARAM_ERROR, the shape of the TNM schema (the official page shows no
 * example, UNCONFIRMED).
 */

export const FUNDFLOW_HEADER = [
  '记账时间',
  '微信支付业务单号',
  '资金流水单号',
  '业务名称',
  '业务类型',
  '收支类型',
  '收支金额(元)',
  '账户结余(元)',
  '资金变更提交申请人',
  '备注',
  '业务凭证号',
];

export const FUNDFLOW_SUMMARY_HEADER = [
  '资金流水总笔数',
  '收入笔数',
  '收入金额',
  '支出笔数',
  '支出金额',
];

interface Movement {
  at: string;
  businessNo: string;
  name: string;
  income: boolean;
  fen: number;
  note: string;
  voucher: string;
}

function movements(book: MerchantBook): Movement[] {
  const all: Movement[] = [];
  for (const order of Object.values(book.orders)) {
    if (!order.paid_at) continue;
    all.push({
      at: order.paid_at,
      businessNo: order.transaction_id!,
      name: '交易',
      income: true,
      fen: order.total_fee,
      note: '',
      voucher: '',
    });
  }
  for (const refund of Object.values(book.refunds)) {
    all.push({
      at: refund.created_at,
      businessNo: refund.refund_id,
      name: '退款',
      income: false,
      fen: refund.refund_fee,
      note: refund.refund_desc ?? '',
      voucher: `REF${refund.transaction_id}`,
    });
  }
  return all.sort((a, b) => a.at.localeCompare(b.at));
}

/** The fund-flow file of one day, or undefined when nothing moved. */
export function fundflowText(
  book: MerchantBook,
  mchId: string,
  day: string,
): string | undefined {
  let balance = 0;
  const rows: string[] = [];
  let income = 0;
  let incomeCount = 0;
  let expense = 0;
  for (const m of movements(book)) {
    balance += m.income ? m.fen : -m.fen;
    if (beijingDayOf(m.at) !== day) continue;
    if (m.income) {
      income += m.fen;
      incomeCount += 1;
    } else {
      expense += m.fen;
    }
    const values = [
      beijingDateTime(new Date(m.at)),
      m.businessNo,
      flowNumber(mchId, day, m.businessNo),
      m.name,
      m.name,
      m.income ? '收入' : '支出',
      fenToYuan(m.fen),
      fenToYuan(balance),
      'system',
      m.note.replace(/[\r\n,]+/g, ' '),
      m.voucher,
    ];
    rows.push(values.map((v) => `\`${v}`).join(','));
  }
  if (rows.length === 0) return undefined;
  // The official sample writes the counts with ".0" (spec 4.7).
  const totals = [
    `${rows.length}.0`,
    `${incomeCount}.0`,
    fenToYuan(income),
    `${rows.length - incomeCount}.0`,
    fenToYuan(expense),
  ];
  const lines = [
    FUNDFLOW_HEADER.join(','),
    ...rows,
    FUNDFLOW_SUMMARY_HEADER.join(','),
    totals.map((v) => `\`${v}`).join(','),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A 28-digit flow number, stable for one movement. */
function flowNumber(mchId: string, day: string, businessNo: string): string {
  const hash = createHash('sha1').update(businessNo).digest();
  const tail = String(hash.readUInt32BE(0)).padStart(10, '0');
  return `${mchId.padStart(10, '0').slice(-10)}${day}${tail}`;
}

export const downloadFundflow: PayHandler = async ({
  call,
  state: store,
  area,
}) => {
  const refused = checkFields(call, [
    { name: 'bill_date', required: true },
    { name: 'account_type', required: true },
  ]);
  if (refused) return refused;
  const f = call.fields;
  if (!isBillDate(f.bill_date)) {
    return businessFail(call, 'PARAM_ERROR', 'bill_date格式错误');
  }
  if (!/^(Basic|Operation|Fees)$/.test(f.account_type)) {
    return businessFail(call, 'PARAM_ERROR', 'account_type参数错误');
  }
  if (f.tar_type && f.tar_type !== 'GZIP') {
    return businessFail(call, 'PARAM_ERROR', 'tar_type参数错误');
  }
  const text =
    f.account_type === 'Basic'
      ? await store.read(area, (state) =>
          fundflowText(
            merchantBook(state, call.merchant.mch_id),
            call.merchant.mch_id,
            f.bill_date,
          ),
        )
      : undefined;
  if (text === undefined) {
    return businessFail(call, 'NO_BILL_EXIST', 'No Bill Exist');
  }
  const reply = fileReply(text, f.tar_type === 'GZIP');
  // WeChat sends a SHA-1 digest of the file for integrity (spec 4.7).
  const digest = createHash('sha1').update(reply.body).digest('hex');
  return { ...reply, headers: { ...reply.headers, digest: `SHA=${digest}` } };
};
