import {
  parseFundflowAccountType,
  saveFundflow,
} from '../../../core/api/bill.js';
import type { RunFn } from '../../command-kit.js';
import { withPay } from '../refund/session.js';
import { requestedDays, type DayOptions } from './days.js';
import { runDownloads } from './run-days.js';

interface FundflowDownloadOptions extends DayOptions {
  accountType?: string;
  gzip?: boolean;
  out?: string;
  timeout?: string;
}

export const fundflowDownloadRun: RunFn<FundflowDownloadOptions> = async (
  ctx,
  _args,
  options,
) => {
  const accountType = parseFundflowAccountType(options.accountType ?? 'Basic');
  const days = await requestedDays(ctx, options, 'fundflow');
  await withPay(ctx, { cert: true, timeout: options.timeout }, (client) =>
    runDownloads(ctx, {
      kind: 'fundflow',
      type: accountType,
      days,
      outDir: options.out ?? '.',
      save: (day, dir) =>
        saveFundflow(
          client,
          { bill_date: day, account_type: accountType, gzip: options.gzip },
          dir,
        ),
    }),
  );
};
