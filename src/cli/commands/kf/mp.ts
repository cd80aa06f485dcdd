import { join } from 'node:path';
import { fetchMpHttp, type MpHttp } from '../../../core/kf/http.js';
import { KfClient } from '../../../core/kf/send.js';
import { AccessTokenManager } from '../../../core/kf/token.js';
import { FileTokenCache } from '../../../core/kf/token-file.js';
import type { Context } from '../../context.js';
import { mpBaseUrl, tokenCachePath, type KfSetup } from './setup.js';

/** The mini-program API as one command uses it. */
export interface MpSession {
  baseUrl: string;
  http: MpHttp;
  tokens: AccessTokenManager;
  client: KfClient;
  /** True when answers come from the simulator in this process. */
  simulated: boolean;
}

export interface MpOptions {
  classic?: boolean;
  appSecretFile?: string;
}

async function appSecret(
  ctx: Context,
  setup: KfSetup,
  options: MpOptions,
): Promise<string | undefined> {
  if (options.appSecretFile) {
    return ctx.readSecretFile(options.appSecretFile, '--app-secret-file');
  }
  // WXPAY_APP_SECRET is applied to the profile by ctx.profile().
  return setup.profile.app_secret;
}

/**
 * The simulator answering in this process (--mock): kf routes over the
 * simulator state in the config folder, so a user message recorded by
 * `kf trigger --mock` opens the reply window for a later `kf send --mock`.
 */
async function simulatorHttp(ctx: Context): Promise<MpHttp> {
  const [{ kfRoutes }, { inProcessHttp }, { fileStateStore }] =
    await Promise.all([
      import('../../../sim/kf/routes.js'),
      import('../../../sim/kf/in-process.js'),
      import('../../../sim/state-store.js'),
    ]);
  const store = fileStateStore(join(ctx.configDir, 'mock-state.json'));
  return inProcessHttp(kfRoutes, {
    now: () => ctx.now(),
    withState: (area, update) => store.withState(area, update),
  });
}

export async function openMp(
  ctx: Context,
  setup: KfSetup,
  options: MpOptions = {},
): Promise<MpSession> {
  const baseUrl = mpBaseUrl(setup);
  const simulated = baseUrl === 'mock:';
  const http = simulated ? await simulatorHttp(ctx) : fetchMpHttp();
  const tokens = new AccessTokenManager({
    http,
    baseUrl,
    appid: setup.appid ?? '',
    appSecret: await appSecret(ctx, setup, options),
    endpoint: options.classic ? 'classic' : 'stable',
    cache: new FileTokenCache(tokenCachePath(ctx), () =>
      Math.floor(ctx.now().getTime() / 1000),
    ),
    now: () => ctx.now().getTime(),
  });
  return {
    baseUrl,
    http,
    tokens,
    client: new KfClient({ http, baseUrl, tokens }),
    simulated,
  };
}
