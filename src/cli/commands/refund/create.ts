import {
  refund,
  refundFields,
  type RefundRequest,
} from '../../../core/api/refund.js';
import {
  ApiError,
  NetworkError,
  UsageError,
  WxPayError,
} from '../../../core/errors.js';
import {
  generateOutTradeNo,
  validateOutRefundNo,
} from '../../../core/fields.js';
import { fenToYuan, parseFen, yuanToFen } from '../../../core/money.js';
import { amounts } from '../../amounts.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { rewrapError } from '../../rewrap-error.js';
import { confirm } from '../../prompt.js';
import { withPay } from './session.js';

export interface CreateOptions {
  outTradeNo?: string;
  transactionId?: string;
  outRefundNo?: string;
  total?: string;
  totalFee?: string;
  refund?: string;
  refundFee?: string;
  reason?: string;
  notifyUrl?: string;
  refundAccount?: string;
  yes?: boolean;
  timeout?: string;
}

export const createRun: RunFn<CreateOptions> = async (ctx, _args, options) => {
  const request = refundRequest(options);
  const session = { cert: true, timeout: options.timeout };
  return withPay(ctx, session, async (client, { mchId }) => {
    if (!(await confirmed(ctx, request, mchId, options.yes))) {
      ctx.out.warn('Refund not sent: not confirmed.');
      return EXIT.NEGATIVE;
    }
    // Said only now: from here on the request may reach WeChat, and a
    // retry must reuse the number (spec 4.4). Nothing was sent before.
    if (!options.outRefundNo) {
      ctx.out.info(
        `out_refund_no ${request.out_refund_no} (generated; retry with --out-refund-no ${request.out_refund_no} so WeChat refunds only once)`,
      );
    }
    const accepted = await refund(client, request).catch((error: unknown) => {
      throw withRetryHint(error, request.out_refund_no);
    });
    ctx.out.success(
      `Refund accepted: ${fenToYuan(accepted.refund_fee)} yuan of ${orderLabel(request)}.`,
    );
    if (ctx.out.json) {
      const { sign: _sign, ...fields } = accepted.fields;
      ctx.out.document({
        ...fields,
        out_refund_no: accepted.out_refund_no,
        amounts: amounts(fields),
      });
      return EXIT.OK;
    }
    printAccepted(ctx, accepted);
    return EXIT.OK;
  });
};

/** Reads and checks the flags into a refund, before anything is sent. */
export function refundRequest(options: CreateOptions): RefundRequest {
  if (Boolean(options.outTradeNo) === Boolean(options.transactionId)) {
    throw new UsageError(
      'ORDER_ID_MISSING',
      options.outTradeNo
        ? 'Give --out-trade-no or --transaction-id, not both.'
        : 'Name the order to refund: --out-trade-no or --transaction-id.',
    );
  }
  const request: RefundRequest = {
    order: options.transactionId
      ? { transaction_id: options.transactionId }
      : { out_trade_no: options.outTradeNo! },
    out_refund_no: options.outRefundNo
      ? validateOutRefundNo(options.outRefundNo)
      : generateOutTradeNo('R'),
    total_fee: amount(
      options.total,
      options.totalFee,
      '--total',
      '--total-fee',
    ),
    refund_fee: amount(
      options.refund,
      options.refundFee,
      '--refund',
      '--refund-fee',
    ),
    refund_desc: options.reason,
    notify_url: options.notifyUrl,
    refund_account: refundAccount(options.refundAccount),
  };
  // Amount and length rules are checked now, before the profile is read.
  refundFields(request);
  return request;
}

function amount(
  yuan: string | undefined,
  fen: string | undefined,
  yuanFlag: string,
  fenFlag: string,
): number {
  if (yuan !== undefined && fen !== undefined) {
    throw new UsageError(
      'AMOUNT_TWICE',
      `Give ${yuanFlag} (yuan) or ${fenFlag} (fen), not both.`,
    );
  }
  if (yuan !== undefined) return yuanToFen(yuan);
  if (fen !== undefined) return parseFen(fen, fenFlag);
  throw new UsageError(
    'AMOUNT_MISSING',
    `Missing ${yuanFlag} <yuan> (or ${fenFlag} <fen>).`,
    {
      hint: '--total is the order amount, --refund the amount to give back, e.g. --total 100.00 --refund 25.50.',
    },
  );
}

