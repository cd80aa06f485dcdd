import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ORDER_FIELDS,
  type OrderField,
  type OrdersOptions,
} from '../../../core/bill/index.js';
import {
  billFileName,
  noBillFileName,
  parseBillDate,
} from '../../../core/download/index.js';
import { UsageError } from '../../../core/errors.js';

/** The flags of `bill reconcile`, as commander gives them. */
export interface ReconcileFlags {
  bill?: string;
  date?: string;
  dir?: string;
  orders?: string;
  ordersFormat?: string;
  map?: string;
  amountUnit?: string;
  statusMap?: string;
  csv?: boolean;
  limit?: string;
}

/** Reads `a=b,c=d` into pairs, naming the flag in any error. */
export function parsePairs(text: string, flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw new UsageError(
        'PAIRS_INVALID',
        `${flag}: "${part}" is not name=value.`,
        { hint: `Write ${flag} a=b,c=d.` },
      );
    }
    pairs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return pairs;
}

/** The orders options from the flags. */
export function ordersOptions(flags: ReconcileFlags): OrdersOptions {
  const map = flags.map ? parsePairs(flags.map, '--map') : {};
  for (const field of Object.keys(map)) {
    if (!ORDER_FIELDS.includes(field as OrderField)) {
      throw new UsageError(
        'MAP_FIELD_UNKNOWN',
        `--map ${field}=…: ${field} is not an order field.`,
        { hint: `Map these: ${ORDER_FIELDS.join(', ')}.` },
      );
    }
  }
  return {
    format: oneOf(flags.ordersFormat, ['csv', 'ndjson'], '--orders-format'),
    map: map as OrdersOptions['map'],
    amountUnit: oneOf(flags.amountUnit, ['fen', 'yuan'], '--amount-unit'),
    statusMap: flags.statusMap
      ? parsePairs(flags.statusMap, '--status-map')
      : undefined,
  };
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase() as T;
  if (allowed.includes(lower)) return lower;
  throw new UsageError(
    'FLAG_VALUE_INVALID',
    `${flag} ${value}: use ${allowed.join(' or ')}.`,
  );
}

/** Bill types tried for --date, the fullest first. */
const DATE_TYPES = ['ALL', 'SUCCESS', 'REFUND'];

/**
 * The bill file to read: --bill, or for --date the file `bill download`
 * saved for that day in --dir (plain or gzip, ALL preferred), else the
 * empty-day marker it saved when WeChat had no bill for the day.
 */
export async function billPath(flags: ReconcileFlags): Promise<string> {
  if (flags.bill && flags.date) {
    throw new UsageError(
      'BILL_SOURCE_CONFLICT',
      '--bill and --date both name a bill; give one.',
    );
  }
  if (flags.bill) return flags.bill;
  if (!flags.date) {
    throw new UsageError(
      'BILL_MISSING',
      'Which bill? Give --bill FILE or --date YYYYMMDD.',
    );
  }
  const day = parseBillDate(flags.date);
  const dir = flags.dir ?? '.';
  const names = [
    ...DATE_TYPES.flatMap((type) => [
      billFileName('bill', type, day, false),
      billFileName('bill', type, day, true),
    ]),
    // An empty day downloaded earlier: WeChat's "No Bill Exist", kept.
    ...DATE_TYPES.map((type) => noBillFileName('bill', type, day)),
  ];
  for (const name of names) {
    const path = join(dir, name);
    if (await exists(path)) return path;
  }
  throw new UsageError(
    'BILL_NOT_DOWNLOADED',
    `No downloaded bill for ${day} in ${dir} (looked for ${billFileName('bill', 'ALL', day, false)}).`,
    {
      hint: `Download it first: wxpay bill download --date ${day}${flags.dir ? ` --out ${flags.dir}` : ''}`,
    },
  );
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Findings shown per category on a terminal. */
export function findingLimit(flags: ReconcileFlags): number {
  if (flags.limit === undefined) return 20;
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 0) {
    throw new UsageError(
      'LIMIT_INVALID',
      `--limit ${flags.limit} is not a count.`,
    );
  }
  return limit;
}
