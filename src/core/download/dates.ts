import { UsageError } from '../errors.js';
import { beijingTime } from '../fields.js';

/**
 * Bill dates (spec 4.6, 4.7, 8): `YYYYMMDD` days in Beijing time. A day's
 * bill is generated from 09:00 the next day (fetch after 10:00); trade bills
 * go back 3 months, fund-flow bills to 2017-06-01.
 */

/** The oldest day a fund-flow bill exists for (spec 4.7). */
export const FUNDFLOW_FIRST_DAY = '20170601';

/** The hour (Beijing time) after which yesterday's bill should be ready. */
export const BILL_READY_HOUR = 10;

/** Checks a `YYYYMMDD` calendar date and returns it. */
export function parseBillDate(text: string, flag = '--date'): string {
  const value = text.trim().replace(/-/g, '');
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const date = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (!m || !date || toDay(date) !== value) {
    throw new UsageError(
      'BILL_DATE_INVALID',
      `${flag} "${text}" is not a date; write it as YYYYMMDD, e.g. 20240101.`,
    );
  }
  return value;
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  if (from > to) {
    throw new UsageError(
      'BILL_RANGE_REVERSED',
      `--from ${from} is after --to ${to}.`,
    );
  }
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Today's date in Beijing, `YYYYMMDD`. */
export function beijingToday(now: Date): string {
  return beijingTime(now).slice(0, 8);
}

export function addDays(day: string, count: number): string {
  const date = fromDay(day);
  date.setUTCDate(date.getUTCDate() + count);
  return toDay(date);
}

/**
 * The oldest trade-bill day WeChat still serves: the same calendar day three
 * months back (the official "only the last 3 months"; which exact edge the
 * server applies is not documented, so a day on the edge is still tried).
 */
export function oldestTradeBillDay(now: Date): string {
  const date = fromDay(beijingToday(now));
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - 3);
  const lastOfMonth = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0),
  ).getUTCDate();
  date.setUTCDate(Math.min(day, lastOfMonth));
  return toDay(date);
}

export interface DayCheck {
  /** The days to fetch. */
  days: string[];
  /** Notices for the user (stderr), e.g. yesterday before 10:00. */
  notices: string[];
}

/**
 * Refuses days that cannot have a bill (today, the future, older than the
 * kept history) before any request, and warns when yesterday's bill may not
 * be generated yet. `allowToday` is for the simulator, which makes a bill of
 * today's orders at once so a whole day can be rehearsed offline.
 */
export function checkBillDays(
  days: string[],
  now: Date,
  kind: 'trade' | 'fundflow',
  options: { allowToday?: boolean } = {},
): DayCheck {
  const today = beijingToday(now);
  const latest = options.allowToday ? today : addDays(today, -1);
  const oldest =
    kind === 'trade' ? oldestTradeBillDay(now) : FUNDFLOW_FIRST_DAY;
  const late = days.find((day) => day > latest);
  if (late) {
    throw new UsageError(
      'BILL_DATE_NOT_YET',
      `There is no bill for ${late} yet: a day's bill is generated the next day from 09:00 Beijing time (today is ${today} there).`,
      { hint: `Ask for ${latest} or earlier.` },
    );
  }
  const early = days.find((day) => day < oldest);
  if (early) {
    throw new UsageError(
      'BILL_DATE_TOO_OLD',
      kind === 'trade'
        ? `${early} is older than 3 months; WeChat serves trade bills for the last 3 months only (from ${oldest}).`
        : `${early} is before ${FUNDFLOW_FIRST_DAY}, the first day fund-flow bills exist.`,
      {
        hint:
          kind === 'trade'
            ? 'Older bills can be downloaded in the merchant platform (交易中心 > 交易账单).'
            : `Ask for ${FUNDFLOW_FIRST_DAY} or later.`,
      },
    );
  }
  const notices: string[] = [];
  const hour = Number(beijingTime(now).slice(8, 10));
  if (days.includes(addDays(today, -1)) && hour < BILL_READY_HOUR) {
    notices.push(
      `It is ${String(hour).padStart(2, '0')}:xx in Beijing: the bill for ${addDays(today, -1)} may still be being generated (ready after 10:00).`,
    );
  }
  return { days, notices };
}

function fromDay(day: string): Date {
  return new Date(
    Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8)),
  );
}

function toDay(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}
