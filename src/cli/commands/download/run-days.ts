import { mkdir } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { SavedBillDay } from '../../../core/api/bill.js';
import { InterruptedError, WxPayError } from '../../../core/errors.js';
import type { Context } from '../../context.js';
import { rewrapError } from '../../rewrap-error.js';
import { onInterrupt } from '../../interrupt.js';
import { progressBar, type Progress } from './progress.js';

export interface DownloadPlan {
  kind: 'bill' | 'fundflow';
  /** bill_type or account_type, as WeChat spells it. */
  type: string;
  days: string[];
  outDir: string;
  /** Downloads one day into `dir` (streamed, atomic). */
  save(day: string, dir: string): Promise<SavedBillDay>;
}

/** What happened to one day, in WeChat's words where there are any. */
export interface DayOutcome {
  bill_date: string;
  status: 'saved' | 'no_bill';
  /** The bill, or for no_bill the empty-day marker. */
  path?: string;
  bytes?: number;
  gzip?: boolean;
  sha256?: string;
  /** downloadfundflow: the `Digest` header matched the bytes. */
  digest_ok?: boolean;
  /** For no_bill: WeChat's return_msg. */
  message?: string;
}

/**
 * Downloads day after day, saving each bill in its own file atomically.
 * The first failure stops the run: the days already saved stay saved and are
 * listed, then the error is reported. Ctrl-C stops after the current day.
 */
export async function runDownloads(
  ctx: Context,
  plan: DownloadPlan,
): Promise<void> {
  const outDir = resolve(plan.outDir);
  await mkdir(outDir, { recursive: true });
  const outcomes: DayOutcome[] = [];
  const progress = progressBar(ctx, plan.days.length);
  let stopped = false;
  const release = onInterrupt(() => {
    stopped = true;
  });
  try {
    for (const day of plan.days) {
      if (stopped) throw new InterruptedError();
      const outcome = await oneDay(ctx, plan, outDir, day, progress);
      outcomes.push(outcome);
      progress.step(day);
    }
  } catch (error) {
    progress.done();
    report(ctx, plan, outcomes, error);
    throw inContext(error, plan, outcomes.length);
  } finally {
    release();
  }
  progress.done();
  report(ctx, plan, outcomes);
}

async function oneDay(
  ctx: Context,
  plan: DownloadPlan,
  outDir: string,
  day: string,
  progress: Progress,
): Promise<DayOutcome> {
  const answer = await plan.save(day, outDir);
  if (answer.status === 'no_bill') {
    const what = plan.kind === 'bill' ? 'bill' : 'fund-flow bill';
    const why =
      plan.kind === 'bill'
        ? 'no payment or refund that day'
        : `no money moved on the ${plan.type} account that day`;
    progress.note(() =>
      ctx.out.info(
        `${day}: no ${what} (${answer.message}): ${why}; recorded as an empty day in ${basename(answer.path)}.`,
      ),
    );
    return {
      bill_date: day,
      status: 'no_bill',
      message: answer.message,
      path: answer.path,
    };
  }
  if (answer.digest && !answer.digest.matches) {
    progress.note(() =>
      ctx.out.warn(
        `${day}: the Digest header (SHA1 ${answer.digest!.value}) does not match the bytes received; download it again before relying on it.`,
      ),
    );
  }
  return {
    bill_date: day,
    status: 'saved',
    path: answer.path,
    bytes: answer.bytes,
    gzip: answer.gzip,
    sha256: answer.sha256,
    digest_ok: answer.digest?.matches,
  };
}

function report(
  ctx: Context,
  plan: DownloadPlan,
  outcomes: DayOutcome[],
  error?: unknown,
): void {
  if (ctx.out.json) {
    ctx.out.document({
      kind: plan.kind,
      [plan.kind === 'bill' ? 'bill_type' : 'account_type']: plan.type,
      days: outcomes,
      ...(error instanceof WxPayError
        ? { error: { code: error.code, message: error.message } }
        : {}),
    });
    return;
  }
  for (const outcome of outcomes) {
    if (outcome.status === 'saved') ctx.out.data(outcome.path!);
  }
  const saved = outcomes.filter((o) => o.status === 'saved').length;
  const empty = outcomes.length - saved;
  if (!error && plan.days.length > 1) {
    ctx.out.success(
      `${saved} bill(s) saved${empty ? `, ${empty} day(s) without a bill` : ''} in ${resolve(plan.outDir)}`,
    );
  }
}

/** Names the day that failed, keeping the error's class (and exit code). */
function inContext(error: unknown, plan: DownloadPlan, index: number): unknown {
  if (!(error instanceof WxPayError) || error instanceof InterruptedError) {
    return error;
  }
  const day = plan.days[index];
  const kept = index > 0 ? ` The ${index} day(s) before it are saved.` : '';
  return rewrapError(error, { message: `${day}: ${error.message}${kept}` });
}
