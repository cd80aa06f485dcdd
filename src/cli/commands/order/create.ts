import { orderQuery } from '../../../core/api/orders.js';
import {
  prepareUnifiedOrder,
  sendUnifiedOrder,
  TRADE_TYPES,
  type TradeType,
  type UnifiedOrderInput,
} from '../../../core/api/unified-order.js';
import { UsageError } from '../../../core/errors.js';
import { WeChatApiError } from '../../../core/http/errors.js';
import { parseFen, yuanToFen } from '../../../core/money.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import {
  withPaySession,
  durationFlag,
  type PaySession,
} from '../../pay-session.js';
import { ask } from '../../prompt.js';
import { printCreated, printDryRun } from './create-output.js';
import { printQuery } from './query-output.js';

export interface CreateOptions {
  body?: string;
  amount?: string;
  totalFee?: string;
  outTradeNo?: string;
  tradeType?: string;
  openid?: string;
  jsCode?: string;
  notifyUrl?: string;
  attach?: string;
  expire?: string;
  clientIp?: string;
  productId?: string;
  signType?: string;
  dryRun?: boolean;
  timeout?: string;
  keyFile?: string;
}

function tradeTypeOf(value: string | undefined): TradeType {
  const upper = (value ?? 'JSAPI').trim().toUpperCase();
  if ((TRADE_TYPES as readonly string[]).includes(upper))
    return upper as TradeType;
  throw new UsageError(
    'TRADE_TYPE_INVALID',
    `--trade-type "${value}" is not one of ${TRADE_TYPES.join(', ')}.`,
  );
}

async function amountOf(ctx: Context, options: CreateOptions): Promise<number> {
  if (options.amount !== undefined && options.totalFee !== undefined) {
    throw new UsageError(
      'AMOUNT_TWICE',
      'Give either --amount (yuan) or --total-fee (fen), not both.',
    );
  }
  if (options.totalFee !== undefined)
    return parseFen(options.totalFee, '--total-fee');
  const yuan =
    options.amount ??
    (await ask(ctx, {
      flag: '--amount',
      message: 'Amount in yuan (e.g. 0.01)',
      validate: (v) => validYuan(v),
    }));
  return yuanToFen(yuan);
}

function validYuan(value: string): string | true {
  try {
    yuanToFen(value);
    return true;
  } catch (error) {
    return (error as Error).message;
  }
}

async function payerOpenid(
  ctx: Context,
  session: PaySession,
  options: CreateOptions,
): Promise<string> {
  if (options.openid && options.jsCode) {
    throw new UsageError(
      'PAYER_TWICE',
      'Give either --openid or --js-code, not both.',
    );
  }
  if (options.openid) return options.openid;
  if (options.jsCode) {
    // A code works once: resolving it is a real call, which --dry-run
    // promises not to make.
    if (options.dryRun) {
      throw new UsageError(
        'DRY_RUN_JS_CODE',
        '--dry-run sends nothing, so it cannot resolve --js-code.',
        {
          hint: 'Pass --openid with --dry-run.',
        },
      );
    }
    const { openid } = await session.client.jscode2session(options.jsCode);
    ctx.out.info(`openid ${openid} (from the js_code)`);
    return openid;
  }
  return ask(ctx, { flag: '--openid (or --js-code)', message: 'Payer openid' });
}

async function orderInput(
  ctx: Context,
  session: PaySession,
  options: CreateOptions,
): Promise<UnifiedOrderInput> {
  const tradeType = tradeTypeOf(options.tradeType);
  const body =
    options.body ??
    (await ask(ctx, { flag: '--body', message: 'Product description (body)' }));
  const totalFee = await amountOf(ctx, options);
  const openid =
    tradeType === 'JSAPI'
      ? await payerOpenid(ctx, session, options)
      : options.openid;
  const notifyUrl =
    options.notifyUrl ??
    session.profile.notify_url ??
    (await ask(ctx, {
      flag: '--notify-url',
      message: 'Notification URL (notify_url)',
    }));
  return {
    body,
    totalFee,
    tradeType,
    openid,
    notifyUrl,
    outTradeNo: options.outTradeNo,
    attach: options.attach,
    expiresInMs: options.expire
      ? durationFlag(options.expire, '--expire')
      : undefined,
    clientIp: options.clientIp,
    productId: options.productId,
    now: ctx.now(),
  };
}

/** ORDERPAID is not a failure (case B42): show the order's state instead. */
async function reportAlreadyPaid(
  ctx: Context,
  session: PaySession,
  outTradeNo: string,
): Promise<number> {
  ctx.out.warn(
    `Order ${outTradeNo} is already paid (ORDERPAID); showing its state instead.`,
  );
  const result = await orderQuery(session.client, { outTradeNo });
  printQuery(ctx, result, { already_paid: true });
  return 0;
}

export const createRun: RunFn<CreateOptions> = async (ctx, _args, options) =>
  withPaySession(ctx, options, async (session) => {
    const input = await orderInput(ctx, session, options);
    const ledger = { ledger: session.ledger, scope: session.scope };
    const prepared = await prepareUnifiedOrder(session.client, input, ledger);
    if (options.dryRun) {
      printDryRun(ctx, prepared.request, session);
      return 0;
    }
    try {
      const result = await sendUnifiedOrder(session.client, prepared, ledger);
      await printCreated(ctx, session, result, input.totalFee);
      return 0;
    } catch (error) {
      if (
        error instanceof WeChatApiError &&
        error.errorClass === 'already_paid'
      ) {
        return reportAlreadyPaid(ctx, session, prepared.outTradeNo);
      }
      throw error;
    }
  });
