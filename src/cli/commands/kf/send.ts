import { basename } from 'node:path';
import { InputError, UsageError, WxPayError } from '../../../core/errors.js';
import { explainKfErrcode, errcodeOf } from '../../../core/kf/errcodes.js';
import {
  imageMessage,
  linkMessage,
  MAX_IMAGE_BYTES,
  miniProgramPageMessage,
  sendPayload,
  textMessage,
  type KfOutgoing,
} from '../../../core/kf/send.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { readCapped } from '../../input-file.js';
import { openMp, type MpOptions, type MpSession } from './mp.js';
import { loadKfSetup, requireAppid } from './setup.js';

export interface SendOptions extends MpOptions {
  openid?: string;
  text?: string;
  image?: string;
  mediaId?: string;
  link?: string;
  title?: string;
  description?: string;
  thumbUrl?: string;
  miniprogrampage?: string;
  thumbMediaId?: string;
  thumb?: string;
  cardAppid?: boolean;
}

const KINDS = ['text', 'image', 'mediaId', 'link', 'miniprogrampage'] as const;
const FLAG: Record<(typeof KINDS)[number], string> = {
  text: '--text',
  image: '--image',
  mediaId: '--media-id',
  link: '--link',
  miniprogrampage: '--miniprogrampage',
};

function requireOpenid(options: { openid?: string }): string {
  if (!options.openid) {
    throw new UsageError('KF_OPENID_MISSING', 'Missing --openid.', {
      hint: 'The openid is the FromUserName of a push from the user (see `wxpay kf listen`).',
    });
  }
  return options.openid;
}

async function upload(
  ctx: Context,
  mp: MpSession,
  file: string,
  flag: '--image' | '--thumb',
): Promise<string> {
  const name = file === '-' ? 'image' : basename(file);
  // Refused by its size before it is read: WeChat takes at most 2 MB.
  const data = await readCapped(ctx, file, {
    flag: file === '-' ? 'stdin' : flag,
    limit: MAX_IMAGE_BYTES,
    tooLarge: (size) =>
      new InputError(
        'KF_IMAGE_TOO_LARGE',
        `${name} is ${size}; images are limited to ${MAX_IMAGE_BYTES} bytes (2 MB).`,
      ),
  });
  const media = await mp.client.uploadImage(data, name);
  ctx.out.info(
    `Uploaded ${file} as temporary media ${media.media_id} (valid 3 days).`,
  );
  return media.media_id;
}

async function buildMessage(
  ctx: Context,
  mp: MpSession,
  options: SendOptions,
  appid: string,
): Promise<{ message: KfOutgoing; mediaId?: string }> {
  if (options.text !== undefined) return { message: textMessage(options.text) };
  if (options.image || options.mediaId) {
    const mediaId =
      options.mediaId ??
      (await upload(ctx, mp, options.image as string, '--image'));
    return { message: imageMessage(mediaId), mediaId };
  }
  if (options.link) {
    return {
      message: linkMessage({
        title: options.title ?? '',
        description: options.description,
        url: options.link,
        thumbUrl: options.thumbUrl ?? '',
      }),
    };
  }
  const thumb =
    options.thumbMediaId ??
    (options.thumb ? await upload(ctx, mp, options.thumb, '--thumb') : '');
  return {
    message: miniProgramPageMessage({
      title: options.title ?? '',
      pagepath: options.miniprogrampage as string,
      thumbMediaId: thumb,
      appid: options.cardAppid ? appid : undefined,
    }),
    mediaId: thumb,
  };
}

/** In --json mode an errcode still gives one document on stdout. */
function jsonFailure(ctx: Context, error: unknown): void {
  const errcode = errcodeOf(error);
  if (!ctx.out.json || errcode === undefined) return;
  const info = explainKfErrcode(errcode);
  ctx.out.document({
    errcode,
    errmsg: (error as WxPayError).details?.errmsg,
    kind: info?.kind ?? 'unknown',
    meaning: info?.meaning,
    action: info?.action,
  });
}

/** `wxpay kf send`: one customer-service message to a user. */
export const sendRun: RunFn<SendOptions> = async (ctx, _args, options) => {
  const openid = requireOpenid(options);
  const chosen = KINDS.filter((kind) => options[kind] !== undefined);
  if (chosen.length !== 1) {
    throw new UsageError(
      'KF_SEND_KIND',
      chosen.length === 0
        ? 'Say what to send: --text, --image, --media-id, --link or --miniprogrampage.'
        : `Send one kind at a time, not ${chosen.map((k) => FLAG[k]).join(' and ')}.`,
    );
  }
  if (
    options.miniprogrampage !== undefined &&
    !options.thumbMediaId &&
    !options.thumb
  ) {
    throw new UsageError(
      'KF_THUMB_MISSING',
      'A mini-program card needs --thumb FILE or --thumb-media-id ID.',
    );
  }
  const setup = await loadKfSetup(ctx, {});
  const appid = requireAppid(setup);
  const mp = await openMp(ctx, setup, options);
  try {
    const { message, mediaId } = await buildMessage(ctx, mp, options, appid);
    const answer = await mp.client.send(sendPayload(openid, message));
    if (ctx.out.json) {
      ctx.out.document({
        errcode: 0,
        errmsg: answer.errmsg ?? 'ok',
        touser: openid,
        msgtype: message.msgtype,
        media_id: mediaId,
      });
    } else if (ctx.out.stdoutIsTTY) {
      ctx.out.success(
        `Sent ${message.msgtype} to ${openid}${mp.simulated ? ' (simulator)' : ''}.`,
      );
    } else {
      ctx.out.data(
        ['sent', message.msgtype, openid, mediaId ?? ''].join('\t').trimEnd(),
      );
    }
    return 0;
  } catch (error) {
    jsonFailure(ctx, error);
    throw error;
  }
};

/** `wxpay kf typing on|off`: the "typing…" indicator (spec §5.2). */
export const typingRun: RunFn<SendOptions> = async (ctx, args, options) => {
  const state = (args[0] ?? '').toLowerCase();
  if (state !== 'on' && state !== 'off') {
    throw new UsageError(
      'KF_TYPING_STATE',
      'Say `on` or `off`: wxpay kf typing on --openid ID.',
    );
  }
  const openid = requireOpenid(options);
  const setup = await loadKfSetup(ctx, {});
  requireAppid(setup);
  const mp = await openMp(ctx, setup, options);
  try {
    await mp.client.typing(openid, state === 'on');
  } catch (error) {
    jsonFailure(ctx, error);
    throw error;
  }
  const command = state === 'on' ? 'Typing' : 'CancelTyping';
  if (ctx.out.json)
    ctx.out.document({ errcode: 0, errmsg: 'ok', touser: openid, command });
  else if (ctx.out.stdoutIsTTY)
    ctx.out.success(
      `${command} sent to ${openid}${state === 'on' ? ' (lasts 15 s, or until you send a message)' : ''}.`,
    );
  else ctx.out.data(['ok', command, openid].join('\t'));
  return 0;
};
