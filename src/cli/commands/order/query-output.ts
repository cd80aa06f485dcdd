import type { OrderQueryResult } from '../../../core/api/orders.js';
import { parseBeijingTime } from '../../../core/fields.js';
import { fenToYuan } from '../../../core/money.js';
import { escapeControls } from '../../../core/safe-text.js';
import { amounts, yuanOf } from '../../amounts.js';
import type { Context } from '../../context.js';

/**
 * Aligned `name  value` lines for a terminal. Values may carry colour, so
 * callers escape what came from the server before painting it.
 */
export function printFields(ctx: Context, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  for (const [name, value] of rows) {
    ctx.out.data(`${ctx.out.color.bold(name.padEnd(width))}${value}`);
  }
}

const SHOWN = [
  'out_trade_no',
  'transaction_id',
  'total_fee',
  'cash_fee',
  'time_end',
  'trade_type',
  'openid',
  'bank_type',
  'attach',
  'trade_state_desc',
];

function beijingText(value: string, forPeople: boolean): string {
  try {
    const moment = parseBeijingTime(value);
    if (!forPeople) return moment.toISOString();
    const v = value;
    return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)} ${v.slice(8, 10)}:${v.slice(10, 12)}:${v.slice(12)} Beijing time`;
  } catch {
    return value;
  }
}

/**
 * A field as shown. Values come from the server (attach echoes the
 * merchant's own text): control characters are escaped, so none can move
 * the cursor, add a line or split a tab-separated column.
 */
function shownValue(name: string, raw: string, forPeople: boolean): string {
  const value = escapeControls(raw);
  if (name === 'time_end') return beijingText(value, forPeople);
  if (
    forPeople &&
    (name === 'total_fee' || name === 'cash_fee') &&
    /^\d+$/.test(value)
  ) {
    return `${value} fen (${fenToYuan(Number(value))} yuan)`;
  }
  return value;
}

/**
 * The `--json` document: WeChat's fields as sent (strings; no sign, no
 * nonce), the meaning of trade_state, and `amounts` in fen and yuan.
 */
export function queryDocument(
  result: OrderQueryResult,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const fields = Object.fromEntries(
    Object.entries(result.fields).filter(
      ([n]) => n !== 'sign' && n !== 'nonce_str',
    ),
  );
  return {
    ...fields,
    trade_state_meaning: result.state.meaning,
    amounts: amounts(fields),
    ...extra,
  };
}

/**
 * Piped: `name<TAB>value`, plus a third column where there is more to say:
 * trade_state's meaning, an amount's yuan. Fields are escaped, so a value
 * never holds a raw tab or newline.
 */
function printForScripts(
  ctx: Context,
  result: OrderQueryResult,
  rows: [string, string][],
): void {
  const line = (...cells: string[]) => ctx.out.data(cells.join('\t'));
  line('trade_state', escapeControls(result.trade_state), result.state.meaning);
  for (const [name, value] of rows) {
    const yuan = yuanOf(name, value);
    if (yuan) line(name, value, yuan);
    else line(name, value);
  }
}

export function printQuery(
  ctx: Context,
  result: OrderQueryResult,
  extra: Record<string, unknown> = {},
): void {
  if (ctx.out.json) {
    ctx.out.document(queryDocument(result, extra));
    return;
  }
  const forPeople = ctx.out.stdoutIsTTY;
  const rows: [string, string][] = SHOWN.filter((n) => result.fields[n]).map(
    (n) => [n, shownValue(n, result.fields[n], forPeople)],
  );
  if (!forPeople) {
    printForScripts(ctx, result, rows);
    return;
  }
  const c = ctx.out.color;
  const paint = result.state.paid
    ? c.green
    : result.state.final
      ? c.red
      : c.yellow;
  printFields(ctx, [
    [
      'trade_state',
      `${paint(escapeControls(result.trade_state))} (${result.state.meaning})`,
    ],
    ...rows,
  ]);
}
