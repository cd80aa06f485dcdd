import { randomInt } from 'node:crypto';
import { InputError, UsageError } from '../../../core/errors.js';
import { MAX_PUSH_BYTES, parsePushBody } from '../../../core/kf/message.js';
import { openPush, sealPush, sealReply } from '../../../core/kf/push.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { readCapped } from '../../input-file.js';
import { printable, printableJson } from './print.js';
import {
  loadKfSetup,
  parseFormat,
  requireAesKey,
  requireAppid,
  requireToken,
  type KfOptions,
} from './setup.js';
import { queryFromFlags, type QueryFlags } from './verify-url.js';

/**
 * The body from a file argument, `-`, or piped stdin; one over the push cap
 * is refused before it is read (a real push is a few KB).
 */
async function readBody(
  ctx: Context,
  file: string | undefined,
): Promise<Buffer> {
  if (!file && ctx.io.stdin.isTTY) {
    throw new UsageError('KF_INPUT_MISSING', 'No input given.', {
      hint: 'Pass a file, or pipe the body in (use - for stdin).',
    });
  }
  return readCapped(ctx, file ?? '-', {
    flag: file && file !== '-' ? 'the input file' : 'stdin',
    limit: MAX_PUSH_BYTES,
    tooLarge: (size) =>
      new InputError(
        'KF_BODY_TOO_LARGE',
        `Refused a push body of ${size}; the limit is ${MAX_PUSH_BYTES}.`,
      ),
  });
}

export interface DecryptOptions extends QueryFlags, KfOptions {
  skipSignature?: boolean;
}

/** `wxpay kf decrypt`: checks and opens a push body (safe or plaintext). */
export const decryptRun: RunFn<DecryptOptions> = async (ctx, args, options) => {
  const body = await readBody(ctx, args[0]);
  const setup = await loadKfSetup(ctx, options);
  const query = queryFromFlags(options);
  if (options.skipSignature) {
    ctx.out.warn(
      'Signature NOT checked (--skip-signature): do not trust this content.',
    );
  }
  const opened = openPush(body, query, {
    token: options.skipSignature ? '' : requireToken(setup),
    aesKey: setup.aesKey,
    appid: setup.appid,
    skipSignature: options.skipSignature,
  });
  if (ctx.out.json) {
    ctx.out.document({
      mode: opened.mode,
      format: opened.format,
      appid: opened.appid,
      signature_checked: !options.skipSignature,
      message: opened.message,
    });
    return 0;
  }
  const checked = options.skipSignature ? 'unchecked' : 'signature valid';
  ctx.out.success(
    `${opened.mode} ${opened.format.toUpperCase()} push, ${checked}${opened.appid ? `, for ${printable(opened.appid)}` : ''}.`,
  );
  if (ctx.out.stdoutIsTTY) {
    // Names and values come from the push: shown with controls escaped.
    const fields = Object.entries(opened.message).map(
      ([name, value]) => [printable(name), printable(value)] as const,
    );
    const width = Math.max(...fields.map(([name]) => name.length));
    for (const [name, value] of fields) {
      ctx.out.data(`${ctx.out.color.bold(name.padEnd(width))}  ${value}`);
    }
  } else {
    // Piped: the fields as one JSON object with exact string values.
    ctx.out.data(printableJson(opened.message));
  }
  return 0;
};

export interface EncryptOptions extends KfOptions {
  timestamp?: string;
  nonce?: string;
  random?: string;
  reply?: boolean;
}

/** `wxpay kf encrypt`: wraps a message as a safe-mode push or reply. */
export const encryptRun: RunFn<EncryptOptions> = async (ctx, args, options) => {
  const text = (await readBody(ctx, args[0])).toString('utf8');
  const parsed = parsePushBody(text);
  const setup = await loadKfSetup(ctx, options);
  // WeChat wraps a message in its own format; --format only overrides.
  const format = parseFormat(options.format) ?? parsed.format;
  const timestamp =
    options.timestamp ?? String(Math.floor(ctx.now().getTime() / 1000));
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new UsageError(
      'KF_TIMESTAMP',
      '--timestamp is Unix seconds (digits).',
    );
  }
  if (
    options.random !== undefined &&
    Buffer.byteLength(options.random) !== 16
  ) {
    throw new UsageError('KF_RANDOM', '--random must be exactly 16 bytes.');
  }
  const seal = {
    token: requireToken(setup),
    aesKey: requireAesKey(setup),
    appid: requireAppid(setup),
    timestamp,
    nonce: options.nonce ?? String(randomInt(100_000_000, 2_000_000_000)),
    random: options.random,
  };
  if (options.reply) {
    const body = sealReply(text, format, seal);
    if (ctx.out.json) ctx.out.document({ format, body });
    else ctx.out.data(body);
    return 0;
  }
  const sealed = sealPush(text, format, parsed.fields.ToUserName ?? '', {
    ...seal,
    openid: parsed.fields.FromUserName,
  });
  const query = new URLSearchParams(sealed.query).toString();
  if (ctx.out.json) {
    ctx.out.document({ format, query: sealed.query, body: sealed.body });
    return 0;
  }
  ctx.out.data(sealed.body);
  ctx.out.info(`POST it to your push URL with this query:\n  ?${query}`);
  return 0;
};
