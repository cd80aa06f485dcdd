import { ConfigError } from '../errors.js';
import { errcodeOf, TOKEN_ERRCODES } from './errcodes.js';
import { readMpJson, type MpHttp } from './http.js';

/**
 * The mini-program access_token (customer-service spec §6).
 *
 * - `stable` (default): POST /cgi-bin/stable_token with force_refresh:false.
 *   Every caller gets the same token and nobody invalidates anybody.
 * - `classic`: GET /cgi-bin/token. Each call invalidates the previous token
 *   about 300 s later, so two processes with one appid kill each other's
 *   tokens (case C13).
 */
export type TokenEndpoint = 'stable' | 'classic';

export interface CachedToken {
  access_token: string;
  /** Unix seconds when WeChat stops accepting it. */
  expires_at: number;
  /** Unix seconds when it was fetched. */
  fetched_at: number;
  endpoint: TokenEndpoint;
}

/** Where tokens are kept between calls (a file for the CLI). */
export interface TokenCache {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, token: CachedToken): Promise<void>;
  /** Removes the entry only while it still holds `token`. */
  deleteIf(key: string, token: string): Promise<void>;
}

export class MemoryTokenCache implements TokenCache {
  private readonly entries = new Map<string, CachedToken>();

  async get(key: string): Promise<CachedToken | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, token: CachedToken): Promise<void> {
    this.entries.set(key, token);
  }

  async deleteIf(key: string, token: string): Promise<void> {
    if (this.entries.get(key)?.access_token === token) this.entries.delete(key);
  }
}

export interface FetchTokenOptions {
  http: MpHttp;
  /** The mini-program API host, e.g. https://api.weixin.qq.com. */
  baseUrl: string;
  appid: string;
  appSecret: string;
  endpoint?: TokenEndpoint;
  /**
   * stable_token only: invalidate the current token. Limited to 20 a day,
   * 30 s apart, and it kills every other caller's token: for a leaked token,
   * never as a retry path (case C13).
   */
  forceRefresh?: boolean;
}

/** Fetches a token from WeChat; throws the explained errcode on refusal. */
export async function fetchAccessToken(
  options: FetchTokenOptions,
): Promise<{ access_token: string; expires_in: number }> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const endpoint = options.endpoint ?? 'stable';
  const response =
    endpoint === 'stable'
      ? await options.http({
          method: 'POST',
          url: `${base}/cgi-bin/stable_token`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            grant_type: 'client_credential',
            appid: options.appid,
            secret: options.appSecret,
            force_refresh: options.forceRefresh === true,
          }),
        })
      : await options.http({
          method: 'GET',
          url: `${base}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(options.appid)}&secret=${encodeURIComponent(options.appSecret)}`,
        });
  const fields = readMpJson(
    response,
    endpoint === 'stable' ? 'stable_token' : 'token',
  );
  const expiresIn = Number(fields.expires_in);
  if (!fields.access_token || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new ConfigError(
      'MP_TOKEN_ANSWER',
      'The token endpoint answered without access_token/expires_in.',
      { hint: 'Check mp_base_url: it must be the mini-program API host.' },
    );
  }
  return { access_token: fields.access_token, expires_in: expiresIn };
}

export interface TokenManagerOptions extends Omit<
  FetchTokenOptions,
  'forceRefresh' | 'appSecret'
> {
  /** Needed only when a token must be fetched. */
  appSecret?: string;
  cache?: TokenCache;
  /** The clock, in milliseconds (injectable for tests). */
  now?: () => number;
  /**
   * Seconds before expiry at which a token counts as expired, so a call is
   * never made with a token in its last moments (default 200, WxJava's
   * margin; stable tokens always come with at least 300 s left).
   */
  refreshMarginSeconds?: number;
}

export interface TokenResult extends CachedToken {
  source: 'cache' | 'fetched';
}

/**
 * Caches the token, refreshes it before expiry with one fetch at a time,
 * and runs calls with it, retrying once after an expired-token errcode.
 */
export class AccessTokenManager {
  private inflight?: Promise<TokenResult>;
  private readonly cache: TokenCache;
  private readonly now: () => number;
  readonly key: string;
  readonly endpoint: TokenEndpoint;

  constructor(private readonly options: TokenManagerOptions) {
    this.cache = options.cache ?? new MemoryTokenCache();
    this.now = options.now ?? Date.now;
    this.endpoint = options.endpoint ?? 'stable';
    this.key = tokenCacheKey(options.baseUrl, options.appid, this.endpoint);
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** A usable token: the cached one while fresh, else a fetched one. */
  async get(options: { forceRefresh?: boolean } = {}): Promise<TokenResult> {
    if (!options.forceRefresh) {
      const cached = await this.cache.get(this.key);
      if (cached && this.fresh(cached)) return { ...cached, source: 'cache' };
    }
    // Single flight: concurrent callers share one fetch.
    if (!this.inflight) {
      this.inflight = this.fetch(options.forceRefresh === true).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private fresh(token: CachedToken): boolean {
    const lifetime = token.expires_at - token.fetched_at;
    const margin = Math.min(
      this.options.refreshMarginSeconds ?? 200,
      Math.floor(lifetime / 2),
    );
    return token.expires_at - margin > this.seconds();
  }

  private async fetch(forceRefresh: boolean): Promise<TokenResult> {
    if (!this.options.appSecret) {
      throw new ConfigError(
        'APP_SECRET_MISSING',
        'An access_token is needed and the profile has no app_secret.',
        {
          hint: 'Run `wxpay config set app_secret` (masked prompt or stdin), set WXPAY_APP_SECRET, or pass --app-secret-file.',
        },
      );
    }
    const fetchedAt = this.seconds();
    const answer = await fetchAccessToken({
      ...this.options,
      appSecret: this.options.appSecret,
      endpoint: this.endpoint,
      forceRefresh: forceRefresh && this.endpoint === 'stable',
    });
    const token: CachedToken = {
      access_token: answer.access_token,
      expires_at: fetchedAt + answer.expires_in,
      fetched_at: fetchedAt,
      endpoint: this.endpoint,
    };
    await this.cache.set(this.key, token);
    return { ...token, source: 'fetched' };
  }

  /** Drops the cached token, but only if it is still the one that failed. */
  async invalidate(failedToken: string): Promise<void> {
    await this.cache.deleteIf(this.key, failedToken);
  }

  /**
   * Runs `call` with a token. On 40001/40014/42001 the token that failed is
   * dropped (only if still cached: another caller may already have replaced
   * it), a token is fetched in normal mode, and the call is retried once. A
   * second failure is reported, never looped (case C13).
   */
  async call<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const first = await this.get();
    try {
      return await call(first.access_token);
    } catch (error) {
      const errcode = errcodeOf(error);
      if (errcode === undefined || !TOKEN_ERRCODES.includes(errcode)) {
        throw error;
      }
      await this.invalidate(first.access_token);
      const second = await this.get();
      return call(second.access_token);
    }
  }
}

/** One cache entry per API host, AppID and endpoint (their tokens differ). */
export function tokenCacheKey(
  baseUrl: string,
  appid: string,
  endpoint: TokenEndpoint,
): string {
  return `${baseUrl.replace(/\/+$/, '')}|${appid}|${endpoint}`;
}
