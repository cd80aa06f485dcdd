import { UsageError } from '../../../core/errors.js';
import { diagnose } from '../../../core/diagnose/index.js';
import type { RunFn } from '../../command-kit.js';
import {
  chooseSignType,
  otherSecrets,
  readParams,
  type ParamsOptions,
} from '../../params-input.js';
import { printDiagnosis } from './print-diagnosis.js';

interface DiagnoseOptions extends ParamsOptions {
  sign?: string;
}

export const diagnoseRun: RunFn<DiagnoseOptions> = async (
  ctx,
  args,
  options,
) => {
  const { params } = await readParams(ctx, args, options);
  const signature = options.sign ?? params.sign ?? '';
  if (!signature) {
    throw new UsageError('SIGN_MISSING', 'No signature to explain.', {
      hint: 'Pass --sign VALUE, or include the sign field in the input.',
    });
  }
  if (!/^[0-9A-Fa-f]{32}([0-9A-Fa-f]{32})?$/.test(signature.trim())) {
    throw new UsageError(
      'SIGN_NOT_HEX',
      'That is not a WeChat Pay signature: expected 32 (MD5) or 64 (HMAC-SHA256) hex characters.',
    );
  }
  const key = await ctx.apiKey(options.keyFile);
  const explicitType = options.signType ?? params.sign_type ?? undefined;
  const result = diagnose({
    params,
    key,
    signature,
    signType: explicitType
      ? await chooseSignType(ctx, params, options.signType)
      : undefined,
    otherSecrets: await otherSecrets(ctx),
  });
  if (ctx.out.json) {
    ctx.out.document({ matches: result.matches, causes: result.causes });
  } else if (result.matches) {
    ctx.out.data(`matches: the signature is correct (${result.signType})`);
  } else if (result.searched === false) {
    ctx.out.data('not searched');
    ctx.out.info(
      `The input has ${Object.keys(params).length} fields, far more than any WeChat body; no search was made.`,
    );
  } else if (result.causes.length) {
    // The causes are the answer, so they are data: one per line, the id
    // first and tab-separated for scripts.
    const c = ctx.out.color;
    for (const { cause, message } of result.causes) {
      ctx.out.data(`${c.bold(cause)}\t${message}`);
    }
  } else {
    ctx.out.data('no known cause');
    printDiagnosis(ctx, result);
  }
  return result.matches || result.causes.length ? 0 : 1;
};
