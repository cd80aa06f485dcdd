import { UsageError } from '../../../core/errors.js';
import { parseDuration } from '../../../core/fields.js';
import { escapeControls } from '../../../core/safe-text.js';
import type { DeliveryAttempt } from '../../../sim/notify.js';
import type { Context } from '../../context.js';

/** Reads --speed: a positive number (fractions allowed). */
export function parseSpeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const speed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(speed > 0)) {
    throw new UsageError(
      'SPEED_INVALID',
      `--speed "${value}" is not a positive number.`,
      {
        hint: 'For example --speed 60 turns 15 s into 0.25 s.',
      },
    );
  }
  return speed;
}

/** Reads a whole number flag within bounds. */
export function parseWhole(
  value: string,
  flag: string,
  min: number,
  max: number,
): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(
      'FLAG_INVALID',
      `${flag} "${value}" must be a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

/** Reads milliseconds given bare (`1500`) or as a duration (`2s`, `1m`). */
export function parseMilliseconds(value: string, flag: string): number {
  const text = value.trim();
  const plain = /^(\d+)(ms)?$/.exec(text);
  if (plain) return Number(plain[1]);
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(
      'DURATION_INVALID',
      `${flag} "${value}" is not a duration.`,
      {
        hint: `Write ${flag} in milliseconds (1500) or like 2s or 1m.`,
      },
    );
  }
}

/** Reads a duration given as seconds (`30`) or like `30s`, `2m`. */
export function parseSeconds(value: string, flag: string): number {
  const text = value.trim();
  const ms = /^\d+$/.test(text)
    ? Number(text) * 1000
    : parseMilliseconds(text, flag);
  if (ms <= 0) {
    throw new UsageError(
      'DURATION_INVALID',
      `${flag} "${value}" is not a positive duration.`,
    );
  }
  return ms;
}

function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** Ends a reason with a full stop, unless it already ends a sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * One stderr line per notification attempt. The reason quotes the
 * handler's reply and the URL is the order's notify_url: both escaped.
 */
export function printAttempt(ctx: Context, attempt: DeliveryAttempt): void {
  const c = ctx.out.errColor;
  const head = `${attempt.kind} notification ${attempt.attempt}/${attempt.of} → ${escapeControls(attempt.url)}`;
  if (attempt.acknowledged) {
    ctx.out.info(
      `${head}: ${c.green('acknowledged')} (HTTP ${attempt.status})`,
    );
    return;
  }
  const reason = sentence(
    escapeControls(attempt.reason ?? 'not acknowledged').trim(),
  );
  const next =
    attempt.nextInMs === undefined
      ? ''
      : ` Next attempt in ${seconds(attempt.nextInMs)}.`;
  ctx.out.info(`${head}: ${c.yellow(reason)}${next}`);
}
