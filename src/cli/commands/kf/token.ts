import { maskSecret } from '../../../core/sign.js';
import type { RunFn } from '../../command-kit.js';
import { openMp } from './mp.js';
import { loadKfSetup, requireAppid } from './setup.js';

export interface TokenOptions {
  classic?: boolean;
  forceRefresh?: boolean;
  appSecretFile?: string;
}

/** `wxpay token`: the cached access_token, fetched when needed. */
export const tokenRun: RunFn<TokenOptions> = async (ctx, _args, options) => {
  const setup = await loadKfSetup(ctx, {});
  requireAppid(setup);
  if (options.forceRefresh) {
    ctx.out.warn(
      options.classic
        ? 'A classic token fetch makes every earlier token of this AppID stop working about 5 minutes later, on every server that uses it.'
        : 'force_refresh invalidates the current token for every server that uses this AppID; WeChat allows it 20 times a day, 30 s apart (calls closer together do not refresh). Use it only for a leaked token.',
    );
  }
  const mp = await openMp(ctx, setup, options);
  const token = await mp.tokens.get({ forceRefresh: options.forceRefresh });
  const now = Math.floor(ctx.now().getTime() / 1000);
  const shown = ctx.options.showSecrets
    ? token.access_token
    : maskSecret(token.access_token);
  const expiresIn = token.expires_at - now;
  const expiresAt = new Date(token.expires_at * 1000).toISOString();
  if (ctx.out.json) {
    ctx.out.document({
      access_token: shown,
      expires_in: expiresIn,
      expires_at: expiresAt,
      endpoint: token.endpoint === 'stable' ? 'stable_token' : 'token',
      source: token.source,
      appid: setup.appid,
      simulated: mp.simulated,
    });
    return 0;
  }
  if (ctx.out.stdoutIsTTY) {
    ctx.out.data(shown);
    ctx.out.info(
      `${token.source === 'cache' ? 'From the cache' : `Fetched from ${token.endpoint === 'stable' ? 'stable_token' : 'token (classic)'}`}${mp.simulated ? ' (simulator)' : ''}; expires in ${formatDuration(expiresIn)} (${expiresAt}).`,
    );
    if (!ctx.options.showSecrets) {
      ctx.out.info(
        ctx.out.errColor.dim('Redacted; add --show-secrets to print it.'),
      );
    }
  } else {
    ctx.out.data([shown, expiresIn, expiresAt, token.source].join('\t'));
  }
  if (token.endpoint === 'classic' && token.source === 'fetched') {
    ctx.out.warn(
      'Classic tokens: every fetch kills the previous token 5 minutes later. Let one service fetch them, or use the default stable_token endpoint.',
    );
  }
  return 0;
};

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}
