import { randomBytes } from 'node:crypto';
import { WxPayError } from '../errors.js';
import {
  parsePushBody,
  renderMessage,
  type KfMessage,
  type PushFormat,
} from './message.js';
import { openReply, sealPush } from './push.js';
import { kfSignature } from './signature.js';

/**
 * Plays WeChat against a merchant's own push handler: builds a correctly
 * signed (and in safe mode encrypted) push, and judges the answer by what
 * WeChat accepts (spec §2, §3, §4.1).
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

export interface HandlerAnswer {
  status: number;
  contentType?: string;
  body: string;
}

export interface Judgement {
  ok: boolean;
  /** What the answer means to WeChat. */
  verdict: 'ack' | 'transfer' | 'echo' | 'rejected' | 'wrong';
  problems: string[];
  notes: string[];
}

/** Judges the answer to a URL verification (case C01). */
export function judgeVerification(
  echostr: string,
  answer: HandlerAnswer,
): Judgement {
  const problems: string[] = [];
  const notes: string[] = [];
  if (answer.status !== 200)
    problems.push(`answered HTTP ${answer.status}; WeChat needs 200.`);
  if (answer.body !== echostr) {
    problems.push(describeWrongEcho(echostr, answer.body));
  }
  if (answer.contentType && !/^text\/plain/i.test(answer.contentType)) {
    notes.push(
      `Content-Type is ${answer.contentType}; text/plain is what WeChat's samples send.`,
    );
  }
  const ok = problems.length === 0;
  return { ok, verdict: ok ? 'echo' : 'wrong', problems, notes };
}

function describeWrongEcho(echostr: string, body: string): string {
  if (body === `${echostr}\n` || body === `${echostr}\r\n`) {
    return 'the echostr is followed by a newline; answer it byte for byte.';
  }
  if (body === JSON.stringify(echostr))
    return 'the echostr is quoted (res.json?); answer the bare text.';
  if (body.includes(echostr))
    return `the echostr is wrapped (${truncate(body)}); answer the bare text.`;
  if (/^\d+$/.test(echostr) && body === String(Number(echostr))) {
    return `the echostr went through a number: ${body} instead of ${echostr}; keep it a string.`;
  }
  if (body === '') return 'the answer is empty; the body must be the echostr.';
  return `answered ${truncate(body)} instead of the echostr ${echostr}.`;
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * Judges the answer to a push (spec §4.1): `success` or an empty body
 * acknowledges; transfer_customer_service hands over to the kf tool and, in
 * safe mode, must come encrypted with a valid MsgSignature.
 */
export function judgePushAnswer(
  answer: HandlerAnswer,
  push: { message: KfMessage; format: PushFormat; safe: boolean },
  secrets: { token: string; aesKey?: Buffer; appid: string },
): Judgement {
  const problems: string[] = [];
  const notes: string[] = [];
  if (answer.status !== 200) {
    problems.push(
      `answered HTTP ${answer.status}; WeChat needs 200, shows "该小程序客服暂时无法提供服务" and retries.`,
    );
    return { ok: false, verdict: 'wrong', problems, notes };
  }
  if (answer.body === 'success' || answer.body === '') {
    return { ok: true, verdict: 'ack', problems, notes };
  }
  if (answer.body.trim() === 'success' || answer.body === '"success"') {
    problems.push(
      `answered ${truncate(answer.body)}; the body must be exactly success.`,
    );
    return { ok: false, verdict: 'wrong', problems, notes };
  }
  const reply = readReply(answer.body, push.safe, secrets, problems);
  if (!reply) return { ok: false, verdict: 'wrong', problems, notes };
  if (reply.message.MsgType !== 'transfer_customer_service') {
    notes.push(
      'Mini programs document no passive replies other than success and transfer_customer_service (spec §4.1).',
    );
    problems.push(
      `replied MsgType=${reply.message.MsgType ?? '(none)'}; reply success and send through the customer-service API instead.`,
    );
  }
  if (reply.format !== push.format) {
    problems.push(
      `replied in ${reply.format.toUpperCase()} to a ${push.format.toUpperCase()} push; a JSON push needs a JSON reply.`,
    );
  }
  if (
    reply.message.ToUserName !== push.message.FromUserName ||
    reply.message.FromUserName !== push.message.ToUserName
  ) {
    problems.push(
      "ToUserName/FromUserName are not swapped relative to the push (ToUserName must be the user's openid).",
    );
  }
  if (push.message.MsgType === 'event') {
    problems.push(
      'transfer_customer_service is for user messages, not events (spec §7).',
    );
  }
  return { ok: problems.length === 0, verdict: 'transfer', problems, notes };
}

function readReply(
  body: string,
  safe: boolean,
  secrets: { token: string; aesKey?: Buffer; appid: string },
  problems: string[],
): { format: PushFormat; message: KfMessage } | undefined {
  try {
    const plain = parsePushBody(body);
    if (plain.fields.Encrypt === undefined) {
      if (safe)
        problems.push(
          'the reply is not encrypted; in safe mode every reply except success must be.',
        );
      return plain.fields.MsgType
        ? { format: plain.format, message: plain.fields }
        : undefined;
    }
    if (!secrets.aesKey) {
      problems.push(
        'the reply is encrypted but no EncodingAESKey is configured to check it.',
      );
      return undefined;
    }
    const opened = openReply(body, {
      token: secrets.token,
      aesKey: secrets.aesKey,
      appid: secrets.appid,
    });
    return opened;
  } catch (error) {
    problems.push(
      error instanceof WxPayError && error.code !== 'KF_BODY_FORMAT'
        ? `the reply is unusable: ${error.message}`
        : `answered ${truncate(body)}, which WeChat does not understand; answer success.`,
    );
    return undefined;
  }
}
