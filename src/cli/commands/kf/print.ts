import {
  messageKind,
  summarizeMessage,
  type KfMessage,
} from '../../../core/kf/message.js';
import type { OpenedPush } from '../../../core/kf/push.js';
import type { Context } from '../../context.js';

/**
 * Characters a push must not get onto a terminal: C0 controls (newline,
 * tab, ESC…), DEL, C1 controls (0x9b starts an escape sequence too), the
 * Unicode line separators and the bidi overrides that reorder a line.
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from a push (or a handler) made safe for a log line: controls are
 * shown as escapes (\n, \t, \x1b), so a hostile push can neither forge a
 * line nor send terminal escape codes.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return (
      NAMED[char] ??
      (code < 0x100
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}

/**
 * JSON text for a piped line: JSON.stringify already escapes C0 controls;
 * the rest of UNSAFE is escaped the JSON way, so the value is unchanged.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

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
