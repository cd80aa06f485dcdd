import {
  appendKey,
  canonicalize,
  digest,
  hasSignedField,
  keyFingerprint,
  maskSecret,
} from '../../../core/sign.js';
import { InputError, UsageError } from '../../../core/errors.js';
import { escapeControls } from '../../../core/safe-text.js';
import type { RunFn } from '../../command-kit.js';
import {
  chooseSignType,
  maskKeyFields,
  readParams,
  type ParamsOptions,
} from '../../params-input.js';
import { closestWord } from '../../suggest.js';

interface SignOptions extends ParamsOptions {
  explain?: boolean;
}

export const signRun: RunFn<SignOptions> = async (ctx, args, options) => {
  refuseMistypedSubcommand(args);
  const { params } = await readParams(ctx, args, options);
  const key = await ctx.apiKey(options.keyFile);
  const signType = await chooseSignType(ctx, params, options.signType);
  const form = canonicalize(params);
  if (!hasSignedField(params)) {
    throw new InputError(
      'NOTHING_TO_SIGN',
      'No field besides sign and sign_type has a value: there is nothing to sign.',
      { hint: 'Give the fields of the request, e.g. appid=… mch_id=…' },
    );
  }
  const signature = digest(appendKey(form.stringA, key), key, signType);
  const shownKey = ctx.options.showSecrets ? key : maskSecret(key);
  // A field named key is most likely a secret pasted in (the API key, an
  // old one): it is masked wherever the API key is.
  const shownParams = maskKeyFields(params, ctx.options.showSecrets);
  const shownForm = shownParams === params ? form : canonicalize(shownParams);
  const facts = {
    sign: signature,
    sign_type: signType,
    string_to_sign: appendKey(shownForm.stringA, shownKey),
    dropped: form.dropped.map(({ name, reason }) => ({ name, reason })),
    key_fingerprint: keyFingerprint(key),
  };
  if (ctx.out.json) {
    ctx.out.document(facts);
    return;
  }
  ctx.out.data(signature);
  if (!options.explain) return;
  const c = ctx.out.errColor;
  ctx.out.info(`${c.bold('algorithm')}        ${signType}`);
  // Escaped: a value or key file may carry a newline or terminal codes.
  ctx.out.info(
    `${c.bold('string hashed')}    ${escapeControls(facts.string_to_sign)}`,
  );
  ctx.out.info(`${c.bold('key')}              ${facts.key_fingerprint}`);
  for (const { name, reason } of facts.dropped) {
    ctx.out.info(
      `${c.bold('dropped')}          ${name}: ${describeDrop(reason)}`,
    );
  }
};

function describeDrop(reason: string): string {
  if (reason === 'sign-field') return 'the signature itself is never signed';
  if (reason === 'null') return 'unset (null) values are not signed';
  return 'empty values are not signed';
}

/**
 * `wxpay sign verfy …` reaches `sign` with "verfy" as a field; saying which
 * sub-command was meant beats "not name=value".
 */
function refuseMistypedSubcommand(args: string[]): void {
  const first = args[0];
  if (first === undefined || first.includes('=')) return;
  const meant = closestWord(first, ['verify', 'diagnose']);
  if (meant) {
    throw new UsageError('FIELD_MALFORMED', `"${first}" is not name=value.`, {
      hint: `Did you mean \`wxpay sign ${meant}\`?`,
    });
  }
}
