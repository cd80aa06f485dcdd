import { escapeControls } from '../../../core/safe-text.js';
import { maskSecret } from '../../../core/sign.js';
import { validateJsCode } from '../../../core/http/mp.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { withPaySession } from '../../pay-session.js';
import { ask } from '../../prompt.js';
import { printFields } from '../order/query-output.js';

export interface OpenidOptions {
  timeout?: string;
}

/**
 * jscode2session (spec 9). The session_key is a secret (it decrypts the
 * user's data): masked unless --show-secrets. Refusals are thrown with
 * their explanation, and a code is never sent twice (case B35).
 */
export const openidRun: RunFn<OpenidOptions> = async (ctx, args, options) => {
  const code = validateJsCode(
    args[0] ??
      (await ask(ctx, {
        flag: 'the JS_CODE argument',
        message: 'Code from wx.login()',
      })),
  );
  return withPaySession(ctx, { timeout: options.timeout }, async (session) => {
    const result = await session.client.jscode2session(code);
    const sessionKey = ctx.options.showSecrets
      ? result.session_key
      : maskSecret(result.session_key);
    const doc: Record<string, string> = { openid: result.openid };
    if (result.unionid) doc.unionid = result.unionid;
    doc.session_key = sessionKey;
    if (ctx.out.json) ctx.out.document(doc);
    else printText(ctx, doc);
    if (!ctx.options.showSecrets)
      ctx.out.info(
        'session_key is masked; --show-secrets reveals it. Never send it to the mini program.',
      );
    return 0;
  });
};

/** Text output; what the server sent is escaped (no raw control codes). */
function printText(ctx: Context, doc: Record<string, string>): void {
  const shown = Object.fromEntries(
    Object.entries(doc).map(([name, value]) => [name, escapeControls(value)]),
  );
  if (!ctx.out.stdoutIsTTY) {
    for (const [name, value] of Object.entries(shown)) {
      ctx.out.data(`${name}\t${value}`);
    }
    return;
  }
  printFields(ctx, [
    ['openid', shown.openid],
    [
      'unionid',
      shown.unionid ??
        '(none: the mini program is not bound to an Open Platform account)',
    ],
    ['session_key', shown.session_key],
  ]);
}
