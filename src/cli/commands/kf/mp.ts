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
 * The embedded simulator answering in this process (--mock), over the
 * simulator state of the config folder: a user message recorded by
 * `kf trigger --mock` opens the reply window for a later `kf send --mock`,
 * and a `wxpay mock serve` on the same folder sees the same state.
 */
async function simulatorHttp(ctx: Context): Promise<MpHttp> {
  const [{ openSimulator }, { inProcessHttp }] = await Promise.all([
    import('../../mock-runtime.js'),
    import('../../../sim/kf/in-process.js'),
  ]);
  const simulator = await openSimulator(ctx);
  return inProcessHttp(simulator.routes(), simulator.services);
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
