import { UsageError } from '../../../core/errors.js';
import { queryOfUrl, type PushQuery } from '../../../core/kf/signature.js';
import { verifyPushUrl } from '../../../core/kf/verify-url.js';
import type { RunFn } from '../../command-kit.js';
import { loadKfSetup, requireToken, type KfOptions } from './setup.js';

export interface QueryFlags {
  url?: string;
  timestamp?: string;
  nonce?: string;
  signature?: string;
  msgSignature?: string;
  echostr?: string;
}

/**
 * The push query from a pasted URL (positional or --url) with any single
 * flag overriding its value.
 */
export function queryFromFlags(flags: QueryFlags, pasted?: string): PushQuery {
  if (pasted && flags.url) {
    throw new UsageError(
      'KF_URL_TWICE',
      'Give the URL once: as an argument or with --url.',
    );
  }
  const base: PushQuery =
    flags.url || pasted ? queryOfUrl((flags.url ?? pasted) as string) : {};
  const query: PushQuery = { ...base };
  if (flags.timestamp !== undefined) query.timestamp = flags.timestamp;
  if (flags.nonce !== undefined) query.nonce = flags.nonce;
  if (flags.signature !== undefined) query.signature = flags.signature;
  if (flags.msgSignature !== undefined)
    query.msg_signature = flags.msgSignature;
  if (flags.echostr !== undefined) query.echostr = flags.echostr;
  return query;
}

/** `wxpay kf verify-url`: checks WeChat's GET verification of the push URL. */
export const verifyUrlRun: RunFn<QueryFlags & KfOptions> = async (
  ctx,
  args,
  options,
) => {
  const query = queryFromFlags(options, args[0]);
  if (!query.signature && !query.msg_signature) {
    throw new UsageError('KF_SIGNATURE_FLAG', 'No signature given.', {
      hint: 'Pass --timestamp, --nonce and --signature (and --echostr), or paste the whole URL WeChat called.',
    });
  }
  const setup = await loadKfSetup(ctx, options);
  const result = verifyPushUrl(query, {
    token: requireToken(setup),
    aesKey: setup.aesKey,
    appid: setup.appid,
  });
  if (ctx.out.json) {
    ctx.out.document({
      valid: result.valid,
      checked: result.form,
      signature: result.received,
      expected:
        result.valid || ctx.options.showSecrets ? result.expected : undefined,
      answer: result.answer,
      causes: result.causes,
    });
    return result.valid ? 0 : 1;
  }
  if (result.valid) {
    const answer = result.answer ?? '';
    ctx.out.success(`${result.form} is valid.`);
    ctx.out.info(
      answer === ''
        ? 'No echostr was given; WeChat sends one and the server must answer it.'
        : `Answer HTTP 200, Content-Type text/plain, with exactly these ${Buffer.byteLength(answer)} bytes (no quotes, no JSON, no newline, never through a number):`,
    );
    if (answer !== '') ctx.out.data(answer);
    return 0;
  }
  ctx.out.data('invalid');
  ctx.out.info(ctx.out.errColor.red(`✗ ${result.form} does not match.`));
  ctx.out.info(`  received: ${result.received}`);
  for (const cause of result.causes) ctx.out.info(`  - ${cause}`);
  ctx.out.info(
    'The server must answer 403 (or anything but the echostr) to this request.',
  );
  return 1;
};