function refundAccount(
  value: string | undefined,
): RefundRequest['refund_account'] {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  if (upper === 'UNSETTLED' || upper === 'REFUND_SOURCE_UNSETTLED_FUNDS') {
    return 'REFUND_SOURCE_UNSETTLED_FUNDS';
  }
  if (upper === 'RECHARGE' || upper === 'REFUND_SOURCE_RECHARGE_FUNDS') {
    return 'REFUND_SOURCE_RECHARGE_FUNDS';
  }
  throw new UsageError(
    'REFUND_ACCOUNT_INVALID',
    `--refund-account "${value}" is not unsettled or recharge.`,
  );
}

function orderLabel(request: RefundRequest): string {
  return request.order.transaction_id
    ? `transaction_id ${request.order.transaction_id}`
    : `out_trade_no ${request.order.out_trade_no}`;
}

/**
 * A refund moves money: on a terminal it is confirmed first; in a script
 * the caller says so with --yes. Never assumed.
 */
async function confirmed(
  ctx: Context,
  request: RefundRequest,
  mchId: string,
  yes: boolean | undefined,
): Promise<boolean> {
  if (yes) return true;
  if (!ctx.canPrompt) {
    throw new UsageError(
      'CONFIRMATION_NEEDED',
      'A refund moves money and needs confirmation: pass --yes to refund without a prompt.',
      { hint: 'Prompts appear only when stdin and stdout are terminals.' },
    );
  }
  return confirm(ctx, {
    flag: '--yes',
    message: `Refund ${fenToYuan(request.refund_fee)} yuan of ${orderLabel(request)} (order total ${fenToYuan(request.total_fee)} yuan) for merchant ${mchId}, out_refund_no ${request.out_refund_no}?`,
    default: false,
  });
}

/**
 * After a timeout or SYSTEMERROR the refund may have been accepted: the
 * safe retry re-sends the same out_refund_no (spec 4.4), so say it.
 */
function withRetryHint(error: unknown, outRefundNo: string): unknown {
  const retryable =
    error instanceof NetworkError ||
    (error instanceof ApiError &&
      (error as { retryable?: boolean }).retryable === true);
  if (!retryable || !(error instanceof WxPayError)) return error;
  const hint = `The refund may have been accepted. Retry with --out-refund-no ${outRefundNo} (WeChat refunds one out_refund_no only once), or check: wxpay refund query --out-refund-no ${outRefundNo}`;
  return rewrapError(error, { hint, details: { out_refund_no: outRefundNo } });
}

/** Name and value per line: tab-separated fen when piped, yuan on a terminal. */
function printAccepted(
  ctx: Context,
  accepted: Awaited<ReturnType<typeof refund>>,
): void {
  const tty = ctx.out.stdoutIsTTY;
  const money = (fen: number) =>
    tty ? `${fen} (${fenToYuan(fen)} yuan)` : String(fen);
  const rows: [string, string | undefined][] = [
    ['out_refund_no', accepted.out_refund_no],
    ['refund_id', accepted.refund_id],
    ['out_trade_no', accepted.out_trade_no],
    ['transaction_id', accepted.transaction_id],
    ['refund_fee', money(accepted.refund_fee)],
    ['total_fee', money(accepted.total_fee)],
  ];
  for (const [name, value] of rows) {
    if (value)
      ctx.out.data(tty ? `${name.padEnd(15)}${value}` : `${name}\t${value}`);
  }
  ctx.out.info(
    `Accepted is not refunded yet: follow it with \`wxpay refund query --out-refund-no ${accepted.out_refund_no}\` or the refund notification.`,
  );
}
