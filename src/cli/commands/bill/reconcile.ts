import {
  openBill,
  openOrders,
  reconcile,
  RECONCILE_FIELDS,
  type ReconcileReport,
} from '../../../core/bill/index.js';
import { UsageError } from '../../../core/errors.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { openByteInput } from './input.js';
import { StdoutWriter } from './out-stream.js';
import {
  billPath,
  findingLimit,
  ordersOptions,
  type ReconcileFlags,
} from './reconcile-options.js';
import { findingWriter } from './reconcile-output.js';

export const reconcileRun: RunFn<ReconcileFlags> = async (
  ctx,
  _args,
  flags,
) => {
  if (!flags.orders) {
    throw new UsageError(
      'ORDERS_MISSING',
      'Give your orders with --orders FILE (CSV or NDJSON).',
    );
  }
  if (flags.csv && ctx.out.json) {
    throw new UsageError(
      'FORMAT_CONFLICT',
      '--json and --csv ask for two outputs; give one.',
    );
  }
  const options = ordersOptions(flags);
  const limit = findingLimit(flags);
  const path = await billPath(flags);
  if (path === '-' && flags.orders === '-') {
    throw new UsageError(
      'STDIN_TWICE',
      'Only one of --bill and --orders can be - (stdin).',
    );
  }
  const bill = await openBill(await openByteInput(ctx, path, '--bill'), {
    select: RECONCILE_FIELDS,
  });
  if (bill.kind === 'no_bill') {
    ctx.out.info(
      `No bill for that day ("${bill.return_msg}"): comparing with an empty day.`,
    );
  }
  const orders = await openOrders(
    await openByteInput(ctx, flags.orders, '--orders'),
    options,
  );
  const out = new StdoutWriter(ctx);
  try {
    const writer = findingWriter(ctx, out, { csv: flags.csv === true, limit });
    const report = await reconcile(bill, orders, (finding) =>
      writer.finding(finding),
    );
    await writer.end(report);
    summarise(ctx, report);
    return report.clean ? 0 : 1;
  } finally {
    out.end();
  }
};

/** One status line on stderr for scripts' logs (the TTY view has its own). */
function summarise(ctx: Context, report: ReconcileReport) {
  if (ctx.out.stdoutIsTTY && !ctx.out.json) return;
  const found = Object.entries(report.counts)
    .filter(([, count]) => count > 0)
    .map(([category, count]) => `${category} ${count}`);
  if (found.length === 0) ctx.out.success('No discrepancies.');
  else ctx.out.warn(`Discrepancies: ${found.join(', ')}.`);
}
