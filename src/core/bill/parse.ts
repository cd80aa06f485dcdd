import { ApiError, InputError } from '../errors.js';
import { parseXml } from '../xml.js';
import { checkSummary, type BillChecks } from './checks.js';
import {
  layoutFromHeader,
  SUMMARY_FIRST_HEADER,
  type BillLayout,
} from './columns.js';
import { RowBuilder, splitCells, type BillRow } from './rows.js';
import {
  crOnlyLineEnds,
  latin1ToUtf8,
  lineBatches,
  plainBytes,
  type ByteSource,
} from './source.js';
import { readSummary, type ReadSummary } from './summary.js';

/**
 * Streaming trade-bill parser (spec §5). The file is read once, chunk by
 * chunk: memory stays constant whatever the bill size, as long as the
 * caller consumes the rows as they come.
 */

/** downloadbill answered XML instead of a bill (case B30). */
export interface NoBill {
  kind: 'no_bill';
  return_code: string;
  return_msg: string;
  error_code?: string;
}

export interface OpenBillOptions {
  /**
   * Only these text keys are needed on rows (amounts are always read). The
   * other text cells are then left undefined and the bill is read much
   * faster, in half the memory: what reconciliation uses.
   */
  select?: Iterable<keyof BillRow>;
}

/** The end of a bill: its summary and how the rows compare with it. */
export interface BillTotals {
  row_count: number;
  summary?: ReadSummary['summary'];
  checks: BillChecks;
}

/** An open trade bill: the layout is known, the rows are still to read. */
export class TradeBill {
  readonly kind = 'bill';
  private readonly builder: RowBuilder;
  private summaryLines?: ReadSummary;
  private summaryHeader?: { text: string; line: number };
  private finished = false;

  /** @internal use {@link openBill}. */
  constructor(
    readonly layout: BillLayout,
    private readonly first: string[],
    private lineNo: number,
    private readonly rest: AsyncIterator<string[]>,
    private readonly text: Decoded,
  ) {
    this.builder = new RowBuilder(layout.columns, {
      select: text.select,
      latin1: text.latin1,
    });
  }

  /** Rows in file order, one array per chunk read (never empty). */
  async *batches(): AsyncGenerator<BillRow[]> {
    if (this.finished) throw alreadyRead();
    this.finished = true;
    try {
      let rows = this.consume(this.first);
      if (rows.length) yield rows;
      for (let next = await this.rest.next(); !next.done;) {
        rows = this.consume(next.value);
        if (rows.length) yield rows;
        next = await this.rest.next();
      }
    } finally {
      // Stopping early (a closed pipe, an error) closes the file too.
      await this.rest.return?.();
    }
    if (this.summaryHeader) {
      throw new InputError(
        'BILL_SUMMARY_SHAPE',
        `The summary header on line ${this.summaryHeader.line} has no totals line after it.`,
        { hint: 'The bill is cut short: download it again.' },
      );
    }
  }

  /** Rows one by one (simpler, a little slower than {@link batches}). */
  async *rows(): AsyncGenerator<BillRow> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * The summary and its checks. Call after the rows were read; before that
   * the summary is not known yet.
   */
  totals(): BillTotals {
    const found = this.summaryLines;
    return {
      row_count: this.builder.count,
      summary: found?.summary,
      checks: checkSummary(
        found?.summary,
        found?.headers ?? {},
        this.builder.count,
        this.builder.amountSums(),
      ),
    };
  }

  private consume(lines: string[]): BillRow[] {
    const rows: BillRow[] = [];
    for (const line of lines) {
      this.lineNo += 1;
      if (isBlank(line)) continue;
      if (this.summaryLines) throw this.afterSummary();
      if (this.summaryHeader) {
        this.summaryLines = readSummary(
          this.summaryHeader.text,
          this.text.utf8(line),
          this.lineNo,
        );
        this.summaryHeader = undefined;
      } else if (
        line.charCodeAt(0) !== 96 &&
        isSummaryHeader(this.text.utf8(line))
      ) {
        this.summaryHeader = { text: this.text.utf8(line), line: this.lineNo };
      } else {
        rows.push(this.builder.line(line, this.lineNo));
      }
    }
    return rows;
  }

  private afterSummary(): InputError {
    return new InputError(
      'BILL_TRAILING_LINES',
      `Line ${this.lineNo} follows the summary; a bill ends with its totals.`,
      { hint: 'Two bills may have been joined into one file.' },
    );
  }
}

/**
 * Empty, or only spaces and tabs (an editor's trailing line): no data row
 * or summary line starts with whitespace, so the cheap first test decides
 * almost every line.
 */
function isBlank(line: string): boolean {
  if (line === '') return true;
  const first = line.charCodeAt(0);
  return (first === 32 || first === 9) && line.trim() === '';
}

/**
 * A summary header is the first line after the header without a backtick:
 * data lines always start with one (spec §5).
 */
function isSummaryHeader(line: string): boolean {
  return line.startsWith(SUMMARY_FIRST_HEADER);
}

