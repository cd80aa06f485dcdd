import { describeFailures, openBill } from '../../../core/bill/index.js';
import { UsageError, WxPayError } from '../../../core/errors.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import {
  billWriter,
  type BillFormatName,
  type BillWriter,
  type ErrorFacts,
} from './bill-writers.js';
import { openByteInput } from './input.js';
import { StdoutWriter } from './out-stream.js';
import { ParseView } from './parse-view.js';

export interface ParseOptions {
  format?: string;
  rowsOnly?: boolean;
}

const FORMATS: BillFormatName[] = ['json', 'ndjson', 'csv'];

/**
 * The output shape: --format, else --json, else a readable view on a
 * terminal and NDJSON in a pipe.
 */
function chooseFormat(
  ctx: Context,
  options: ParseOptions,
): BillFormatName | 'view' {
  const format = options.format?.toLowerCase();
  if (format && !FORMATS.includes(format as BillFormatName)) {
    throw new UsageError(
      'FORMAT_UNKNOWN',
      `--format ${options.format} is not one of ${FORMATS.join(', ')}.`,
    );
  }
  if (ctx.out.json && format && format !== 'json') {
    throw new UsageError(
      'FORMAT_CONFLICT',
      `--json and --format ${format} ask for two outputs; give one.`,
    );
  }
  if (ctx.out.json) return 'json';
  if (format) return format as BillFormatName;
  return ctx.out.stdoutIsTTY ? 'view' : 'ndjson';
}

export const parseRun: RunFn<ParseOptions> = async (ctx, args, options) => {
  const format = chooseFormat(ctx, options);
  const input = await openByteInput(ctx, args[0], 'FILE');
  const out = new StdoutWriter(ctx);
  const writer: BillWriter =
    format === 'view'
      ? new ParseView(ctx)
      : billWriter(format, out, options.rowsOnly === true);
  try {
    const bill = await openBill(input);
    if (bill.kind === 'no_bill') {
      await writer.noBill(bill);
      if (format !== 'view') {
        ctx.out.info(
          `No bill: WeChat answered "${bill.return_msg}" (an empty day).`,
        );
      }
      return 0;
    }
    await writer.begin(bill.layout);
    try {
      for await (const rows of bill.batches()) {
        await writer.rows(rows);
        if (out.stopped) return 0;
      }
    } catch (error) {
      // Rows went out already: close the output validly, then report.
      await writer.fail(errorFacts(error));
      throw error;
    }
    const totals = bill.totals();
    await writer.end(totals, bill.layout);
    if (totals.checks.ok) return 0;
    for (const failure of describeFailures(totals.checks)) {
      ctx.out.warn(failure);
    }
    ctx.out.info(
      'hint: download the bill again; if it persists, the file was altered.',
    );
    return 1;
  } finally {
    out.end();
  }
};

function errorFacts(error: unknown): ErrorFacts {
  if (error instanceof WxPayError) {
    return { code: error.code, message: error.message };
  }
  return {
    code: 'UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
  };
}
