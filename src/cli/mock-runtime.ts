import type { SimMerchant } from '../sim/merchants.js';
import type { SimServices } from '../sim/router.js';
import type { Simulator } from '../sim/simulator.js';
import type { Context } from './context.js';

/**
 * The embedded simulator: what `--mock` and the built-in `mock` profile
 * (`ctx.profile()` gives `mock: true`, base_url `mock:`) run against.
 *
 * ```ts
 * const resolved = await ctx.profile();
 * if (resolved.mock) {
 *   return withSimulator(ctx, (baseUrl) => callWeChat(baseUrl));
 * }
 * ```
 *
 * - `withSimulator(ctx, run)` starts the simulator on 127.0.0.1 (a free
 *   port) over the state file in the config folder
 *   (`<configDir>/mock/state.json`), gives `run` its base URL, which serves
 *   both the pay paths and the mini-program paths (jscode2session, kf), and
 *   stops it when `run` settles. Orders made by one command are seen by the
 *   next, by `wxpay mock pay`, and by a `wxpay mock serve` on the same folder.
 * - `openSimulator(ctx)` is the same simulator without a socket, for code
 *   that calls it directly (`wxpay mock pay`, routes run in-process).
 * - `simulatorServices(ctx)` is the state and clock routes take
 *   (`SimServices`), for running simulator routes in-process.
 *
 * The demo merchant is always known; if the `mock` profile was edited
 * (another key or appid), that merchant is known too, so its requests
 * verify. With `--verbose` every simulator request is logged on stderr.
 */
export async function withSimulator<T>(
  ctx: Context,
  run: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const { startSimulator } = await import('../sim/index.js');
  const sim = await startSimulator({
    configDir: ctx.configDir,
    merchants: await profileMerchants(ctx),
    now: () => ctx.now(),
    onRequest: (entry) =>
      ctx.out.debug(
        `simulator: ${entry.method} ${entry.path} → ${entry.status} ${entry.outcome} (${entry.ms} ms)`,
      ),
    onNotify: (attempt) =>
      ctx.out.info(
        `simulator: ${attempt.kind} notification to ${attempt.url}: ${attempt.acknowledged ? 'acknowledged' : (attempt.reason ?? 'not acknowledged')}`,
      ),
  });
  try {
    return await run(sim.url);
  } finally {
    await sim.close();
  }
}

/** The embedded simulator without a server, on the config folder's state. */
export async function openSimulator(
  ctx: Context,
  options: { speed?: number; allowRemoteNotify?: boolean } = {},
): Promise<Simulator> {
  const { Simulator } = await import('../sim/simulator.js');
  return new Simulator({
    configDir: ctx.configDir,
    merchants: await profileMerchants(ctx),
    now: () => ctx.now(),
    ...options,
  });
}

/** The simulator state and clock, for routes run in this process. */
export async function simulatorServices(ctx: Context): Promise<SimServices> {
  return (await openSimulator(ctx)).services;
}

/** The merchant of the mock profile, when it was changed from the demo. */
async function profileMerchants(ctx: Context): Promise<SimMerchant[]> {
  const { MOCK_PROFILE_NAME } = await import('../sim/demo.js');
  if ((await ctx.profileName()) !== MOCK_PROFILE_NAME) return [];
  const { profile } = await ctx.profile();
  if (!profile.appid || !profile.mch_id || !profile.key) return [];
  return [
    {
      appids: [profile.appid],
      mch_id: profile.mch_id,
      key: profile.key,
      appSecrets: profile.app_secret
        ? { [profile.appid]: profile.app_secret }
        : undefined,
    },
  ];
}
