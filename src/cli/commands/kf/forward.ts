import { NetworkError, UsageError } from '../../../core/errors.js';
import {
  callPushHandler,
  describeNetworkCode,
  type HandlerCallRequest,
  type HandlerOutcome,
  WECHAT_WAIT_MS,
} from '../../../core/kf/handler-call.js';
import { judgePushAnswer } from '../../../core/kf/judge.js';
import type {
  KfReceiverAnswer,
  KfReceiverEvent,
} from '../../../core/kf/receiver.js';
import type { Context } from '../../context.js';
import { printable } from './print.js';

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
 * the handler's own, the raw body, at most 5 s, at most 1 MiB of answer.
 */
export function callHandler(
  ctx: Context,
  target: URL,
  request: HandlerCallRequest & { query: string },
  waitMs = WECHAT_WAIT_MS,
): Promise<HandlerOutcome> {
  const url = new URL(target);
  const extra = request.query.replace(/^\?/, '');
  if (extra) url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
  return callPushHandler(url, request, {
    now: () => ctx.now().getTime(),
    waitMs,
  });
}

/**
 * A listener in front of a handler must still answer WeChat within its 5 s:
 * the handler gets this much less, so the fallback `success` arrives in time.
 */
const FORWARD_MARGIN_MS = 500;

/** The error for a handler that could not be reached (exit 3). */
export function unreachableError(target: URL, code: string): NetworkError {
  return new NetworkError(
    'KF_HANDLER_UNREACHABLE',
    `Cannot reach ${target.host}: ${describeNetworkCode(code)}.`,
    { hint: 'Start your push handler, or check the URL and port.' },
  );
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
  counts: {
    forwarded: number;
    forward_failed: number;
    forward_bad_answers: number;
  },
): Promise<KfReceiverAnswer | undefined> {
  const at = original.url.indexOf('?');
  const target = handlerUrl(forwardTo, '--forward-to');
  const outcome = await callHandler(
    ctx,
    target,
    {
      method: 'POST',
      query: at >= 0 ? original.url.slice(at + 1) : '',
      body: original.body,
      contentType: original.contentType,
    },
    WECHAT_WAIT_MS - FORWARD_MARGIN_MS,
  );
  if (outcome.kind !== 'answered') {
    counts.forward_failed += 1;
    ctx.out.warn(
      `Forward failed: ${forwardFailure(target, outcome)} Answered success instead.`,
    );
    return undefined;
  }
  counts.forwarded += 1;
  const judged = judgePushAnswer(
    outcome,
    {
      message: event.push.message,
      format: event.push.messageFormat,
      safe: event.push.mode !== 'plaintext',
    },
    secrets,
  );
  // Delivered, but an answer WeChat would not take: counted apart, so the
  // summary does not call it a plain success.
  if (judged.problems.length) counts.forward_bad_answers += 1;
  for (const problem of judged.problems) ctx.out.warn(printable(problem));
  return {
    status: outcome.status,
    headers: {
      'content-type': outcome.contentType ?? 'text/plain; charset=utf-8',
    },
    body: outcome.body,
  };
}

function forwardFailure(
  target: URL,
  outcome: Exclude<HandlerOutcome, { kind: 'answered' }>,
): string {
  switch (outcome.kind) {
    case 'unreachable':
      return `Cannot reach ${target.host}: ${describeNetworkCode(outcome.code)}.`;
    case 'timeout':
      return `${target.host} did not answer within ${(WECHAT_WAIT_MS - FORWARD_MARGIN_MS) / 1000} s (the time left to answer WeChat); WeChat would retry.`;
    case 'too-large':
      return `${target.host} answered more than 1 MiB.`;
    case 'closed':
      return `${target.host} closed the connection without a complete answer.`;
  }
}
