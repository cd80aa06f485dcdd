import {
  messageKind,
  summarizeMessage,
  type KfMessage,
} from '../../../core/kf/message.js';
import type { OpenedPush } from '../../../core/kf/push.js';
import type { Context } from '../../context.js';
import {
  escapeControls,
  escapeControlsInJson,
} from '../../../core/safe-text.js';

/** Push text made safe for a log line (see core/safe-text). */
export const printable = escapeControls;
export const printableJson = escapeControlsInJson;

/** The time a push carries (CreateTime), else now, as ISO text. */
function pushTime(message: KfMessage, now: Date): Date {
  const seconds = Number(message.CreateTime);
  return Number.isFinite(seconds) && seconds > 0
    ? new Date(seconds * 1000)
    : now;
}

/** One push as the JSON record `kf listen --json` collects. */
export function pushRecord(
  push: OpenedPush,
  duplicate: boolean,
  reply: string,
) {
  return {
    kind: messageKind(push.message),
    mode: push.mode,
    format: push.format,
    duplicate,
    reply,
    message: push.message,
  };
}

/**
 * One line per push. TTY: time, coloured kind, sender and a summary.
 * Piped: tab-separated ISO time, kind, openid, summary, MsgId, mode/format
 * and flags, stable for scripts.
 */
export function printPushLine(
  ctx: Context,
  push: OpenedPush,
  duplicate: boolean,
  reply: string,
): void {
  const message = push.message;
  const when = pushTime(message, ctx.now());
  const kind = printable(messageKind(message));
  const summary = printable(summarizeMessage(message));
  const from = printable(message.FromUserName ?? '');
  if (!ctx.out.stdoutIsTTY) {
    const flags = [duplicate ? 'retry' : '', reply === 'success' ? '' : reply]
      .filter(Boolean)
      .join(',');
    ctx.out.data(
      [
        when.toISOString(),
        kind,
        from,
        summary,
        printable(message.MsgId ?? ''),
        `${push.mode}/${push.format}`,
        flags,
      ].join('\t'),
    );
    return;
  }
  const c = ctx.out.color;
  const time = when.toTimeString().slice(0, 8);
  const colour = message.MsgType === 'event' ? c.magenta : c.cyan;
  const tail = [
    duplicate ? c.yellow('(retry, already seen)') : '',
    reply === 'success' ? '' : c.green(`→ ${reply}`),
    c.dim(`[${push.mode} ${push.format}]`),
  ]
    .filter(Boolean)
    .join(' ');
  ctx.out.data(
    `${c.dim(time)}  ${colour(kind.padEnd(22))} ${from || '?'}  ${summary}  ${tail}`,
  );
}
