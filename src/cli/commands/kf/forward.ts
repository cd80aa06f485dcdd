import { NetworkError, UsageError } from '../../../core/errors.js';
import type {
  KfReceiverAnswer,
  KfReceiverEvent,
} from '../../../core/kf/receiver.js';
import {
  judgePushAnswer,
  type HandlerAnswer,
} from '../../../core/kf/trigger.js';
import type { Context } from '../../context.js';

/** WeChat waits 5 s for an answer (spec §4.1). */
export const WECHAT_WAIT_MS = 5_000;

export interface HandlerReply extends HandlerAnswer {
  elapsedMs: number;
  /** True when nothing came back within the wait. */
  timedOut: boolean;
}

/** Checks a merchant handler URL given on the command line. */
export function handlerUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('KF_URL_INVALID', `${flag} "${value}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('KF_URL_INVALID', `${flag} must be an http(s) URL.`);
  }
  return url;
}

/**
 * Calls a merchant's push handler the way WeChat does: the query appended to
 * the handler's own, the raw body, at most 5 s. A refused connection is a
 * NetworkError; no answer in time is a reply with `timedOut`.
 */
export async function callHandler(
  ctx: Context,
  target: URL,
  request: {
    method: 'GET' | 'POST';
    query: string;
    body?: Buffer | string;
    contentType?: string;
  },
): Promise<HandlerReply> {
  const url = new URL(target);
  const extra = request.query.replace(/^\?/, '');
  if (extra) url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
  const started = ctx.now().getTime();
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.contentType
        ? { 'content-type': request.contentType }
        : undefined,
      body:
        request.body === undefined
          ? undefined
          : typeof request.body === 'string'
            ? request.body
            : new Uint8Array(request.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(WECHAT_WAIT_MS),
    });
    const body = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      body,
      elapsedMs: ctx.now().getTime() - started,
      timedOut: false,
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { status: 0, body: '', elapsedMs: WECHAT_WAIT_MS, timedOut: true };
    }
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new NetworkError(
      'KF_HANDLER_UNREACHABLE',
      `Cannot reach ${url.host}: ${code ?? (error as Error).message}.`,
      {
        hint: 'Start your push handler, or check the URL and port.',
        cause: error,
      },
    );
  }
}

/**
 * `kf listen --forward-to`: passes a verified push to the developer's
 * handler unchanged (same query and body, so it runs its own checks) and
 * relays its answer to WeChat, judged the way WeChat would. When the
 * handler cannot be reached in time, the listener's own answer is used.
 */
export async function forwardPush(
  ctx: Context,
  forwardTo: string,
  original: { url: string; body: Buffer; contentType?: string },
  event: Extract<KfReceiverEvent, { type: 'message' }>,
  secrets: { token: string; aesKey?: Buffer; appid: string },
  counts: { forwarded: number; forward_failed: number },
): Promise<KfReceiverAnswer | undefined> {
  const at = original.url.indexOf('?');
  let reply: HandlerReply;
  try {
    reply = await callHandler(ctx, handlerUrl(forwardTo, '--forward-to'), {
      method: 'POST',
      query: at >= 0 ? original.url.slice(at + 1) : '',
      body: original.body,
      contentType: original.contentType,
    });
  } catch (error) {
    counts.forward_failed += 1;
    ctx.out.warn(
      `Forward failed: ${(error as Error).message} Answered success instead.`,
    );
    return undefined;
  }
  if (reply.timedOut) {
    counts.forward_failed += 1;
    ctx.out.warn(
      `${forwardTo} did not answer within 5 s; WeChat would retry. Answered success instead.`,
    );
    return undefined;
  }
  counts.forwarded += 1;
  const judged = judgePushAnswer(
    reply,
    {
      message: event.push.message,
      format: event.push.messageFormat,
      safe: event.push.mode !== 'plaintext',
    },
    secrets,
  );
  for (const problem of judged.problems)
    ctx.out.warn(`Your handler ${problem}`);
  return {
    status: reply.status,
    headers: {
      'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
    },
    body: reply.body,
  };
}
