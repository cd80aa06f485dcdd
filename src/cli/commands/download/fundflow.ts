import {
  downloadFundflow,
  parseFundflowAccountType,
} from '../../../core/api/bill.js';
import type { RunFn } from '../../command-kit.js';
import { withPay } from '../refund/session.js';
import { requestedDays, type DayOptions } from './days.js';
import { runDownloads } from './run-days.js';

interface FundflowDownloadOptions extends DayOptions {
  accountType?: string;
  gzip?: boolean;
  out?: string;
}

export const fundflowDownloadRun: RunFn<FundflowDownloadOptions> = async (
  ctx,
  _args,
  options,
) => {
  const accountType = parseFundflowAccountType(options.accountType ?? 'Basic');
  const { mock } = await ctx.profile();
  const days = requestedDays(ctx, options, 'fundflow', mock);
  await withPay(ctx, { cert: true }, (client) =>
    runDownloads(ctx, {
      kind: 'fundflow',
      type: accountType,
      days,
      gzip: options.gzip ?? false,
      outDir: options.out ?? '.',
      fetch: (day) =>
        downloadFundflow(client, {
          bill_date: day,
          account_type: accountType,
          gzip: options.gzip,
        }),
    }),
  );
};
