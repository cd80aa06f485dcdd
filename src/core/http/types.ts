import type { Dispatcher } from 'undici';
import type { SignType } from '../sign.js';

/**
 * What the client reports while it works: the `--verbose` dump (bodies are
 * already redacted: no `<sign>`, key, AppSecret or session_key) and the
 * notices a user must see (failover, retries).
 */
export type PayEvent =
  | {
      type: 'request';
      method: 'GET' | 'POST';
      url: string;
      body?: string;
    }
  | {
      type: 'response';
      url: string;
      status: number;
      body: string;
      ms: number;
    }
  | { type: 'failover'; from: string; to: string; reason: string }
  | {
      type: 'retry';
      /** The attempt that follows the pause, counted from 2. */
      attempt: number;
      delayMs: number;
      code: string;
    };

/**
 * The merchant API certificate for refund and downloadfundflow (spec 4.0):
 * apiclient_cert.p12 with its passphrase (WeChat's default is the mch_id),
 * or the PEM pair. `ca` is only for private test servers.
 */
export interface ClientTls {
  pfx?: Buffer;
  passphrase?: string;
  cert?: string | Buffer;
  key?: string | Buffer;
  ca?: string | Buffer | (string | Buffer)[];
}

export interface PayClientOptions {
  /** The pay API host, e.g. https://api.mch.weixin.qq.com or a simulator. */
  baseUrl: string;
  /**
   * Tried when baseUrl fails (connection error, timeout, 5xx). Defaults to
   * https://api2.mch.weixin.qq.com only when baseUrl is WeChat's primary
   * host; any other baseUrl (a simulator, a test server) has no backup
   * unless one is given, so a local setup never fails over to WeChat.
   * `null` or `''` turns failover off.
   */
  backupBaseUrl?: string | null;
  /** The mini-program API host (jscode2session). */
  mpBaseUrl?: string;
  appid: string;
  mchId: string;
  /** The v2 API key (32 characters). */
  key: string;
  /** The mini program's AppSecret, needed only for jscode2session. */
  appSecret?: string;
  signType?: SignType;
  /** Total time for one HTTP exchange, and the connect timeout; 10 s. */
  timeoutMs?: number;
  /** Connect timeout when different from timeoutMs. */
  connectTimeoutMs?: number;
  /**
   * An undici dispatcher (MockAgent, a proxy agent, a simulator). When
   * given it carries every call, certificate calls included.
   */
  dispatcher?: Dispatcher;
  tls?: ClientTls;
  /** Retries after SYSTEMERROR / BIZERR_NEED_RETRY; default 2. */
  retries?: number;
  /** The first backoff pause; it doubles on each retry. Default 500 ms. */
  retryDelayMs?: number;
  /** Largest accepted response body for XML calls; default 1 MiB. */
  maxResponseBytes?: number;
  onEvent?: (event: PayEvent) => void;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable nonce_str generator (tests, known-answer checks). */
  nonce?: () => string;
}

export interface CallOptions {
  /** Overrides the client's sign type for this call (downloadfundflow). */
  signType?: SignType;
  /** The endpoint needs the client certificate (spec 4.0). */
  cert?: boolean;
  /** Set false for endpoints whose answer carries no sign. */
  signedResponse?: boolean;
  /** Overrides the client's retry count for this call. */
  retries?: number;
}

/** A signed request, ready to send or to print (`--dry-run`). */
export interface PreparedRequest {
  path: string;
  url: string;
  signType: SignType;
  /** Every field sent, `sign` included. */
  params: Record<string, string>;
  xml: string;
}

/** An accepted answer: return_code and result_code were SUCCESS. */
export interface PayResult {
  fields: Record<string, string>;
  /** Level 3 of the status model (orderquery's trade_state), if present. */
  tradeState?: string;
  request: PreparedRequest;
  /** The base URL that answered. */
  baseUrl: string;
  /** HTTP exchanges made, failover and retries included. */
  attempts: number;
}

/** A bill body from downloadbill / downloadfundflow. */
export interface RawResult {
  /** The bytes as received (gzip when tar_type=GZIP was honoured). */
  body: Buffer;
  gzip: boolean;
  /** The bill as text (decompressed when needed). */
  text: string;
  /** The `Digest` response header (downloadfundflow: `SHA=<sha1 hex>`). */
  digest?: string;
  request: PreparedRequest;
  baseUrl: string;
  attempts: number;
}

export interface Code2Session {
  openid: string;
  session_key: string;
  unionid?: string;
}
