import {
  CATEGORY_MEANING,
  csvLine,
  DISCREPANCY_CATEGORIES,
  formatUnits,
  type DiscrepancyCategory,
  type Finding,
  type ReconcileReport,
} from '../../../core/bill/index.js';
import type { Context } from '../../context.js';
import type { StdoutWriter } from './out-stream.js';
import { formatTable } from './table.js';

/**
 * Where findings go while `bill reconcile` runs. Script formats write each
 * finding at once (buffered), so a million findings cost no memory; the
 * terminal view keeps only the first few of each category.
 */
export interface FindingWriter {
  finding(finding: Finding): Promise<void>;
  end(report: ReconcileReport): Promise<void>;
}

const COLUMNS = [
  'category',
  'out_trade_no',
  'transaction_id',
  'out_refund_no',
  'bill_amount',
  'order_amount',
  'difference',
  'order_line',
  'note',
] as const;

const cellsOf = (finding: Finding) =>
  COLUMNS.map((column) => finding[column as keyof Finding]);

/** Collects output text and writes it in 64 KiB pieces. */
class Buffered {
  private text = '';
  constructor(protected readonly out: StdoutWriter) {}

  protected async add(text: string) {
    this.text += text;
    if (this.text.length >= 65536) await this.flush();
  }

  protected async flush() {
    const text = this.text;
    this.text = '';
    await this.out.write(text);
  }
}

/** One JSON document: findings streamed, then the counts. */
class JsonFindings extends Buffered implements FindingWriter {
  private first = true;

  async finding(finding: Finding) {
    await this.add(
      `${this.first ? '{"findings":[' : ','}\n${JSON.stringify(finding)}`,
    );
    this.first = false;
  }

  async end(report: ReconcileReport) {
    const rest = JSON.stringify(report, null, 2);
    const head = this.first ? '{"findings":[' : '';
    await this.add(`${head}\n],\n${rest.slice(rest.indexOf('\n') + 1)}\n`);
    await this.flush();
  }
}

/** CSV with a header, for spreadsheets and scripts. */
class CsvFindings extends Buffered implements FindingWriter {
  private started = false;

  async finding(finding: Finding) {
    await this.header();
    await this.add(`${csvLine(cellsOf(finding))}\n`);
  }

  async end() {
    await this.header();
    await this.flush();
  }

  private async header() {
    if (this.started) return;
    this.started = true;
    await this.add(`${csvLine(COLUMNS)}\n`);
  }
}

/** Piped without a format: tab-separated, no header, amounts in fen. */
class TsvFindings extends Buffered implements FindingWriter {
  async finding(finding: Finding) {
    const cells = cellsOf(finding).map((value) =>
      value === undefined ? '' : String(value).replace(/[\t\r\n]/g, ' '),
    );
    await this.add(`${cells.join('\t')}\n`);
  }

  async end() {
    await this.flush();
  }
}

const yuan = (fen: number | undefined) =>
  fen === undefined ? '' : formatUnits(fen, 2);

/** The terminal view: counts per category, then the first findings. */
class TtyFindings implements FindingWriter {
  private readonly shown = new Map<DiscrepancyCategory, Finding[]>();

  constructor(
    private readonly ctx: Context,
    private readonly limit: number,
  ) {}

  async finding(finding: Finding) {
    const list = this.shown.get(finding.category) ?? [];
    if (list.length < this.limit) list.push(finding);
    this.shown.set(finding.category, list);
  }

  async end(report: ReconcileReport) {
    const { out } = this.ctx;
    this.totals(report);
    for (const note of report.notes) out.warn(note);
    if (report.clean) {
      out.data(out.color.green('✓ No discrepancies.'));
      return;
    }
    const rows = DISCREPANCY_CATEGORIES.filter((c) => report.counts[c] > 0).map(
      (c) => [c, String(report.counts[c]), CATEGORY_MEANING[c]],
    );
    out.data(out.color.red.bold('Discrepancies'));
    for (const line of formatTable(
      ['category', 'count', 'meaning'],
      rows,
      new Set([1]),
    )) {
      out.data(`  ${line}`);
    }
    if (this.limit === 0) return;
    for (const [category, list] of this.shown) {
      this.details(category, list, report.counts[category]);
    }
  }

  private totals(report: ReconcileReport) {
    const { bill, orders } = report;
    const source = bill.no_bill
      ? 'no bill (an empty day)'
      : `${bill.bill_type} bill`;
    this.ctx.out.data(
      `${source}: ${bill.payments} payments (${yuan(bill.payment_total)} yuan), ${bill.refunds} refunds (${yuan(bill.refund_total)} yuan)`,
    );
    this.ctx.out.data(
      `orders: ${orders.rows} rows, ${orders.paid} paid (${yuan(orders.paid_total)} yuan)`,
    );
  }

  private details(
    category: DiscrepancyCategory,
    list: Finding[],
    count: number,
  ) {
    const { out } = this.ctx;
    out.data('');
    out.data(out.color.bold(`${category} (${count})`));
    const rows = list.map((f) => [
      f.out_trade_no || '-',
      f.transaction_id ?? f.out_refund_no ?? '',
      yuan(f.bill_amount),
      yuan(f.order_amount),
      f.order_line === undefined ? '' : String(f.order_line),
      f.note ?? '',
    ]);
    const header = [
      'out_trade_no',
      'transaction_id',
      'bill',
      'orders',
      'line',
      'note',
    ];
    for (const line of formatTable(header, rows, new Set([2, 3, 4]))) {
      out.data(`  ${line}`);
    }
    if (count > list.length) {
      out.data(`  … ${count - list.length} more (--csv or --json lists all)`);
    }
  }
}

export function findingWriter(
  ctx: Context,
  out: StdoutWriter,
  mode: { csv: boolean; limit: number },
): FindingWriter {
  if (ctx.out.json) return new JsonFindings(out);
  if (mode.csv) return new CsvFindings(out);
  if (ctx.out.stdoutIsTTY) return new TtyFindings(ctx, mode.limit);
  return new TsvFindings(out);
}
