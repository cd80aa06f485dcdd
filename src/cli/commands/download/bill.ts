import { parseDownloadBillType, saveBill } from '../../../core/api/bill.js';
import type { RunFn } from '../../command-kit.js';
import { withPay } from '../refund/session.js';
import { requestedDays, type DayOptions } from './days.js';
import { runDownloads } from './run-days.js';

interface BillDownloadOptions extends DayOptions {
  type?: string;
  gzip?: boolean;
  out?: string;
  timeout?: string;
}

export const billDownloadRun: RunFn<BillDownloadOptions> = async (
  ctx,
  _args,
  options,
) => {
  const billType = parseDownloadBillType(options.type ?? 'ALL');
  const days = await requestedDays(ctx, options, 'trade');
  await withPay(ctx, { timeout: options.timeout }, (client) =>
    runDownloads(ctx, {
      kind: 'bill',
      type: billType,
      days,
      outDir: options.out ?? '.',
      save: (day, dir) =>
        saveBill(
          client,
          { bill_date: day, bill_type: billType, gzip: options.gzip },
          dir,
        ),
    }),
  );
};
