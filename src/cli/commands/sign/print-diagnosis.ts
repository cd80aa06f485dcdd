import type { Diagnosis } from '../../../core/diagnose/index.js';
import type { Context } from '../../context.js';

/** Prints the causes of a mismatch on stderr, or says why none was found. */
export function printDiagnosis(
  ctx: Context,
  diagnosis: Pick<Diagnosis, 'causes' | 'searched' | 'notSearchedBecause'>,
): void {
  const c = ctx.out.errColor;
  if (diagnosis.searched === false) {
    ctx.out.info(
      diagnosis.notSearchedBecause === 'signature-not-hex'
        ? 'No search for a known mistake was made: the sign is not a WeChat signature (32 or 64 hex characters).'
        : 'No search for a known mistake was made: the input has far more fields than any WeChat body.',
    );
    return;
  }
  if (!diagnosis.causes.length) {
    ctx.out.info(
      'No known mistake reproduces this signature. The other side most likely signs with a different key: compare key fingerprints with `wxpay sign --explain`.',
    );
    return;
  }
  for (const { cause, message } of diagnosis.causes) {
    ctx.out.info(`${c.yellow('cause')} ${c.bold(cause)}: ${message}`);
  }
}
