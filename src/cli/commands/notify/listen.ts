import { UsageError } from '../../../core/errors.js';
import { fenToYuan } from '../../../core/money.js';
import { escapeControls } from '../../../core/safe-text.js';
import { parseHandlerUrl } from '../../../core/notify/deliver.js';
import {
  NotifyReceiver,
  type ReceivedNotification,
  type ReceiverStats,
} from '../../../core/notify/receiver.js';
import type { RunFn } from '../../command-kit.js';
import { plural } from '../../output.js';
import type { Context } from '../../context.js';
import { onInterrupt, stopWaitNotice } from '../../interrupt.js';
import {
  notifyProfile,
  parseTimeout,
  warnUnchecked,
  type ProfileFlags,
} from './shared.js';

interface ListenOptions extends ProfileFlags {
  port: string;
  host: string;
  forwardTo?: string;
  timeout: string;
  format: 'text' | 'ndjson';
}

export const listenRun: RunFn<ListenOptions> = async (ctx, _args, options) => {
  const port = parsePort(options.port);
  const forwardTo = options.forwardTo
    ? parseHandlerUrl(options.forwardTo, '--forward-to')
    : undefined;
  const forwardTimeoutMs = parseTimeout(options.timeout);
  const profile = await notifyProfile(ctx, options);
  warnUnchecked(ctx, profile);
  const receiver = new NotifyReceiver({
    profile,
    forwardTo,
    forwardTimeoutMs,
    onNotification: (record) => log(ctx, options.format, record),
  });
  const url = await receiver.listen(port, options.host).catch((error) => {
    throw listenError(error as NodeJS.ErrnoException, options);
  });
  announce(ctx, url, options.host, forwardTo);
  await new Promise<void>((resolve) => {
    const remove = onInterrupt(() => {
      remove();
      resolve();
    });
  });
  ctx.out.info('Stopping…');
  await receiver.close(stopWaitNotice((text) => ctx.out.info(text)));
  printSummary(ctx, receiver.stats);
  return 0;
};

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError('PORT_INVALID', `--port "${text}" is not a port.`, {
      hint: 'Use a number from 1 to 65535, or 0 for any free port.',
    });
  }
  return port;
}

function listenError(
  error: NodeJS.ErrnoException,
  options: ListenOptions,
): Error {
  if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
    return new UsageError(
      'PORT_UNAVAILABLE',
      `Cannot listen on ${options.host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}.`,
      { hint: 'Pick another --port (0 picks a free one).' },
    );
  }
  return new UsageError(
    'LISTEN_FAILED',
    `Cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}.`,
    { hint: 'Check --host: use 127.0.0.1 or an address of this machine.' },
  );
}

function announce(ctx: Context, url: URL, host: string, forwardTo?: URL) {
  const c = ctx.out.errColor;
  ctx.out.info(`Listening for notifications on ${c.bold(url.href)}`);
  if (forwardTo) ctx.out.info(`Forwarding each body to ${forwardTo.href}`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    ctx.out.warn(
      `--host ${host} accepts connections from other machines; anyone who can reach it can post notifications.`,
    );
  }
  ctx.out.info(c.dim('Press Ctrl-C to stop and print a summary.'));
}

function log(
  ctx: Context,
  format: 'text' | 'ndjson',
  record: ReceivedNotification,
): void {
  if (format === 'ndjson') {
    const line = JSON.stringify(ndjson(record));
    if (ctx.out.json) ctx.out.info(line);
    else ctx.out.data(line);
    return;
  }
  // With --json, stdout carries only the final summary document.
  if (ctx.out.json) {
    ctx.out.info(plainLine(record));
  } else if (ctx.out.stdoutIsTTY) {
    ctx.out.data(prettyLine(ctx, record));
  } else {
    ctx.out.data(plainLine(record));
  }
}

function ndjson(record: ReceivedNotification) {
  return {
    time: record.time.toISOString(),
    kind: record.kind,
    valid: record.valid,
    duplicate: record.duplicate,
    reason: record.reason,
    message: record.message,
    out_trade_no: record.outTradeNo,
    out_refund_no: record.outRefundNo,
    transaction_id: record.transactionId,
    amount_fen: record.amount,
    reply: record.reply,
    http_status: record.httpStatus,
    forward: record.forward && {
      ok: record.forward.ok,
      acknowledged: record.forward.acknowledged,
      http_status: record.forward.status,
      latency_ms:
        record.forward.latencyMs && Math.round(record.forward.latencyMs),
      problems: record.forward.problems,
      error: record.forward.error,
      error_code: record.forward.errorCode,
    },
  };
}

function forwardWord(record: ReceivedNotification): string {
  const forward = record.forward;
  if (!forward) return '-';
  if (forward.error) return 'error';
  return forward.acknowledged ? 'acknowledged' : 'refused';
}

/**
 * Tab-separated, fixed columns, for scripts. Every field comes from the
 * body a stranger posted, so control characters are escaped: a raw newline
 * or tab there would forge another log line or shift the columns.
 */
function plainLine(record: ReceivedNotification): string {
  return [
    record.time.toISOString(),
    record.kind,
    record.kind === 'refund' ? record.outRefundNo : record.outTradeNo,
    record.amount,
    record.valid ? 'valid' : 'invalid',
    record.duplicate ? 'duplicate' : '-',
    record.reason,
    record.reply,
    forwardWord(record),
  ]
    .map((value) =>
      value === undefined || value === '' ? '-' : escapeControls(String(value)),
    )
    .join('\t');
}

function prettyLine(ctx: Context, record: ReceivedNotification): string {
  const c = ctx.out.color;
  const time = record.time.toTimeString().slice(0, 8);
  const id = escapeControls(
    (record.kind === 'refund' ? record.outRefundNo : record.outTradeNo) ?? '-',
  );
  const amount =
    record.amount === undefined ? '' : `¥${fenToYuan(record.amount)}`;
  const verdict = record.valid
    ? c.green('✓ valid')
    : c.red(`✗ invalid (${escapeControls(record.reason)})`);
  const parts = [c.dim(time), record.kind.padEnd(7), id, amount, verdict];
  if (record.duplicate) parts.push(c.yellow('duplicate'));
  const notes = record.valid ? [] : [record.message];
  const forward = record.forward;
  if (forward) {
    const detail = forward.error
      ? `${forward.errorCode ? `${forward.errorCode}: ` : ''}${forward.error}`
      : `${forwardWord(record)}, HTTP ${forward.status}, ${Math.round(forward.latencyMs ?? 0)} ms`;
    parts.push(
      `→ handler ${forward.ok ? c.green('✓') : c.red('✗')} ${escapeControls(detail)}`,
    );
    notes.push(...forward.problems);
  }
  return [
    parts.filter(Boolean).join('  '),
    ...notes.map((note) => `    ${c.dim(escapeControls(note))}`),
  ].join('\n');
}

function printSummary(ctx: Context, stats: ReceiverStats): void {
  if (ctx.out.json) {
    ctx.out.document({
      received: stats.received,
      valid: stats.valid,
      invalid: stats.invalid,
      unreadable: stats.unreadable,
      duplicates: stats.duplicates,
      forwarded_ok: stats.forwardedOk,
      forwarded_failed: stats.forwardedFailed,
    });
  }
  ctx.out.info(
    `Received ${stats.received}: ${stats.valid} valid, ${stats.invalid} invalid (${stats.unreadable} unreadable), ${plural(stats.duplicates, 'duplicate')}; forwarded ok ${stats.forwardedOk}, failed ${stats.forwardedFailed}.`,
  );
}
