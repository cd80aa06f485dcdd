import { orderQuery, type OrderQueryResult } from '../../../core/api/orders.js';
import { NetworkError } from '../../../core/errors.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { onInterrupt } from '../../interrupt.js';
import {
  durationFlag,
  withPaySession,
  type PaySession,
} from '../../pay-session.js';
import { ask } from '../../prompt.js';
import { printQuery } from './query-output.js';
import { Spinner } from './spinner.js';

export interface QueryOptions {
  outTradeNo?: string;
  transactionId?: string;
  watch?: boolean;
  interval?: string;
  timeout?: string;
  keyFile?: string;
}

const DEFAULT_WATCH_MS = 5 * 60 * 1000;

async function lookupOf(ctx: Context, options: QueryOptions) {
  if (options.outTradeNo || options.transactionId) {
    return {
      outTradeNo: options.outTradeNo,
      transactionId: options.transactionId,
    };
  }
  const outTradeNo = await ask(ctx, {
    flag: '--out-trade-no (or --transaction-id)',
    message: 'out_trade_no of the order',
  });
  return { outTradeNo };
}

interface WatchOutcome {
  last?: OrderQueryResult;
  reason: 'final' | 'timeout' | 'interrupted';
}

async function watch(
  ctx: Context,
  session: PaySession,
  lookup: { outTradeNo?: string; transactionId?: string },
  options: QueryOptions,
): Promise<WatchOutcome> {
  const limitMs = options.timeout
    ? durationFlag(options.timeout, '--timeout')
    : DEFAULT_WATCH_MS;
  const intervalMs = durationFlag(options.interval ?? '2s', '--interval');
  const started = ctx.now().getTime();
  const spinner = new Spinner(ctx);
  let wake: (() => void) | undefined;
  let interrupted = false;
  const off = onInterrupt(() => {
    interrupted = true;
    wake?.();
  });
  let last: OrderQueryResult | undefined;
  try {
    for (;;) {
      try {
        last = await orderQuery(session.client, lookup);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        ctx.out.warn(`${error.message} Still watching.`);
      }
      if (last?.state.final) return { last, reason: 'final' };
      const elapsed = ctx.now().getTime() - started;
      if (interrupted) return { last, reason: 'interrupted' };
      if (elapsed + intervalMs > limitMs) return { last, reason: 'timeout' };
      spinner.update(
        `${last?.trade_state ?? 'no answer'}: waiting (${Math.round(elapsed / 1000)} s)…`,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (interrupted) return { last, reason: 'interrupted' };
    }
  } finally {
    spinner.stop();
    off();
  }
}

function watchExitCode(
  ctx: Context,
  outcome: WatchOutcome,
  options: QueryOptions,
): number {
  const state = outcome.last?.trade_state ?? 'unknown';
  if (outcome.reason === 'interrupted') {
    ctx.out.info(`Stopped watching; last state ${state}.`);
    return 130;
  }
  if (outcome.reason === 'timeout') {
    ctx.out.warn(
      `Still ${state} after ${options.timeout ?? '5m'}; stopped watching.`,
    );
    return 1;
  }
  return outcome.last?.state.paid ? 0 : 1;
}

export const queryRun: RunFn<QueryOptions> = async (ctx, _args, options) => {
  const lookup = await lookupOf(ctx, options);
  const sessionOptions = {
    keyFile: options.keyFile,
    timeout: options.watch ? undefined : options.timeout,
  };
  return withPaySession(ctx, sessionOptions, async (session) => {
    if (!options.watch) {
      printQuery(ctx, await orderQuery(session.client, lookup));
      return 0;
    }
    const outcome = await watch(ctx, session, lookup, options);
    if (outcome.last) printQuery(ctx, outcome.last);
    return watchExitCode(ctx, outcome, options);
  });
};
