import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { NetworkError, UsageError } from '../errors.js';
import { checkAcknowledgement, type Acknowledgement } from './reply.js';

/**
 * Delivers a notification body to a notify handler the way WeChat does (an
 * HTTP POST of the raw XML) and judges the reply. Shared by
 * `notify trigger`, `notify listen --forward-to` and the simulator.
 */

/** WeChat's reply deadline: 5 s in the v3 docs, UNCONFIRMED for v2. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 5000;

const REPLY_CAP = 64 * 1024;

export interface Delivery {
  status: number;
  contentType?: string;
  /** The reply body (at most 64 KiB is kept). */
  body: string;
  /** From sending the request to the end of the reply. */
  latencyMs: number;
  acknowledgement: Acknowledgement;
}

export interface DeliverOptions {
  timeoutMs?: number;
  /** Request headers besides Content-Type and Content-Length. */
  headers?: Record<string, string>;
  /** Abandons the delivery (a listener that is stopping). */
  signal?: AbortSignal;
}

/**
 * Reads a handler URL from a flag. Only http and https URLs are accepted;
 * which host is the user's choice.
 */
export function parseHandlerUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('URL_INVALID', `${flag} "${text}" is not a URL.`, {
      hint: `Give a full URL, e.g. ${flag} http://127.0.0.1:3000/wxpay/notify`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'URL_SCHEME',
      `${flag} must be an http or https URL, not ${url.protocol}.`,
    );
  }
  return url;
}

/**
 * POSTs the exact body bytes. Resolves with the reply even when it is not an
 * acknowledgement; rejects with a NetworkError `NOTIFY_TIMEOUT` when no full
 * reply arrives in time, and `NOTIFY_UNREACHABLE` when the connection fails.
 */
export function deliverNotification(
  url: URL | string,
  body: string | Uint8Array,
  options: DeliverOptions = {},
): Promise<Delivery> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const started = performance.now();
  return new Promise<Delivery>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = send(target, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml',
        'Content-Length': String(payload.length),
        ...options.headers,
      },
    });
    const timer = setTimeout(() => {
      finish(() =>
        reject(
          new NetworkError(
            'NOTIFY_TIMEOUT',
            `${target.origin}${target.pathname} sent no complete reply within ${timeoutMs} ms; WeChat counts that as a failure and sends the notification again.`,
            {
              hint: 'Answer before doing slow work (queue it), or raise --timeout if the handler is just slow to start.',
            },
          ),
        ),
      );
      req.destroy();
    }, timeoutMs);
    options.signal?.addEventListener('abort', () => {
      finish(() =>
        reject(
          new NetworkError(
            'NOTIFY_ABANDONED',
            `Stopped before ${target.origin}${target.pathname} answered.`,
          ),
        ),
      );
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(() =>
        reject(
          new NetworkError(
            'NOTIFY_UNREACHABLE',
            `Cannot reach ${target.origin}: ${error.code ?? error.message}.`,
            {
              hint: 'Is the handler running and listening on that host and port?',
              cause: error,
            },
          ),
        ),
      ),
    );
    req.on('response', (res: IncomingMessage) => {
      readReply(res).then((text) =>
        finish(() => {
          const status = res.statusCode ?? 0;
          const contentType = res.headers['content-type'];
          resolve({
            status,
            contentType,
            body: text,
            latencyMs: performance.now() - started,
            acknowledgement: checkAcknowledgement(status, contentType, text),
          });
        }),
      );
    });
    req.end(payload);
  });
}

function readReply(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < REPLY_CAP) chunks.push(chunk);
      size += chunk.length;
    });
    const done = () =>
      resolve(Buffer.concat(chunks).subarray(0, REPLY_CAP).toString('utf8'));
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
  });
}
