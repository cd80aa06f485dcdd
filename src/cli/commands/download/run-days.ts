import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BillDay } from '../../../core/api/bill.js';
import { billFileName, writeFileAtomic } from '../../../core/download/index.js';
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
  gzip: boolean;
  outDir: string;
  fetch(day: string): Promise<BillDay>;
}

/** What happened to one day, in WeChat's words where there are any. */
export interface DayOutcome {
  bill_date: string;
  status: 'saved' | 'no_bill';
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
  const answer = await plan.fetch(day);
  if (answer.status === 'no_bill') {
    progress.note(() =>
      ctx.out.info(
        `${day}: no bill (${answer.message}): no payment or refund that day; nothing saved.`,
      ),
    );
    return { bill_date: day, status: 'no_bill', message: answer.message };
  }
  const path = join(
    outDir,
    billFileName(plan.kind, plan.type, day, answer.gzip),
  );
  await writeFileAtomic(path, answer.body);
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
    path,
    bytes: answer.body.length,
    gzip: answer.gzip,
    sha256: createHash('sha256').update(answer.body).digest('hex'),
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
    if (outcome.path) ctx.out.data(outcome.path);
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
