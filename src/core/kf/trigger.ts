import { randomBytes } from 'node:crypto';
import { renderMessage, type KfMessage, type PushFormat } from './message.js';
import { sealPush } from './push.js';
import { kfSignature } from './signature.js';

/**
 * Plays WeChat against a merchant's own push handler: builds a correctly
 * signed (and in safe mode encrypted) push (spec §2, §3, §4); judge.ts
 * judges the answer by what WeChat accepts.
 */
export type TriggerKind = 'text' | 'image' | 'miniprogrampage' | 'enter';

export interface SampleSpec {
  kind: TriggerKind;
  openid: string;
  /** The mini program's original id (gh_…). */
  toUserName: string;
  createTime: string;
  msgId?: string;
  content?: string;
  sessionFrom?: string;
  appid?: string;
}

/** A user message or event with the fields WeChat sends (spec §4). */
export function sampleMessage(spec: SampleSpec): KfMessage {
  const head = {
    ToUserName: spec.toUserName,
    FromUserName: spec.openid,
    CreateTime: spec.createTime,
  };
  const msgId = spec.msgId ?? randomMsgId();
  switch (spec.kind) {
    case 'text':
      return {
        ...head,
        MsgType: 'text',
        Content: spec.content ?? 'hello from wxpay',
        MsgId: msgId,
      };
    case 'image':
      return {
        ...head,
        MsgType: 'image',
        PicUrl: 'http://127.0.0.1/wxpay-sample.jpg',
        MediaId: `wxpay_sample_${msgId}`,
        MsgId: msgId,
      };
    case 'miniprogrampage':
      return {
        ...head,
        MsgType: 'miniprogrampage',
        MsgId: msgId,
        Title: spec.content ?? 'wxpay sample card',
        AppId: spec.appid ?? '',
        PagePath: 'pages/index/index',
        ThumbUrl: 'http://127.0.0.1/wxpay-thumb.jpg',
        ThumbMediaId: `wxpay_thumb_${msgId}`,
      };
    case 'enter':
      return {
        ...head,
        MsgType: 'event',
        Event: 'user_enter_tempsession',
        SessionFrom: spec.sessionFrom ?? 'wxpay',
      };
  }
}

/** A 19-digit id like WeChat's (above 2^53, as real ones are). */
export function randomMsgId(): string {
  return `7${(randomBytes(8).readBigUInt64BE() % 10n ** 18n).toString().padStart(18, '0')}`;
}

export interface TriggerRequest {
  query: Record<string, string>;
  body: string;
  contentType: string;
}

/** Builds the signed POST WeChat would send for `message`. */
export function buildTriggerPush(
  message: KfMessage,
  options: {
    format: PushFormat;
    safe: boolean;
    token: string;
    aesKey?: Buffer;
    appid: string;
    timestamp: string;
    nonce: string;
  },
): TriggerRequest {
  const contentType =
    options.format === 'xml' ? 'text/xml' : 'application/json';
  const inner = renderMessage(message, options.format);
  if (!options.safe) {
    return {
      query: {
        signature: kfSignature(options.token, options.timestamp, options.nonce),
        timestamp: options.timestamp,
        nonce: options.nonce,
      },
      body: inner,
      contentType,
    };
  }
  const sealed = sealPush(inner, options.format, message.ToUserName ?? '', {
    ...options,
    aesKey: options.aesKey as Buffer,
    openid: message.FromUserName,
  });
  return { query: sealed.query, body: sealed.body, contentType };
}
