import { randomInt } from 'node:crypto';
import { InputError, SignatureError, WxPayError } from '../errors.js';
import { isUserMessage, pushDedupeKey, type PushFormat } from './message.js';
import { openPush, sealReply, transferReply, type OpenedPush } from './push.js';
import { parsePushQuery } from './signature.js';
import { verifyPushUrl } from './verify-url.js';

/**
 * A push receiver independent of any HTTP framework: give it the method,
 * the URL (path and query) and the raw body; it returns the answer to send
 * and what happened. Merchants can mount it in their own server; `wxpay kf
 * listen` mounts it on node:http.
 */
export interface KfReceivedRequest {
  method: string;
  /** Path and query as received, e.g. `/kf?signature=…&timestamp=…`. */
  url: string;
  body: Buffer;
}

export interface KfReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type KfReceiverEvent =
  | { type: 'verified'; echostr: string }
  | { type: 'verify-rejected'; causes: string[] }
  | {
      type: 'message';
      push: OpenedPush;
      duplicate: boolean;
      reply: 'success' | 'transfer';
    }
  | { type: 'rejected'; error: WxPayError }
  | { type: 'malformed'; error: WxPayError }
  | { type: 'method-not-allowed'; method: string };

export interface KfReceiverOptions {
  token: string;
  aesKey?: Buffer;
  appid?: string;
  /** Answer user messages (not events) with transfer_customer_service. */
  transfer?: boolean;
  /** Clock in milliseconds, for the reply TimeStamp. */
  now?: () => number;
  /** How many recent pushes to remember for retry dedupe (default 10000). */
  dedupeSize?: number;
}

export interface KfReceiver {
  handle(request: KfReceivedRequest): {
    answer: KfReceiverAnswer;
    event: KfReceiverEvent;
  };
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

function answer(
  status: number,
  body: string,
  headers: Record<string, string> = TEXT,
): KfReceiverAnswer {
  return { status, headers, body };
}

export function createKfReceiver(options: KfReceiverOptions): KfReceiver {
  const seen = new Set<string>();
  const limit = options.dedupeSize ?? 10_000;
  const now = options.now ?? Date.now;

  function remember(key: string): boolean {
    if (seen.has(key)) return true;
    seen.add(key);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    return false;
  }

  function handlePost(
    request: KfReceivedRequest,
    query: Record<string, string>,
  ) {
    const push = openPush(request.body, query, options);
    const duplicate = remember(pushDedupeKey(push.message));
    if (!options.transfer || !isUserMessage(push.message)) {
      // `success` needs no encryption, even in safe mode (spec §3.2).
      return {
        answer: answer(200, 'success'),
        event: { type: 'message', push, duplicate, reply: 'success' } as const,
      };
    }
    const seconds = String(Math.floor(now() / 1000));
    const reply = transferReply(push.message, push.messageFormat, seconds);
    const body =
      push.mode === 'plaintext'
        ? reply
        : sealReply(reply, push.format, {
            token: options.token,
            aesKey: options.aesKey as Buffer,
            appid: push.appid ?? options.appid ?? '',
            timestamp: seconds,
            // S1: echo the request's nonce.
            nonce: query.nonce ?? String(randomInt(1e9)),
          });
    return {
      answer: answer(200, body, contentTypeOf(push.format)),
      event: { type: 'message', push, duplicate, reply: 'transfer' } as const,
    };
  }

  return {
    handle(request) {
      const at = request.url.indexOf('?');
      const query = parsePushQuery(at >= 0 ? request.url.slice(at + 1) : '');
      try {
        if (request.method === 'GET') {
          const result = verifyPushUrl(query, options);
          return result.valid
            ? {
                answer: answer(200, result.answer ?? ''),
                event: { type: 'verified', echostr: result.answer ?? '' },
              }
            : {
                answer: answer(403, 'invalid signature'),
                event: { type: 'verify-rejected', causes: result.causes },
              };
        }
        if (request.method !== 'POST') {
          return {
            answer: answer(405, 'method not allowed', {
              ...TEXT,
              allow: 'GET, POST',
            }),
            event: { type: 'method-not-allowed', method: request.method },
          };
        }
        return handlePost(request, query);
      } catch (error) {
        return failure(error);
      }
    },
  };
}

function failure(error: unknown): {
  answer: KfReceiverAnswer;
  event: KfReceiverEvent;
} {
  if (error instanceof SignatureError) {
    return {
      answer: answer(403, 'invalid signature'),
      event: { type: 'rejected', error },
    };
  }
  const wrapped =
    error instanceof WxPayError
      ? error
      : new InputError('KF_BODY_MALFORMED', (error as Error).message, {
          cause: error,
        });
  return {
    answer: answer(400, 'bad request'),
    event: { type: 'malformed', error: wrapped },
  };
}

export function contentTypeOf(format: PushFormat): Record<string, string> {
  return {
    'content-type':
      format === 'xml'
        ? 'application/xml; charset=utf-8'
        : 'application/json; charset=utf-8',
  };
}
