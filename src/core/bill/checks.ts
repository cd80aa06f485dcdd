import { DiscrepancyError } from '../errors.js';
import { SUMMARY_COLUMNS } from './columns.js';
import type { BillSummary } from './summary.js';

/**
 * The summary line states the row count and column totals; a bill whose
 * rows do not add up to it was cut short or altered, and reconciling it
 * would report the damage as merchant discrepancies.
 */

/** The unit of a compared number. */
export type CheckUnit = 'rows' | 'fen' | '1e-5 yuan';

export interface SummaryCheck {
  /** The summary key, e.g. `settlement_total_fee`. */
  field: string;
  /** The summary header in the file, e.g. `应结订单总金额`. */
  header: string;
  unit: CheckUnit;
  /** The total stated by the summary line. */
  summary: number;
  /** The total of the detail rows. */
  rows: number;
  /** summary − rows; 0 when they agree. */
  difference: number;
  ok: boolean;
}

export interface BillChecks {
  /** True when the summary exists and every total agrees with the rows. */
  ok: boolean;
  summary_present: boolean;
  checks: SummaryCheck[];
  /** Summary totals without a detail column to add up (not checked). */
  unchecked: string[];
}

/**
 * Compares the summary with the row count and the sums of the rows.
 * `headers` gives, per summary key, the header the file used (the current
 * and legacy names of one total map to one key).
 */
export function checkSummary(
  summary: BillSummary | undefined,
  headers: Record<string, string>,
  rowCount: number,
  sums: Record<string, number>,
): BillChecks {
  if (!summary) {
    return { ok: false, summary_present: false, checks: [], unchecked: [] };
  }
  const checks: SummaryCheck[] = [];
  const unchecked: string[] = [];
  for (const [key, header] of Object.entries(headers)) {
    const def = SUMMARY_COLUMNS[header];
    const rows = def.rowKey === '' ? rowCount : sums[def.rowKey];
    if (rows === undefined) {
      unchecked.push(header);
      continue;
    }
    const stated = (summary as unknown as Record<string, number>)[key];
    const difference = stated - rows;
    checks.push({
      field: key,
      header,
      unit:
        def.rowKey === '' ? 'rows' : def.kind === 'fee' ? '1e-5 yuan' : 'fen',
      summary: stated,
      rows,
      difference,
      ok: difference === 0,
    });
  }
  return {
    ok: checks.every((check) => check.ok),
    summary_present: true,
    checks,
    unchecked,
  };
}

/** The failed checks as one sentence each, for messages and reports. */
export function describeFailures(result: BillChecks): string[] {
  if (!result.summary_present) {
    return ['The bill has no summary lines: it may be cut short.'];
  }
  return result.checks
    .filter((check) => !check.ok)
    .map(
      (check) =>
        `${check.header}: summary ${check.summary}, rows add up to ${check.rows} (difference ${check.difference} ${check.unit})`,
    );
}

/** A DiscrepancyError carrying the failed checks, for library callers. */
export function summaryMismatchError(result: BillChecks): DiscrepancyError {
  const failures = describeFailures(result);
  return new DiscrepancyError(
    'BILL_SUMMARY_MISMATCH',
    `The bill does not add up to its own summary. ${failures.join('; ')}.`,
    {
      hint: 'Download the bill again; if it persists, the file was altered.',
      details: { checks: result },
    },
  );
}
