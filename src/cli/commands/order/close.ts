import { closeOrder } from '../../../core/api/orders.js';
import { orderLedgerKey } from '../../../core/api/unified-order.js';
import { WeChatApiError } from '../../../core/http/errors.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { withPaySession, type PaySession } from '../../pay-session.js';
import { ask } from '../../prompt.js';

export interface CloseOptions {
  outTradeNo?: string;
  timeout?: string;
  keyFile?: string;
}

/** closeorder: "最短调用时间间隔为5分钟" after creation (spec 4.3). */
const CLOSE_AFTER_MS = 5 * 60 * 1000;

async function warnIfTooEarly(
  ctx: Context,
  session: PaySession,
  outTradeNo: string,
): Promise<void> {
  const key = orderLedgerKey(session.client, session.scope, outTradeNo);
  const record = await session.ledger.get(key);
  if (!record) return;
  const ageMs = ctx.now().getTime() - Date.parse(record.created_at);
  if (ageMs < CLOSE_AFTER_MS) {
    ctx.out.warn(
      `The order was created ${Math.round(ageMs / 1000)} s ago; WeChat documents a 5-minute minimum before closing, so it may refuse.`,
    );
  }
}

function printClosed(
  ctx: Context,
  outTradeNo: string,
  alreadyClosed: boolean,
): void {
  if (ctx.out.json) {
    ctx.out.document({
      out_trade_no: outTradeNo,
      trade_state: 'CLOSED',
      already_closed: alreadyClosed,
    });
  } else if (ctx.out.stdoutIsTTY) {
    ctx.out.data(`${ctx.out.color.bold('closed')}  ${outTradeNo}`);
  } else {
    ctx.out.data(`out_trade_no\t${outTradeNo}\ntrade_state\tCLOSED`);
  }
}

export const closeRun: RunFn<CloseOptions> = async (ctx, _args, options) => {
  const outTradeNo =
    options.outTradeNo ??
    (await ask(ctx, {
      flag: '--out-trade-no',
      message: 'out_trade_no to close',
    }));
  return withPaySession(ctx, options, async (session) => {
    await warnIfTooEarly(ctx, session, outTradeNo);
    try {
      await closeOrder(session.client, outTradeNo);
    } catch (error) {
      // The wanted end state is reached either way (spec 4.3 ORDERCLOSED).
      if (
        error instanceof WeChatApiError &&
        error.errorClass === 'order_closed'
      ) {
        ctx.out.warn(`Order ${outTradeNo} was already closed.`);
        printClosed(ctx, outTradeNo, true);
        return 0;
      }
      throw error;
    }
    printClosed(ctx, outTradeNo, false);
    ctx.out.success(
      `Order ${outTradeNo} closed on ${session.target}; it can no longer be paid.`,
    );
    return 0;
  });
};
