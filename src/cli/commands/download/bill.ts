import { downloadBill, parseDownloadBillType } from '../../../core/api/bill.js';
import type { RunFn } from '../../command-kit.js';
import { withPay } from '../refund/session.js';
import { requestedDays, type DayOptions } from './days.js';
import { runDownloads } from './run-days.js';

interface BillDownloadOptions extends DayOptions {
  type?: string;
  gzip?: boolean;
  out?: string;
}

export const billDownloadRun: RunFn<BillDownloadOptions> = async (
  ctx,
  _args,
  options,
) => {
  const billType = parseDownloadBillType(options.type ?? 'ALL');
  const { mock } = await ctx.profile();
  const days = requestedDays(ctx, options, 'trade', mock);
  await withPay(ctx, {}, (client) =>
    runDownloads(ctx, {
      kind: 'bill',
      type: billType,
      days,
      gzip: options.gzip ?? false,
      outDir: options.out ?? '.',
      fetch: (day) =>
        downloadBill(client, {
          bill_date: day,
          bill_type: billType,
          gzip: options.gzip,
        }),
    }),
  );
};
