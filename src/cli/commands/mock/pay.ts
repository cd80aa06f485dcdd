import { fenToYuan } from '../../../core/money.js';
import { DEMO_PROFILE } from '../../../sim/demo.js';
import type { DeliveryResult } from '../../../sim/notify.js';
import type { MarkPaidResult } from '../../../sim/payer.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { onInterrupt } from '../../interrupt.js';
import { parseSeconds, parseSpeed, printAttempt } from './shared.js';

interface PayOptions {
  url?: string;
  mchId?: string;
  sandbox?: boolean;
  notify: boolean;
  speed?: string;
  timeout?: string;
  allowRemoteNotify?: boolean;
}

async function markPaid(
  ctx: Context,
  outTradeNo: string,
  options: PayOptions,
): Promise<MarkPaidResult> {
  const target = { mchId: options.mchId, sandbox: options.sandbox };
  if (options.url) {
    const { SimulatorAdminClient } =
      await import('../../../sim/admin-client.js');
    return new SimulatorAdminClient(options.url).pay(outTradeNo, target);
  }
  const { openSimulator } = await import('../../mock-runtime.js');
  const sim = await openSimulator(ctx);
  return sim.payOrder(outTradeNo, { ...target, notify: false });
}

/** Delivers with WeChat's schedule; Ctrl-C and --timeout stop the waits. */
async function deliver(
  ctx: Context,
  paid: MarkPaidResult,
  options: PayOptions,
): Promise<{ result: DeliveryResult; interrupted: boolean }> {
  const { sendNotification } = await import('../../../sim/notify.js');
  const controller = new AbortController();
  let interrupted = false;
  const off = onInterrupt(() => {
    interrupted = true;
    controller.abort();
  });
  const timeoutMs = options.timeout
    ? parseSeconds(options.timeout, '--timeout')
    : undefined;
  const timer = timeoutMs
    ? setTimeout(() => controller.abort(), timeoutMs)
    : undefined;
  const speed = parseSpeed(options.speed) ?? 1;
  let hinted = speed !== 1;
  try {
    const result = await sendNotification(paid.notification, {
      speed,
      signal: controller.signal,
      allowRemote: options.allowRemoteNotify,
      onAttempt: (attempt) => {
        printAttempt(ctx, attempt);
        if (!hinted && attempt.nextInMs !== undefined) {
          hinted = true;
          ctx.out.info(
            "(That is WeChat's own pace; --speed 60 makes it 60 times faster.)",
          );
        }
      },
    });
    return { result, interrupted };
  } finally {
    off();
    if (timer) clearTimeout(timer);
  }
}

/**
 * `wxpay mock pay`: the user pays. stdout gets the transaction_id (or one
 * JSON document); exit 0 once the notification is acknowledged, 1 when the
 * handler never acknowledged it within the schedule or --timeout.
 */
export const payRun: RunFn<PayOptions> = async (ctx, args, options) => {
  const [outTradeNo] = args;
  parseSpeed(options.speed);
  if (options.timeout) parseSeconds(options.timeout, '--timeout');
  const paid = await markPaid(ctx, outTradeNo, options);
  const { order } = paid;
  ctx.out.success(
    `${order.already_paid ? 'Already paid' : 'Paid'}: ${order.out_trade_no}, ${fenToYuan(order.total_fee)} yuan, transaction_id ${order.transaction_id}.`,
  );
  let delivery: { result: DeliveryResult; interrupted: boolean } | undefined;
  if (!options.notify) {
    ctx.out.info('No notification sent (--no-notify).');
  } else if (order.notify_url === DEMO_PROFILE.notify_url) {
    // The demo profile's notify_url is a placeholder (the discard port).
    ctx.out.warn(
      `The order's notify_url is the demo placeholder ${order.notify_url}; no notification sent. Create orders with --notify-url pointing at your handler.`,
    );
  } else {
    if (order.already_paid) {
      ctx.out.info(
        'Sending its notification again: WeChat sends duplicates too.',
      );
    }
    delivery = await deliver(ctx, paid, options);
  }
  print(ctx, paid, delivery?.result);
  if (!delivery) return 0;
  if (delivery.interrupted) {
    ctx.out.warn(
      `Stopped after ${delivery.result.attempts} attempt(s); the order stays paid.`,
    );
    return 130;
  }
  if (delivery.result.acknowledged) return 0;
  ctx.out.warn(
    delivery.result.stopped === 'aborted'
      ? `The handler did not acknowledge within --timeout ${options.timeout}.`
      : 'The handler never acknowledged the notification.',
  );
  return 1;
};

function print(
  ctx: Context,
  paid: MarkPaidResult,
  result?: DeliveryResult,
): void {
  if (!ctx.out.json) {
    ctx.out.data(paid.order.transaction_id);
    return;
  }
  ctx.out.document({
    ...paid.order,
    notification: result
      ? {
          url: paid.notification.url,
          acknowledged: result.acknowledged,
          attempts: result.attempts,
        }
      : null,
  });
}
