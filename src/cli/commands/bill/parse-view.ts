import type {
  BillLayout,
  BillRow,
  BillTotals,
  NoBill,
  SummaryCheck,
} from '../../../core/bill/index.js';
import { formatUnits } from '../../../core/bill/index.js';
import type { Context } from '../../context.js';
import type { BillWriter } from './bill-writers.js';
import { formatTable } from './table.js';

/** Rows shown on a terminal; the formats print them all. */
const SHOWN = 10;

const yuan = (fen: number | undefined) =>
  fen === undefined ? '' : formatUnits(fen, 2);

/**
 * What `bill parse` shows on a terminal without --format: the kind of bill,
 * its first rows in yuan, and the summary check. Data formats are for
 * pipes; this is for reading.
 */
export class ParseView implements BillWriter {
  private shown: BillRow[] = [];

  constructor(private readonly ctx: Context) {}

  async begin(layout: BillLayout) {
    const { out } = this.ctx;
    out.data(
      out.color.bold(`${layout.bill_type} bill, ${layout.format} format`),
    );
    for (const note of layout.notes) out.warn(note);
  }

  async rows(rows: BillRow[]) {
    const room = SHOWN - this.shown.length;
    if (room > 0) this.shown.push(...rows.slice(0, room));
  }

  async end(totals: BillTotals) {
    const { out } = this.ctx;
    const table = formatTable(
      ['trade_time', 'out_trade_no', 'trade_state', 'total_fee', 'refund_fee'],
      this.shown.map((row) => [
        row.trade_time,
        row.out_trade_no,
        row.trade_state,
        yuan(row.total_fee ?? row.settlement_total_fee),
        yuan(row.refund_fee ?? row.settlement_refund_fee),
      ]),
      new Set([3, 4]),
    );
    out.data(`${totals.row_count} rows (amounts in yuan)`);
    for (const line of table) out.data(`  ${line}`);
    const more = totals.row_count - this.shown.length;
    if (more > 0) {
      out.data(`  … ${more} more; --format ndjson, csv or json prints all`);
    }
    this.summary(totals);
  }

  async noBill(answer: NoBill) {
    this.ctx.out.data(
      `No bill for that day (${answer.return_msg}): no payments or refunds.`,
    );
  }

  /** The error itself goes to stderr; the rows shown stay as they are. */
  async fail() {}

  private summary(totals: BillTotals) {
    const { out } = this.ctx;
    if (!totals.checks.summary_present) {
      out.data(out.color.red('✗ no summary lines: the bill may be cut short'));
      return;
    }
    const rows = totals.checks.checks.map((check) => [
      check.field,
      stated(check, check.summary),
      stated(check, check.rows),
      check.ok ? out.color.green('✓') : out.color.red('✗'),
    ]);
    out.data('Summary');
    const table = formatTable(
      ['total', 'summary', 'rows', ''],
      rows,
      new Set([1, 2]),
    );
    for (const line of table) out.data(`  ${line}`);
  }
}

function stated(check: SummaryCheck, value: number): string {
  if (check.unit === 'rows') return String(value);
  return formatUnits(value, check.unit === 'fen' ? 2 : 5);
}
