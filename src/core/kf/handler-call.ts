import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * Calls a merchant's push handler the way WeChat does and says what came
 * back, without throwing for transport trouble: the caller decides what an
 * unreachable handler, a silent one or a torrent of bytes means.
 */

/** WeChat waits 5 s for an answer, then retries (spec §4.1). */
export const WECHAT_WAIT_MS = 5_000;

/**
 * A push answer is `success`, empty, or a small encrypted reply; 1 MiB is
 * far above any of them, so a larger answer is read no further.
 */
export const MAX_HANDLER_ANSWER_BYTES = 1024 * 1024;

export interface HandlerCallRequest {
  method: 'GET' | 'POST';
  body?: Buffer | string;
  contentType?: string;
}

export interface HandlerCallOptions {
  waitMs?: number;
  maxAnswerBytes?: number;
  /** Clock in milliseconds, for elapsed times. */
  now?: () => number;
  /** Host name resolution; tests give their own to stay off the network. */
  lookup?: LookupFunction;
}

interface Answered {
  status: number;
  contentType?: string;
  elapsedMs: number;
}

export type HandlerOutcome =
  /** A complete answer within the wait. */
  | (Answered & { kind: 'answered'; body: string })
  /** More than the cap came back; reading stopped there. */
  | (Answered & { kind: 'too-large'; bytesRead: number })
  /** Connected, but no complete answer within the wait. */
  | { kind: 'timeout'; status?: number; bytesRead: number; elapsedMs: number }
  /** The answer had begun, then the connection closed or was reset. */
  | {
      kind: 'closed';
      status?: number;
      bytesRead: number;
      code?: string;
      elapsedMs: number;
    }
  /**
   * No answer began: refused, reset or closed before a status line (a
   * tunnel or port mapping with nothing behind it), DNS, no route, TLS, or
   * no connection within the wait.
   */
  | { kind: 'unreachable'; code: string; elapsedMs: number };

/** Error codes in words a developer recognises. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no connection within the wait',
  EADDRNOTAVAIL: 'address not available',
};

/** `connection refused (ECONNREFUSED)`, or the bare code. */
export function describeNetworkCode(code: string): string {
  const reason = REASONS[code];
  return reason ? `${reason} (${code})` : code;
}

export function callPushHandler(
  url: URL,
  request: HandlerCallRequest,
  options: HandlerCallOptions = {},
): Promise<HandlerOutcome> {
  const now = options.now ?? Date.now;
  const waitMs = options.waitMs ?? WECHAT_WAIT_MS;
  const cap = options.maxAnswerBytes ?? MAX_HANDLER_ANSWER_BYTES;
  const started = now();
  const body =
    request.body === undefined ? undefined : Buffer.from(request.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve) => {
    let connected = false;
    let response: IncomingMessage | undefined;
    let bytesRead = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    const elapsed = () => now() - started;
    const finish = (outcome: HandlerOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      // Nothing more is read: an oversized or late answer is dropped here.
      outgoing.destroy();
    };

    const outgoing = send(url, {
      method: request.method,
      // A fresh connection each time, so "connected" means this call's.
      agent: false,
      lookup: options.lookup,
      headers: {
        ...(request.contentType ? { 'content-type': request.contentType } : {}),
        ...(body ? { 'content-length': String(body.length) } : {}),
      },
    });
    const timer = setTimeout(() => {
      finish(
        connected
          ? {
              kind: 'timeout',
              status: response?.statusCode,
              bytesRead,
              elapsedMs: elapsed(),
            }
          : { kind: 'unreachable', code: 'ETIMEDOUT', elapsedMs: elapsed() },
      );
    }, waitMs);

    outgoing.on('socket', (socket) => {
      // Over TLS, the handler is reached once the handshake succeeds; a
      // certificate WeChat would refuse is a connection failure.
      socket.once(
        url.protocol === 'https:' ? 'secureConnect' : 'connect',
        () => {
          connected = true;
        },
      );
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      finish(
        response
          ? {
              kind: 'closed',
              status: response?.statusCode,
              bytesRead,
              code,
              elapsedMs: elapsed(),
            }
          : { kind: 'unreachable', code, elapsedMs: elapsed() },
      );
    });
    outgoing.on('response', (incoming) => {
      response = incoming;
      const head = {
        status: incoming.statusCode ?? 0,
        contentType: incoming.headers['content-type'],
      };
      incoming.on('data', (chunk: Buffer) => {
        bytesRead += chunk.length;
        if (bytesRead > cap) {
          finish({
            kind: 'too-large',
            ...head,
            bytesRead,
            elapsedMs: elapsed(),
          });
          return;
        }
        chunks.push(chunk);
      });
      incoming.on('end', () => {
        finish({
          kind: 'answered',
          ...head,
          body: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: elapsed(),
        });
      });
      incoming.on('error', () => undefined);
      incoming.on('close', () => {
        if (!incoming.complete) {
          finish({
            kind: 'closed',
            status: head.status,
            bytesRead,
            elapsedMs: elapsed(),
          });
        }
      });
    });
    outgoing.end(body);
  });
}
