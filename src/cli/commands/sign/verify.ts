import { SignatureError } from '../../../core/errors.js';
import { diagnose } from '../../../core/diagnose/index.js';
import { escapeControls } from '../../../core/safe-text.js';
import {
  hasSignedField,
  parseSignType,
  signaturesEqual,
  sign,
} from '../../../core/sign.js';
import type { RunFn } from '../../command-kit.js';
import {
  otherSecrets,
  readParams,
  type ParamsOptions,
} from '../../params-input.js';
import { printDiagnosis } from './print-diagnosis.js';

export const verifyRun: RunFn<ParamsOptions> = async (ctx, args, options) => {
  const { params } = await readParams(ctx, args, options);
  const received = params.sign ?? '';
  if (!received) {
    throw new SignatureError(
      'SIGN_MISSING',
      'The input has no sign field to verify.',
      {
        hint: 'Unsigned data is never valid. To compute a signature, use `wxpay sign`.',
      },
    );
  }
  const key = await ctx.apiKey(options.keyFile);
  const fallback = (await ctx.profile().catch(() => undefined))?.profile
    .sign_type;
  const signType = options.signType
    ? parseSignType(options.signType)
    : params.sign_type
      ? parseSignType(params.sign_type)
      : received.length === 64
        ? 'HMAC-SHA256'
        : received.length === 32
          ? 'MD5'
          : (fallback ?? 'MD5');
  const expected = sign(params, key, signType);
  const signedSomething = hasSignedField(params);
  const valid = signedSomething && signaturesEqual(received, expected);
  if (!signedSomething) {
    ctx.out.warn(
      'No field besides sign and sign_type has a value: an empty body is never valid.',
    );
  }
  // An empty body is refused for being empty; no signing mistake to find.
  const diagnosis =
    valid || !signedSomething
      ? undefined
      : diagnose({
          params,
          key,
          signature: received,
          signType,
          otherSecrets: await otherSecrets(ctx),
        });
  if (ctx.out.json) {
    ctx.out.document({
      valid,
      sign_type: signType,
      sign: received,
      expected: ctx.options.showSecrets || !valid ? expected : undefined,
      causes: diagnosis?.causes ?? [],
    });
  } else if (valid) {
    ctx.out.data(`valid (${signType})`);
  } else {
    ctx.out.data(`invalid (${signType})`);
    ctx.out.info(`expected sign: ${expected}`);
    // The sign comes from a pasted body or a file: show controls escaped.
    // Quoted when spaces around it would otherwise not show.
    const shown = escapeControls(received);
    ctx.out.info(
      `received sign: ${received.trim() === received ? shown : `"${shown}"`}`,
    );
    if (diagnosis) printDiagnosis(ctx, diagnosis);
  }
  return valid ? 0 : 1;
};
