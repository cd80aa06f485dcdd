import { InputError } from '../errors.js';
import { buildXml, parseXml } from '../xml.js';
import { jsonObjectFields, parseJsonLossless } from '../json.js';

/**
 * Customer-service push bodies (spec §4): the same fields in XML or JSON.
 * Every value is kept as the exact string sent, so `MsgId` (above 2^53) and
 * `CreateTime` are strings whichever format carried them (cases C04, C10).
 */
export type PushFormat = 'xml' | 'json';

/** A push message: field names as WeChat sends them, values as strings. */
export type KfMessage = Record<string, string>;

/** Real pushes are a few KB; anything far larger is not from WeChat. */
export const MAX_PUSH_BYTES = 256 * 1024;

/**
 * Chooses the parser from the first non-space byte (`<` XML, `{` JSON), not
 * from Content-Type, which WeChat does not set reliably (case C04).
 */
export function detectPushFormat(body: string): PushFormat {
  const first = body.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '<') return 'xml';
  if (first === '{') return 'json';
  throw new InputError(
    'KF_BODY_FORMAT',
    first === undefined
      ? 'The push body is empty.'
      : `The push body starts with ${JSON.stringify(first)}, neither XML (<) nor JSON ({).`,
    {
      hint: 'A customer-service push is an XML <xml>…</xml> or a JSON {…} body.',
    },
  );
}

/** Parses a push body (or a decrypted inner message) into string fields. */
export function parsePushBody(body: string | Uint8Array): {
  format: PushFormat;
  fields: KfMessage;
} {
  const text = decodeUtf8(body);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_PUSH_BYTES) {
    throw new InputError(
      'KF_BODY_TOO_LARGE',
      `Refused a push body of ${size} bytes; the limit is ${MAX_PUSH_BYTES}.`,
    );
  }
  const format = detectPushFormat(text);
  if (format === 'xml') {
    return {
      format,
      fields: parseXml(text, { maxBytes: MAX_PUSH_BYTES }).fields,
    };
  }
  return {
    format,
    fields: jsonObjectFields(parseJsonLossless(text), 'A JSON push body'),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  try {
    return utf8.decode(body);
  } catch (error) {
    throw new InputError('KF_BODY_NOT_UTF8', 'The push body is not UTF-8.', {
      cause: error,
    });
  }
}

/**
 * The key that identifies a push across WeChat's retries (spec §4.1): the
 * MsgId for messages, FromUserName + CreateTime for events.
 */
export function pushDedupeKey(message: KfMessage): string {
  if (message.MsgId) return `msg:${message.MsgId}`;
  return `event:${message.FromUserName ?? ''}:${message.CreateTime ?? ''}:${message.Event ?? ''}`;
}

/** True for what a user typed or sent; false for events. */
export function isUserMessage(message: KfMessage): boolean {
  return (
    message.MsgType !== undefined &&
    message.MsgType !== 'event' &&
    message.MsgType !== ''
  );
}

/** The kind shown for a message: its MsgType, or the event name. */
export function messageKind(message: KfMessage): string {
  if (message.MsgType === 'event') return message.Event || 'event';
  return message.MsgType || 'unknown';
}

/** A short human summary of what the user sent. */
export function summarizeMessage(message: KfMessage): string {
  switch (message.MsgType) {
    case 'text':
      return JSON.stringify(message.Content ?? '');
    case 'image':
      return `media_id=${message.MediaId ?? ''} ${message.PicUrl ?? ''}`.trim();
    case 'miniprogrampage':
      return `${JSON.stringify(message.Title ?? '')} ${message.PagePath ?? ''} appid=${message.AppId ?? ''} thumb_media_id=${message.ThumbMediaId ?? ''}`;
    case 'event':
      return message.Event === 'user_enter_tempsession'
        ? `session_from=${JSON.stringify(message.SessionFrom ?? '')}`
        : `event=${message.Event ?? ''}`;
    default:
      return `MsgType=${message.MsgType ?? '(none)'}`;
  }
}

const BARE_NUMBERS = new Set(['CreateTime', 'MsgId', 'TimeStamp']);

/**
 * Writes a message in a push format. CreateTime and MsgId are bare numbers
 * as WeChat writes them, even when they exceed 2^53.
 */
export function renderMessage(message: KfMessage, format: PushFormat): string {
  if (format === 'xml') return buildXml(message);
  const parts = Object.entries(message).map(([name, value]) => {
    const bare = BARE_NUMBERS.has(name) && /^\d+$/.test(value);
    return `${JSON.stringify(name)}:${bare ? value : JSON.stringify(value)}`;
  });
  return `{${parts.join(',')}}`;
}
