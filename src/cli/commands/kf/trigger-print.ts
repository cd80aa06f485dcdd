import type { Judgement } from '../../../core/kf/judge.js';
import type { HandlerOutcome } from '../../../core/kf/handler-call.js';
import type { Context } from '../../context.js';
import { printable } from './print.js';

/** A handler that was reached: it answered, or failed to in time. */
export type Reached = Exclude<HandlerOutcome, { kind: 'unreachable' }>;

/**
 * Prints a `kf trigger` verdict: piped `ok|fail verdict status elapsed`,
 * on a terminal a mark and words, with --json one document; the problems
 * go to stderr. Returns the exit code: 0 only for an accepted answer.
 */
export function printVerdict(
  ctx: Context,
  judged: Judgement,
  outcome: Reached,
  request: {
    method: string;
    query: string;
    body?: string;
    message?: Record<string, string>;
  },
): number {
  const code = judged.ok ? 0 : 1;
  // A status only when the answer came back whole (or was cut for size).
  const status =
    outcome.kind === 'answered' || outcome.kind === 'too-large'
      ? outcome.status
      : null;
  if (ctx.out.json) {
    ctx.out.document({
      ok: judged.ok,
      verdict: judged.verdict,
      status,
      elapsed_ms: outcome.elapsedMs,
      answer: outcome.kind === 'answered' ? outcome.body : null,
      answer_bytes:
        outcome.kind === 'answered'
          ? Buffer.byteLength(outcome.body)
          : outcome.bytesRead,
      problems: judged.problems,
      notes: judged.notes,
      request,
    });
    return code;
  }
  const what = {
    ack: 'acknowledged with success',
    transfer: 'transferred to the customer-service tool',
    echo: 'answered the echostr exactly',
    rejected: 'refused the forged request',
    wrong: 'did not answer as WeChat expects',
  }[judged.verdict];
  if (ctx.out.stdoutIsTTY) {
    const mark = judged.ok ? ctx.out.color.green('✓') : ctx.out.color.red('✗');
    const detail = {
      answered: `HTTP ${status}`,
      'too-large': `HTTP ${status}, answer too large`,
      timeout: 'no answer within 5 s',
      closed: 'connection closed mid-answer',
    }[outcome.kind];
    ctx.out.data(
      `${mark} ${request.method} ${what} (${detail}, ${outcome.elapsedMs} ms)`,
    );
  } else {
    const column = {
      answered: String(status),
      'too-large': 'too-large',
      timeout: 'timeout',
      closed: 'closed',
    }[outcome.kind];
    ctx.out.data(
      [
        judged.ok ? 'ok' : 'fail',
        judged.verdict,
        column,
        `${outcome.elapsedMs}ms`,
      ].join('\t'),
    );
  }
  for (const problem of judged.problems)
    ctx.out.info(`  - ${printable(problem)}`);
  for (const note of judged.notes)
    ctx.out.info(ctx.out.errColor.dim(`  note: ${printable(note)}`));
  return code;
}
