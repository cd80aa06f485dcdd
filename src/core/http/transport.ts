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
  /** The HTTP status, when a server did answer (with something unusable). */
  readonly status?: number;
  /** A server answered, but not with a WeChat answer (see `unreadable`). */
  readonly unreadable: boolean;
  /** The parser's own words, for `details` (never shown in one line). */
  readonly detail?: string;

  constructor(
    readonly url: string,
    readonly reason: string,
    options: {
      cause?: unknown;
      status?: number;
      unreadable?: boolean;
      detail?: string;
    } = {},
  ) {
    super(reason, { cause: options.cause });
    this.status = options.status;
    this.unreadable = options.unreadable ?? false;
    this.detail = options.detail;
  }
}

export interface FailureRecord {
  url: string;
  reason: string;
  /** A server answered with something that is not a WeChat answer. */
  unreadable?: boolean;
  /** Why it could not be read (the XML or JSON parser's message). */
  detail?: string;
}

/**
 * The NetworkError of a call: states the timeout and the attempts made.
 * When every host answered with something that is not a WeChat answer (an
 * HTML page, an empty body, a redirect), the code is ANSWER_UNREADABLE:
 * still a transport failure (exit 3), never bad input or a refusal.
 */
export class PayNetworkError extends NetworkError {
  constructor(
    readonly timeoutMs: number,
    readonly attempts: number,
    readonly failures: FailureRecord[],
    options: { hint?: string; cause?: unknown } = {},
  ) {
    const unreadable =
      failures.length > 0 && failures.every((f) => f.unreadable);
    const list = failures.map((f) => `${f.url} ${f.reason}`).join('; ');
    super(
      unreadable ? 'ANSWER_UNREADABLE' : 'NETWORK',
      unreadable
        ? `No usable answer: ${list}.`
        : `No usable answer after ${attempts} attempt${attempts === 1 ? '' : 's'} (timeout ${timeoutMs} ms): ${list}.`,
      {
        hint:
          options.hint ??
          (unreadable
            ? 'Check base_url: it must be the WeChat Pay API or a wxpay simulator; a proxy, captive portal or web server answered instead.'
            : 'Check the network, proxy and base_url; raise --timeout if the host is slow.'),
        details: { timeout_ms: timeoutMs, attempts, failures },
        cause: options.cause,
      },
    );
  }
}

/**
 * The failure for an answer that is not a WeChat answer: names the status
 * and what came instead; the parser's message goes into `detail`.
 */
