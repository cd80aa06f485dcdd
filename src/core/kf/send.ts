import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import { readMpJson, type MpHttp } from './http.js';
import type { AccessTokenManager } from './token.js';

/**
 * Customer-service messages sent through POST /cgi-bin/message/custom/send
 * (spec §5.1). `/custom/business/send` is for sub-merchants only and is not
 * used (UNCONFIRMED in the spec; community reports 40101 without a
 * business id).
 */
export type KfOutgoing =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | {
      msgtype: 'link';
      link: {
        title: string;
        description: string;
        url: string;
        thumb_url: string;
      };
    }
  | {
      msgtype: 'miniprogrampage';
      miniprogrampage: {
        title: string;
        pagepath: string;
        thumb_media_id: string;
        appid?: string;
      };
    };

export type KfSendPayload = { touser: string } & KfOutgoing;

function need(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') {
    throw new InputError('KF_FIELD_MISSING', `${what} is empty.`);
  }
  return value;
}

export function textMessage(content: string): KfOutgoing {
  return { msgtype: 'text', text: { content: need(content, 'The text') } };
}

export function imageMessage(mediaId: string): KfOutgoing {
  return { msgtype: 'image', image: { media_id: need(mediaId, 'media_id') } };
}

export function linkMessage(link: {
  title: string;
  description?: string;
  url: string;
  thumbUrl: string;
}): KfOutgoing {
  if (!/^https?:\/\//i.test(link.url)) {
    throw new InputError(
      'KF_LINK_URL',
      `The link url "${link.url}" is not http(s).`,
    );
  }
  return {
    msgtype: 'link',
    link: {
      title: need(link.title, 'The link title'),
      description: link.description ?? '',
      url: link.url,
      thumb_url: need(link.thumbUrl, 'The link thumb_url'),
    },
  };
}

/**
 * A mini-program card. `appid` is listed as required by the current unified
 * page and absent from the older one (UNCONFIRMED, spec §5.1): it is sent
 * only when given, and then should be the sender's own AppID.
 */
export function miniProgramPageMessage(page: {
  title: string;
  pagepath: string;
  thumbMediaId: string;
  appid?: string;
}): KfOutgoing {
  return {
    msgtype: 'miniprogrampage',
    miniprogrampage: {
      title: need(page.title, 'The card title'),
      // app.json paths have no leading slash.
      pagepath: need(page.pagepath, 'The card pagepath').replace(/^\/+/, ''),
      thumb_media_id: need(page.thumbMediaId, 'The card thumb_media_id'),
      ...(page.appid ? { appid: page.appid } : {}),
    },
  };
}

/** Refuses what cannot be an openid before a call is spent on it. */
export function checkOpenid(touser: string): string {
  if (!/^[A-Za-z0-9_-]{6,64}$/.test(touser)) {
    throw new InputError(
      'KF_OPENID_MALFORMED',
      `"${touser}" does not look like an openid (letters, digits, - and _).`,
      { hint: 'Use the FromUserName of a push from this mini program.' },
    );
  }
  return touser;
}

export function sendPayload(
  touser: string,
  message: KfOutgoing,
): KfSendPayload {
  return { touser: checkOpenid(touser), ...message };
}

/** Images above this are refused before upload (2 MB vs 10 MB: spec §5.3). */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** Recognises JPEG, PNG and GIF by their first bytes. */
export function imageContentType(data: Buffer): string | undefined {
  if (data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) {
    return 'image/jpeg';
  }
  if (data.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) {
    return 'image/png';
  }
  if (/^GIF8[79]a/.test(data.subarray(0, 6).toString('latin1'))) {
    return 'image/gif';
  }
  return undefined;
}

export interface TempMedia {
  type: string;
  media_id: string;
  /** As sent: documented as a number, seen as a string. */
  created_at: string;
}

export class KfClient {
  private readonly base: string;

  constructor(
    private readonly options: {
      http: MpHttp;
      baseUrl: string;
      tokens: AccessTokenManager;
    },
  ) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  private async postJson(
    path: string,
    body: unknown,
    api: string,
  ): Promise<Record<string, string>> {
    return this.options.tokens.call(async (token) =>
      readMpJson(
        await this.options.http({
          method: 'POST',
          url: `${this.base}${path}?access_token=${encodeURIComponent(token)}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        api,
      ),
    );
  }

  /** Sends one customer-service message; throws the explained errcode. */
  async send(payload: KfSendPayload): Promise<Record<string, string>> {
    return this.postJson(
      '/cgi-bin/message/custom/send',
      payload,
      'custom send',
    );
  }

  /** Shows or cancels "typing" (spec §5.2: only within 30 s of a message). */
  async typing(touser: string, on: boolean): Promise<Record<string, string>> {
    return this.postJson(
      '/cgi-bin/message/custom/typing',
      { touser: checkOpenid(touser), command: on ? 'Typing' : 'CancelTyping' },
      'typing',
    );
  }

  /** Uploads an image as temporary media (valid 3 days, spec §5.3). */
  async uploadImage(data: Buffer, filename: string): Promise<TempMedia> {
    const contentType = imageContentType(data);
    if (!contentType) {
      throw new InputError(
        'KF_IMAGE_TYPE',
        `${filename} is not a JPEG, PNG or GIF image.`,
      );
    }
    if (data.length > MAX_IMAGE_BYTES) {
      throw new InputError(
        'KF_IMAGE_TOO_LARGE',
        `${filename} is ${data.length} bytes; images are limited to ${MAX_IMAGE_BYTES} bytes (2 MB).`,
      );
    }
    const boundary = `----wxpay${randomBytes(12).toString('hex')}`;
    const safeName = filename.replace(/["\r\n\\]/g, '_');
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const fields = await this.options.tokens.call(async (token) =>
      readMpJson(
        await this.options.http({
          method: 'POST',
          url: `${this.base}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`,
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
          },
          body,
        }),
        'media upload',
      ),
    );
    return {
      type: fields.type ?? 'image',
      media_id: fields.media_id ?? '',
      created_at: fields.created_at ?? '',
    };
  }
}
