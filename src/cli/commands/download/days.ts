import { UsageError } from '../../../core/errors.js';
import {
  checkBillDays,
  dayRange,
  parseBillDate,
} from '../../../core/download/index.js';
import { isLoopbackHost } from '../../../sim/notify.js';
import type { Context } from '../../context.js';

export interface DayOptions {
  date?: string;
  from?: string;
  to?: string;
}

/**
 * The days asked for: --date D, or --from D --to D (--to defaults to
 * --from). Checked against what WeChat keeps before anything is sent.
 * Today is allowed against a simulator, which bills today's orders at
 * once: --mock, or a profile whose base_url is on this machine (`wxpay
 * mock serve`); WeChat itself is never on a loopback address.
 */
export async function requestedDays(
  ctx: Context,
  options: DayOptions,
  kind: 'trade' | 'fundflow',
): Promise<string[]> {
  if (options.date && (options.from || options.to)) {
    throw new UsageError(
      'BILL_DATES_TWICE',
      'Give --date, or --from and --to, not both.',
    );
  }
  let days: string[];
  if (options.date) {
    days = [parseBillDate(options.date)];
  } else if (options.from) {
    const from = parseBillDate(options.from, '--from');
    days = dayRange(
      from,
      options.to ? parseBillDate(options.to, '--to') : from,
    );
  } else {
    throw new UsageError(
      'BILL_DATE_MISSING',
      'Missing --date YYYYMMDD (or --from YYYYMMDD --to YYYYMMDD).',
      { hint: "Yesterday's bill is ready after 10:00 Beijing time." },
    );
  }
  const { mock, profile } = await ctx.profile();
  const allowToday = mock || isLocalUrl(profile.base_url);
  const checked = checkBillDays(days, ctx.now(), kind, { allowToday });
  for (const notice of checked.notices) ctx.out.warn(notice);
  return checked.days;
}

/** base_url names this machine: a simulator, never WeChat. */
export function isLocalUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