export function unreadableAnswer(
  url: string,
  status: number,
  what: string,
  options: { detail?: string; cause?: unknown; expected?: string } = {},
): TransportFailure {
  return new TransportFailure(
    url,
    `answered HTTP ${status} with ${what}, not ${options.expected ?? 'a WeChat Pay answer'}`,
    { ...options, status, unreadable: true },
  );
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
    const response = await send(url, init, controller.signal);
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
    throw failureOf(error, url, controller.signal.aborted, init.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** One undici request with the call's timeouts and abort signal. */
function send(
  url: string,
  init: Omit<HttpInit, 'maxBytes'>,
  signal: AbortSignal,
): ReturnType<typeof request> {
  return request(url, {
    method: init.method,
    body: init.body,
    headers: init.headers,
    dispatcher: init.dispatcher,
    signal,
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
  });
}

/** What went wrong in one exchange, as the failure that fails over. */
function failureOf(
  error: unknown,
  url: string,
  aborted: boolean,
  timeoutMs: number,
): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const reason = aborted
    ? `timed out after ${timeoutMs} ms`
    : describeError(error, timeoutMs);
  return new TransportFailure(url, reason, { cause: error });
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
 * usable answer, read by `read` (which throws a TransportFailure from
 * {@link unreadableAnswer} when the answer is not a WeChat answer).
 *
 * An answer that is not a WeChat answer (an HTML error page, an empty body,
 * a redirect to a portal) counts as no answer and fails over like a 5xx:
 * it is what a broken gateway in front of one host sends, and the backup
 * may be fine. The exception is a 4xx: the server refused this very
 * request (a wrong path, a proxy asking for credentials), and the backup
 * would refuse it too, so the call stops there. Re-sending is safe: it is
 * the identical signed body (same out_trade_no / out_refund_no).
 */
export async function sendWithFailover<T = HttpAnswer>(
  bases: string[],
  path: string,
  init: FailoverInit,
  read: (answer: HttpAnswer) => T = (answer) => answer as T,
): Promise<HttpAnswer & { baseUrl: string; attempts: number; value: T }> {
  const failures: FailureRecord[] = [];
  let lastError: unknown;
  for (const [index, base] of bases.entries()) {
    const url = joinUrl(base, path);
    announce(init, url);
    try {
      const answer = await exchange(url, init);
      init.onEvent?.({
        type: 'response',
        url: init.redact(url),
        status: answer.status,
        body: init.redact(answer.body.toString('utf8')),
        ms: answer.ms,
      });
      const value = read(answer);
      return { ...answer, baseUrl: base, attempts: failures.length + 1, value };
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      const failure = error;
      failures.push({
        url: init.redact(url),
        reason: failure.reason,
        ...(failure.unreadable
          ? { unreadable: true, detail: failure.detail }
          : {}),
      });
      lastError = failure.cause ?? failure;
      const status = failure.status ?? 0;
      if (failure.unreadable && status >= 400 && status < 500) break;
      failingOver(init, bases, index, failure.reason);
    }
  }
  throw new PayNetworkError(init.timeoutMs, failures.length, failures, {
    cause: lastError,
  });
}

/** Says that the next host is tried (always shown, not only verbose). */
function failingOver(
  init: FailoverInit,
  bases: string[],
  index: number,
  reason: string,
): void {
  const next = bases[index + 1];
  if (next) {
    init.onEvent?.({ type: 'failover', from: bases[index], to: next, reason });
  }
}

/** The `--verbose` dump of a request about to go out (redacted). */
function announce(init: FailoverInit, url: string): void {
  init.onEvent?.({
    type: 'request',
    method: init.method,
    url: init.redact(url),
    body: init.body === undefined ? undefined : init.redact(init.body),
  });
}

/** An answer whose body is still to be read (bills: any size). */
export interface StreamingAnswer {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Read it once; a broken connection while reading is a NetworkError. */
  body: AsyncIterable<Buffer>;
}

/**
 * Like {@link sendWithFailover}, but hands the body to `consume` as it
 * arrives instead of holding it. The timeout bounds connecting and the
 * wait for the headers, then each pause between chunks: a large bill may
 * take longer than the timeout in total while data keeps coming. Failover
 * happens only before the body is consumed.
 */
export async function streamWithFailover<T>(
  bases: string[],
  path: string,
  init: FailoverInit,
  consume: (answer: StreamingAnswer, attempts: number) => Promise<T>,
): Promise<T> {
  const failures: { url: string; reason: string }[] = [];
  let lastError: unknown;
  for (const [index, base] of bases.entries()) {
    const url = joinUrl(base, path);
    announce(init, url);
    let opened: Awaited<ReturnType<typeof openStream>>;
    try {
      opened = await openStream(url, init);
    } catch (error) {
      const failure = error as TransportFailure;
      failures.push({ url: init.redact(url), reason: failure.reason });
      lastError = failure.cause ?? failure;
      failingOver(init, bases, index, failure.reason);
      continue;
    }
    init.onEvent?.({
      type: 'response',
      url: init.redact(url),
      status: opened.status,
      body: '(body streamed, not shown)',
      ms: opened.ms,
    });
    const attempts = failures.length + 1;
    const broken = (error: unknown) =>
      new PayNetworkError(init.timeoutMs, attempts, [
        {
          url: init.redact(url),
          reason: `broke off while sending the body: ${describeError(error, init.timeoutMs)}`,
        },
      ]);
    try {
      return await consume(
        { ...opened, body: guardedBody(opened.raw, broken) },
        attempts,
      );
    } finally {
      discard(opened.raw);
    }
  }
  throw new PayNetworkError(init.timeoutMs, failures.length, failures, {
    cause: lastError,
  });
}

/** Connects and waits for the headers; a 5xx is a failure to fail over. */
async function openStream(url: string, init: Omit<HttpInit, 'maxBytes'>) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), init.timeoutMs);
  const started = performance.now();
  try {
    const response = await send(url, init, controller.signal);
    if (response.statusCode >= 500) {
      discard(response.body);
      throw new TransportFailure(url, `answered HTTP ${response.statusCode}`);
    }
    return {
      url,
      status: response.statusCode,
      headers: response.headers,
      raw: response.body,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    throw failureOf(error, url, controller.signal.aborted, init.timeoutMs);
  } finally {
    // From here on only bodyTimeout applies: the pause between chunks.
    clearTimeout(timer);
  }
}

/** Drops a body not (fully) read; undici reports that as an error. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function* guardedBody(
  body: Dispatcher.ResponseData['body'],
  broken: (error: unknown) => Error,
): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<unknown>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw broken(error);
    }
    if (next.done) return;
    yield next.value as Buffer;
  }
}

/** Joins a base URL (with or without a path prefix) and an API path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
