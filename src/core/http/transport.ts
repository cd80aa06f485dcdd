import { request, type Dispatcher } from 'undici';
import { NetworkError } from '../errors.js';
import type { PayEvent } from './types.js';

/**
 * One HTTP exchange with a total deadline, and the failover from base_url
 * to backup_base_url (spec 1: api2 is the cross-city backup of api; the
 * switching policy is UNCONFIRMED, so wxpay switches on what community
 * practice uses: connection errors, timeouts and HTTP 5xx).
 */

export interface HttpInit {
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxBytes: number;
}

export interface HttpAnswer {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

/** Why one exchange gave no usable answer; these switch to the backup. */
export class TransportFailure extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(reason, options);
  }
}

/** The NetworkError of a call: states the timeout and the attempts made. */
export class PayNetworkError extends NetworkError {
  constructor(
    readonly timeoutMs: number,
    readonly attempts: number,
    readonly failures: { url: string; reason: string }[],
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(
      'NETWORK',
      `No usable answer after ${attempts} attempt${attempts === 1 ? '' : 's'} (timeout ${timeoutMs} ms): ${failures
        .map((f) => `${f.url} ${f.reason}`)
        .join('; ')}.`,
      {
        hint:
          options.hint ??
          'Check the network, proxy and base_url; raise --timeout if the host is slow.',
        details: { timeout_ms: timeoutMs, attempts, failures },
        cause: options.cause,
      },
    );
  }
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
};

function describeError(error: unknown, timeoutMs: number): string {
  const err = error as { code?: string; message?: string; name?: string };
  if (
    err.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err.code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return `timed out after ${timeoutMs} ms`;
  }
  const known = err.code ? CONNECTION_CODES[err.code] : undefined;
  if (known) return known;
  if (
    err.code?.startsWith('ERR_TLS') ||
    /certificate|ssl|tls/i.test(err.message ?? '')
  ) {
    return `TLS error: ${err.message}`;
  }
  return err.message || err.name || 'request failed';
}

async function readBody(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  url: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new TransportFailure(
        url,
        `answered with more than ${maxBytes} bytes; refused`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Sends one request. The deadline covers connecting, waiting and reading
 * the body. Throws TransportFailure for anything that should fail over.
 */
export async function exchange(
  url: string,
  init: HttpInit,
): Promise<HttpAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), init.timeoutMs);
  const started = performance.now();
  try {
    const response = await request(url, {
      method: init.method,
      body: init.body,
      headers: init.headers,
      dispatcher: init.dispatcher,
      signal: controller.signal,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    const body = await readBody(response.body, init.maxBytes, url);
    const ms = Math.round(performance.now() - started);
    if (response.statusCode >= 500) {
      throw new TransportFailure(url, `answered HTTP ${response.statusCode}`);
    }
    return {
      url,
      status: response.statusCode,
      headers: response.headers,
      body,
      ms,
    };
  } catch (error) {
    if (error instanceof TransportFailure) throw error;
    const reason = controller.signal.aborted
      ? `timed out after ${init.timeoutMs} ms`
      : describeError(error, init.timeoutMs);
    throw new TransportFailure(url, reason, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

export interface FailoverInit extends Omit<HttpInit, 'body'> {
  /** Builds the body for a given URL (it is the same for every URL). */
  body?: string;
  onEvent?: (event: PayEvent) => void;
  /** Redacts a body or URL for the event dump. */
  redact: (text: string) => string;
}

/**
 * Tries each base URL in turn (primary, then backup) and returns the first
 * usable answer. An HTTP 4xx is an answer, not an outage: it is returned.
 */
export async function sendWithFailover(
  bases: string[],
  path: string,
  init: FailoverInit,
): Promise<HttpAnswer & { baseUrl: string; attempts: number }> {
  const failures: { url: string; reason: string }[] = [];
  let lastError: unknown;
  for (const [index, base] of bases.entries()) {
    const url = joinUrl(base, path);
    init.onEvent?.({
      type: 'request',
      method: init.method,
      url: init.redact(url),
      body: init.body === undefined ? undefined : init.redact(init.body),
    });
    try {
      const answer = await exchange(url, init);
      init.onEvent?.({
        type: 'response',
        url: init.redact(url),
        status: answer.status,
        body: init.redact(answer.body.toString('utf8')),
        ms: answer.ms,
      });
      return { ...answer, baseUrl: base, attempts: failures.length + 1 };
    } catch (error) {
      const failure = error as TransportFailure;
      failures.push({ url: init.redact(url), reason: failure.reason });
      lastError = failure.cause ?? failure;
      const next = bases[index + 1];
      if (next) {
        init.onEvent?.({
          type: 'failover',
          from: base,
          to: next,
          reason: failure.reason,
        });
      }
    }
  }
  throw new PayNetworkError(init.timeoutMs, failures.length, failures, {
    cause: lastError,
  });
}

/** Joins a base URL (with or without a path prefix) and an API path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
