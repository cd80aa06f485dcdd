import { join } from 'node:path';
import { FileOrderLedger, type OrderLedger } from '../core/api/order-ledger.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { parseDuration } from '../core/fields.js';
import { PayClient } from '../core/http/client.js';
import type { ClientTls, PayEvent } from '../core/http/types.js';
import { DEFAULT_BASE_URL, type Profile } from '../core/profile.js';
import { MOCK_PROFILE_NAME } from '../sim/demo.js';
import type { Context, ResolvedProfile } from './context.js';

/**
 * The one place API commands get a PayClient: from the active profile, or
 * from the embedded simulator for `--mock` / the `mock` profile. Refund and
 * bill commands use it too (`cert: true` loads the merchant certificate).
 */
export interface PaySession {
  client: PayClient;
  resolved: ResolvedProfile;
  profile: Profile;
  /** Remembers out_trade_no parameters (config folder, orders.json). */
  ledger: OrderLedger;
  /** Separates the ledger of each host: the profile's base_url. */
  scope: string;
  /** "the simulator" or the host, for status lines. */
  target: string;
  /**
   * The embedded simulator (`--mock`, the `mock` profile) answers: it runs
   * on a random port only while this command does, so URLs pointing at it
   * (an mweb_url, the dry-run target) are dead once the command ends.
   */
  embedded: boolean;
}

export interface SessionOptions {
  /** The endpoint needs the merchant API certificate. */
  cert?: boolean;
  /** HTTP timeout, e.g. `15s` (the `--timeout` flag). */
  timeout?: string;
  /** Key from --key-file instead of the profile. */
  keyFile?: string;
  signType?: string;
}

/** Reads a duration flag: `10s`, `2m`, `1h30m`, `500ms` or bare seconds. */
export function durationFlag(value: string, flag: string): number {
  const text = value.trim();
  const ms = /^\d+$/.test(text)
    ? Number(text) * 1000
    : /^\d+ms$/.test(text)
      ? Number(text.slice(0, -2))
      : safeDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      'DURATION_INVALID',
      `${flag} "${value}" is not a duration.`,
      {
        hint: `Write ${flag} like 10s, 2m or 1h30m.`,
      },
    );
  }
  return ms;
}

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** Prints failover and retry notices always, request dumps with --verbose. */
export function eventPrinter(ctx: Context): (event: PayEvent) => void {
  return (event) => {
    if (event.type === 'failover') {
      ctx.out.warn(
        `${event.from} failed (${event.reason}); trying the backup ${event.to}.`,
      );
    } else if (event.type === 'retry') {
      ctx.out.warn(
        `WeChat answered ${event.code}; retrying the same request in ${event.delayMs} ms (attempt ${event.attempt}).`,
      );
    } else if (event.type === 'request') {
      ctx.out.debug(`→ ${event.method} ${event.url}`);
      if (event.body) ctx.out.debug(event.body);
    } else {
      ctx.out.debug(`← HTTP ${event.status} ${event.url} (${event.ms} ms)`);
      ctx.out.debug(event.body);
    }
  };
}

function need(profile: Profile, name: string, field: keyof Profile): string {
  const value = profile[field];
  if (!value) {
    throw new ConfigError(
      'PROFILE_INCOMPLETE',
      `Profile "${name}" has no ${field}.`,
      {
        hint: `Run \`wxpay config set ${field}\`, or add --mock to try the simulator.`,
      },
    );
  }
  return String(value);
}

async function certificateTls(
  profile: Profile,
): Promise<ClientTls | undefined> {
  const { clientTls, hasCertificate } = await import('../core/cert/index.js');
  if (!hasCertificate(profile)) return undefined;
  return (await clientTls(profile)).tls;
}

async function openClient(
  ctx: Context,
  resolved: ResolvedProfile,
  simulatorUrl: string | undefined,
  options: SessionOptions,
): Promise<PayClient> {
  const { profile, name } = resolved;
  const { parseSignType } = await import('../core/sign.js');
  const simulated = simulatorUrl !== undefined;
  const baseUrl = simulatorUrl ?? profile.base_url ?? DEFAULT_BASE_URL;
  // The mock profile pointed at `wxpay mock serve` answers jscode2session
  // on the same port; never let it fall back to WeChat's real host.
  const mpBaseUrl =
    simulated || (name === MOCK_PROFILE_NAME && !profile.mp_base_url)
      ? baseUrl
      : profile.mp_base_url;
  return new PayClient({
    baseUrl,
    backupBaseUrl: simulated ? null : profile.backup_base_url,
    mpBaseUrl,
    appid: need(profile, name, 'appid'),
    mchId: need(profile, name, 'mch_id'),
    key: await ctx.apiKey(options.keyFile),
    appSecret: profile.app_secret,
    signType: options.signType
      ? parseSignType(options.signType)
      : profile.sign_type,
    timeoutMs: options.timeout
      ? durationFlag(options.timeout, '--timeout')
      : undefined,
    tls: options.cert && !simulated ? await certificateTls(profile) : undefined,
    onEvent: eventPrinter(ctx),
  });
}

/**
 * Runs `action` with a client for the active profile and closes it after.
 * The mock profile starts the embedded simulator for the duration.
 */
export async function withPaySession<T>(
  ctx: Context,
  options: SessionOptions,
  action: (session: PaySession) => Promise<T>,
): Promise<T> {
  const resolved = await ctx.profile();
  const scope = resolved.profile.base_url ?? DEFAULT_BASE_URL;
  const ledger = new FileOrderLedger(join(ctx.configDir, 'orders.json'));
  const run = async (simulatorUrl: string | undefined, target: string) => {
    const client = await openClient(ctx, resolved, simulatorUrl, options);
    try {
      return await action({
        client,
        resolved,
        profile: resolved.profile,
        ledger,
        scope,
        target,
        embedded: simulatorUrl !== undefined,
      });
    } finally {
      await client.close();
    }
  };
  if (!resolved.mock) return run(undefined, scope);
  const { withSimulator } = await import('./mock-runtime.js');
  return withSimulator(ctx, (baseUrl: string) => run(baseUrl, 'the simulator'));
}