/** How lines were decoded, and how to get UTF-8 text back. */
class Decoded {
  readonly latin1: boolean;
  readonly select?: ReadonlySet<string>;

  constructor(options: OpenBillOptions) {
    this.select = options.select ? new Set(options.select) : undefined;
    this.latin1 = this.select !== undefined;
  }

  utf8(line: string): string {
    return this.latin1 ? latin1ToUtf8(line) : line;
  }
}

function alreadyRead(): Error {
  return new InputError(
    'BILL_ALREADY_READ',
    'The bill rows were read already.',
  );
}

/**
 * Opens a trade bill from bytes (plain or gzip, detected) and reads its
 * header. Returns `no_bill` for WeChat's "No Bill Exist" answer in any
 * casing (case B30); any other XML answer throws an ApiError with WeChat's
 * return_msg verbatim; a damaged file throws an InputError.
 */
export async function openBill(
  source: ByteSource,
  options: OpenBillOptions = {},
): Promise<TradeBill | NoBill> {
  const text = new Decoded(options);
  const batches = lineBatches(
    plainBytes(source),
    text.latin1 ? 'latin1' : 'utf8',
  )[Symbol.asyncIterator]();
  try {
    const opened = await readHeader(batches, text);
    if (opened) return opened;
  } catch (error) {
    await batches.return(undefined);
    throw error;
  }
  throw new InputError('BILL_EMPTY', 'The bill is empty.', {
    hint: 'An empty day comes as an XML "No Bill Exist" answer, not as an empty file: download it again.',
  });
}

/** Reads up to the header line; undefined when the input is empty. */
async function readHeader(
  batches: AsyncGenerator<string[]>,
  text: Decoded,
): Promise<TradeBill | NoBill | undefined> {
  let lineNo = 0;
  for (let next = await batches.next(); !next.done;) {
    const lines = next.value;
    for (let i = 0; i < lines.length; i++) {
      lineNo += 1;
      const raw = text.utf8(lines[i]);
      const line = lineNo === 1 ? stripBom(raw) : raw;
      if (line.trim() === '') continue;
      if (line.includes('\r')) throw crOnlyLineEnds('bill');
      if (line.trimStart().startsWith('<')) {
        const rest = lines.slice(i + 1).map((l) => text.utf8(l));
        return readXmlAnswer([line, ...rest], batches, text);
      }
      const layout = layoutFromHeader(splitCells(line));
      return new TradeBill(layout, lines.slice(i + 1), lineNo, batches, text);
    }
    next = await batches.next();
  }
  return undefined;
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

/** The XML answer is small (< 1 KB); stop reading well before the cap. */
const MAX_XML_CHARS = 64 * 1024;

async function readXmlAnswer(
  lines: string[],
  rest: AsyncIterator<string[]>,
  text: Decoded,
): Promise<NoBill> {
  let size = lines.reduce((sum, line) => sum + line.length + 1, 0);
  for (let next = await rest.next(); !next.done && size <= MAX_XML_CHARS;) {
    lines.push(...next.value.map((line) => text.utf8(line)));
    size += next.value.reduce((sum, line) => sum + line.length + 1, 0);
    next = await rest.next();
  }
  await rest.return?.(undefined);
  const { fields } = parseXml(lines.join('\n'), { maxBytes: MAX_XML_CHARS });
  const answer: NoBill = {
    kind: 'no_bill',
    return_code: fields.return_code ?? '',
    return_msg: fields.return_msg ?? '',
    ...(fields.error_code !== undefined && { error_code: fields.error_code }),
  };
  // The docs print "NO Bill Exist", the server sends "No Bill Exist".
  if (answer.return_msg.trim().toLowerCase() === 'no bill exist') return answer;
  throw downloadFailure(answer);
}

function downloadFailure(answer: NoBill): ApiError {
  const creating = /^bill creating$/i.test(answer.return_msg.trim());
  return new ApiError(
    'BILL_DOWNLOAD_FAILED',
    `WeChat answered ${answer.return_code || 'XML'} instead of a bill: ${answer.return_msg || '(no return_msg)'}`,
    {
      hint: creating
        ? 'The bill is not generated yet: bills are ready from 10:00 Beijing time the next day.'
        : 'This file holds an error answer, not a bill; download the bill again.',
      details: { ...answer },
    },
  );
}

/** A whole bill in memory: for small bills, tests and examples. */
export interface ParsedBill extends BillTotals {
  kind: 'bill';
  layout: BillLayout;
  rows: BillRow[];
}

/**
 * Reads a whole bill into memory. Use {@link openBill} for large bills:
 * this keeps every row.
 */
export async function readBill(
  source: ByteSource,
): Promise<ParsedBill | NoBill> {
  const bill = await openBill(source);
  if (bill.kind === 'no_bill') return bill;
  const rows: BillRow[] = [];
  for await (const batch of bill.batches()) {
    for (const row of batch) rows.push(row);
  }
  return { kind: 'bill', layout: bill.layout, rows, ...bill.totals() };
}
