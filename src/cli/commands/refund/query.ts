import {
  refundQuery,
  type RefundLookup,
  type RefundQueryResult,
} from '../../../core/api/refund-query.js';
import { fenToYuan } from '../../../core/money.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { withPay } from './session.js';

interface QueryOptions {
  outTradeNo?: string;
  transactionId?: string;
  outRefundNo?: string;
  refundId?: string;
  timeout?: string;
}

export const queryRun: RunFn<QueryOptions> = async (ctx, _args, options) => {
  const lookup: RefundLookup = {
    out_trade_no: options.outTradeNo,
    transaction_id: options.transactionId,
    out_refund_no: options.outRefundNo,
    refund_id: options.refundId,
  };
  const result = await withPay(ctx, { timeout: options.timeout }, (client) =>
    refundQuery(client, lookup),
  );
  if (ctx.out.json) {
    ctx.out.document({
      ...result.order,
      total_refund_count: String(result.total_refund_count),
      pages: result.pages,
      refunds: result.refunds,
    });
  } else {
    printRefunds(ctx, result);
  }
};

function yuan(fen: string | undefined): string {
  if (!fen || !/^\d+$/.test(fen)) return fen ?? '';
  return `${fen} (${fenToYuan(Number(fen))} yuan)`;
}

/**
 * On a terminal: a header, one line per refund with the amount in yuan and
 * a coloured status, its meaning under it. Piped: tab-separated fields
 * (out_refund_no, refund_id, refund_fee in fen, refund_status,
 * refund_success_time, meaning), no header. Order facts go to stderr.
 */
function printRefunds(ctx: Context, result: RefundQueryResult): void {
  const { order } = result;
  ctx.out.info(
    `Order ${order.out_trade_no ?? ''} (transaction_id ${order.transaction_id ?? '?'}), total_fee ${yuan(order.total_fee)}: ${result.total_refund_count} refund(s).`,
  );
  if (!ctx.out.stdoutIsTTY) {
    for (const refund of result.refunds) {
      ctx.out.data(
        [
          refund.out_refund_no,
          refund.refund_id,
          refund.refund_fee,
          refund.refund_status,
          refund.refund_success_time,
          refund.refund_status_meaning,
        ]
          .map((value) => value ?? '')
          .join('\t'),
      );
    }
    return;
  }
  const { color } = ctx.out;
  const paint: Record<string, (text: string) => string> = {
    SUCCESS: color.green,
    PROCESSING: color.yellow,
    REFUNDCLOSE: color.red,
    CHANGE: color.red,
  };
  ctx.out.data(
    color.bold('out_refund_no  refund_id  refund_fee  refund_status'),
  );
  for (const refund of result.refunds) {
    const status = refund.refund_status ?? '?';
    ctx.out.data(
      [
        refund.out_refund_no,
        refund.refund_id,
        yuan(refund.refund_fee),
        (paint[status] ?? ((text: string) => text))(status),
        refund.refund_success_time,
      ]
        .filter(Boolean)
        .join('  '),
    );
    ctx.out.data(color.dim(`    ${refund.refund_status_meaning}`));
  }
}
