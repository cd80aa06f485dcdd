import { diagnose } from '../../../core/diagnose/index.js';
import { UsageError } from '../../../core/errors.js';
import { readNotification } from '../../../core/notify/notification.js';
import { notifyReplyFor } from '../../../core/notify/reply.js';
import { escapeControls } from '../../../core/safe-text.js';
import type {
  Notification,
  NotifyProfile,
} from '../../../core/notify/types.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { maskKeyFields, otherSecrets } from '../../params-input.js';
import { printDiagnosis } from '../sign/print-diagnosis.js';
import { amounts, yuanOf } from '../../amounts.js';
import {
  notifyProfile,
  readNotificationBody,
  warnUnchecked,
  type ProfileFlags,
} from './shared.js';

interface VerifyOptions extends ProfileFlags {
  reply?: boolean;
}

export const verifyRun: RunFn<VerifyOptions> = async (ctx, args, options) => {
  const file = args[0] ?? '-';
  if (file === '-' && ctx.io.stdin.isTTY) {
    throw new UsageError('INPUT_MISSING', 'No notification body given.', {
      hint: 'Pass a FILE with the raw body, or pipe it in: … | wxpay notify verify -',
    });
  }
  const body = await readNotificationBody(ctx, file, 'FILE');
  const profile = await notifyProfile(ctx, options);
  warnUnchecked(ctx, profile);
  const notification = readNotification(body, profile);
  const reply = notifyReplyFor(notification);
  const diagnosis = await explain(ctx, notification, profile);
  const causes = diagnosis?.causes;
  if (ctx.out.json) {
    ctx.out.document({
      ...jsonDocument(notification, ctx.options.showSecrets),
      reply: options.reply ? reply : undefined,
      causes: causes?.map(({ cause, message }) => ({ cause, message })) ?? [],
    });
    return notification.valid ? 0 : 1;
  }
  if (options.reply) ctx.out.data(reply);
  printVerdict(ctx, notification, options.reply ? 'stderr' : 'stdout');
  if (!notification.valid) ctx.out.info(escapeControls(notification.message));
  if (diagnosis) {
    // WeChat signs notifications correctly; a mismatch is first of all a
    // sign of tampering, whatever formatting mistake it also resembles.
    ctx.out.warn(
      'Reject this notification: it was changed after signing or forged, or your key is not the one of this mch_id.',
    );
    printDiagnosis(ctx, diagnosis);
  }
  return notification.valid ? 0 : 1;
};

/** For a bad signature, the known mistakes that reproduce it (`sign diagnose`). */
async function explain(
  ctx: Context,
  notification: Notification,
  profile: NotifyProfile,
) {
  if (
    notification.kind !== 'payment' ||
    notification.reason !== 'sign_invalid'
  ) {
    return undefined;
  }
  return diagnose({
    params: notification.fields,
    key: profile.key,
    signature: notification.fields.sign,
    signType: notification.signType,
    otherSecrets: await otherSecrets(ctx),
  });
}

function shownFields(notification: Notification): Record<string, string> {
  if (notification.kind !== 'refund') return notification.fields;
  // req_info is ciphertext; the decrypted fields follow the envelope.
  const envelope = { ...notification.envelope };
  delete envelope.req_info;
  return { ...envelope, ...notification.fields };
}

function verdictWords(notification: Notification): string {
  const kind =
    notification.kind === 'unknown'
      ? 'notification'
      : `${notification.kind} notification`;
  const how =
    notification.kind === 'payment' && notification.signType
      ? ` (${notification.signType})`
      : notification.kind === 'refund' && notification.valid
        ? ' (req_info decrypted)'
        : '';
  return `${notification.valid ? 'valid' : 'invalid'} ${kind}${how}`;
}

function printVerdict(
  ctx: Context,
  notification: Notification,
  stream: 'stdout' | 'stderr',
): void {
  const toStdout = stream === 'stdout';
  const write = (text: string) =>
    toStdout ? ctx.out.data(text) : ctx.out.info(text);
  // Names and values come from the body as posted: escaped, so a forged
  // field cannot add lines, split columns or send terminal codes.
  const shown = maskKeyFields(
    shownFields(notification),
    ctx.options.showSecrets,
  );
  const fields = Object.entries(shown).map(
    ([name, value]) =>
      [
        escapeControls(name),
        escapeControls(value),
        yuanOf(name, value),
      ] as const,
  );
  if (!(toStdout ? ctx.out.stdoutIsTTY : ctx.out.stderrIsTTY)) {
    write(
      [
        notification.valid ? 'valid' : 'invalid',
        notification.kind,
        notification.kind === 'payment' ? (notification.signType ?? '-') : '-',
        notification.reason,
      ].join('\t'),
    );
    for (const [name, value, yuan] of fields) {
      write(yuan ? `${name}\t${value}\t${yuan}` : `${name}\t${value}`);
    }
    return;
  }
  const c = toStdout ? ctx.out.color : ctx.out.errColor;
  const mark = notification.valid ? c.green('✓') : c.red('✗');
  write(`${mark} ${c.bold(verdictWords(notification))}`);
  const width = Math.max(0, ...fields.map(([name]) => name.length));
  for (const [name, value, yuan] of fields) {
    const shown = yuan ? c.dim(`  (¥${yuan})`) : '';
    write(`  ${c.cyan(name.padEnd(width))}  ${value}${shown}`);
  }
}

function jsonDocument(
  notification: Notification,
  showSecrets: boolean | undefined,
): Record<string, unknown> {
  const common = {
    kind: notification.kind,
    valid: notification.valid,
    reason: notification.reason,
    message: notification.message,
    return_code: notification.returnCode,
    return_msg: notification.returnMsg,
    checks: {
      appid: notification.checks.appid,
      mch_id: notification.checks.mchId,
    },
  };
  if (notification.kind === 'payment') {
    return {
      ...common,
      paid: notification.paid,
      sign_type: notification.signType,
      fields: maskKeyFields(notification.fields, showSecrets),
      amounts: amounts(notification.fields),
    };
  }
  if (notification.kind === 'refund') {
    return {
      ...common,
      refunded: notification.refunded,
      envelope: maskKeyFields(notification.envelope, showSecrets),
      fields: maskKeyFields(notification.fields, showSecrets),
      amounts: amounts(notification.fields),
    };
  }
  return {
    ...common,
    fields: maskKeyFields(notification.fields, showSecrets),
  };
}
