import type { Cause } from '../../../core/diagnose/index.js';
import type { Context } from '../../context.js';

/** Prints the causes of a mismatch on stderr, or says that none was found. */
export function printDiagnosis(ctx: Context, causes: Cause[]): void {
  const c = ctx.out.errColor;
  if (!causes.length) {
    ctx.out.info(
      'No known mistake reproduces this signature. The other side most likely signs with a different key: compare key fingerprints with `wxpay sign --explain`.',
    );
    return;
  }
  for (const { cause, message } of causes) {
    ctx.out.info(`${c.yellow('cause')} ${c.bold(cause)}: ${message}`);
  }
}
