import { InputError } from '../errors.js';
import { escapeControls } from '../safe-text.js';
import { buildXml } from '../xml.js';
import { parseXmlSafely } from './parse.js';
import type { Notification } from './types.js';

/**
 * The synchronous reply to a notification (spec 6, "商户处理后同步返回给微信
 * 参数"). WeChat retries for about 24 hours unless it gets exactly this
 * shape: HTTP 200, XML, return_code SUCCESS and a return_msg (case B27).
 */
export const NOTIFY_REPLY_STATUS = 200;
export const NOTIFY_REPLY_CONTENT_TYPE = 'text/xml; charset=utf-8';

export type ReplyCode = 'SUCCESS' | 'FAIL';

/** The few replies a handler sends, built once. */
const replies = new Map<string, string>();

/**
 * The reply body. `notifyReply('SUCCESS')` is exactly
 * `<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>`;
 * send it with status {@link NOTIFY_REPLY_STATUS} and content type
 * {@link NOTIFY_REPLY_CONTENT_TYPE}.
 */
export function notifyReply(code: ReplyCode, msg?: string): string {
  const text = msg ?? (code === 'SUCCESS' ? 'OK' : 'FAIL');
  const cacheKey = `${code} ${text}`;
  let reply = replies.get(cacheKey);
  if (reply === undefined) {
    // An empty return_msg would be left out of the XML, and a reply
    // without return_msg is one of the shapes reported to cause retries.
    reply = buildXml({
      return_code: code,
      return_msg: text === '' ? ' ' : text,
    });
    if (replies.size < 64) replies.set(cacheKey, reply);
  }
  return reply;
}

const FAIL_MESSAGES: Record<string, string> = {
  sign_missing: 'SIGNERROR',
  sign_invalid: 'SIGNERROR',
  sign_type_unknown: 'SIGNERROR',
  appid_mismatch: 'APPID_MISMATCH',
  mch_id_mismatch: 'MCH_ID_MISMATCH',
  return_fail: 'RETURN_FAIL',
  req_info_missing: 'REQ_INFO_ERROR',
  req_info_malformed: 'REQ_INFO_ERROR',
  req_info_undecryptable: 'REQ_INFO_ERROR',
};

/**
 * The reply that verification alone calls for: SUCCESS for an authentic
 * notification (send it only after your own state is saved), FAIL with a
 * short code otherwise. The code names the failed check, never a key or an
 * expected signature.
 */
export function notifyReplyFor(notification: Notification): string {
  return notification.valid
    ? notifyReply('SUCCESS')
    : notifyReply('FAIL', FAIL_MESSAGES[notification.reason] ?? 'FAIL');
}

export interface Acknowledgement {
  /** True when WeChat would take the reply as "received, stop retrying". */
  acknowledged: boolean;
  returnCode?: string;
  returnMsg?: string;
  /** Why the reply is not an acknowledgement, one sentence each. */
  problems: string[];
}

/** Replies are a few dozen bytes; a large one is a page, not a reply. */
const REPLY_MAX_BYTES = 64 * 1024;

/**
 * Judges a notify handler's HTTP reply the way WeChat does. The safe
 * reading is taken where WeChat's behaviour is not documented: a missing
 * return_msg and a non-XML content type count as failures (case B27 lists
 * both among replies that made WeChat retry; UNCONFIRMED whether WeChat
 * checks the header at all).
 */
export function checkAcknowledgement(
  httpStatus: number,
  contentType: string | undefined,
  body: string | Uint8Array,
): Acknowledgement {
  const problems: string[] = [];
  if (httpStatus !== 200) {
    problems.push(
      `HTTP ${httpStatus}: WeChat accepts only 200 (a framework's default 201 for POST also makes it retry).`,
    );
  }
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'text/xml' && type !== 'application/xml') {
    problems.push(
      `Content-Type is ${type === '' ? 'missing' : `"${type}"`}; send text/xml.`,
    );
  }
  const text = (
    typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
  ).trim();
  const read = readReply(text);
  if ('problem' in read) {
    problems.push(read.problem);
    return { acknowledged: false, problems };
  }
  const { fields } = read;
  if (fields.return_code === undefined) {
    problems.push('The reply has no return_code.');
  } else if (fields.return_code !== 'SUCCESS') {
    problems.push(
      `return_code is ${quoted(fields.return_code)}${fields.return_msg ? ` (${quoted(fields.return_msg)})` : ''}: WeChat will send the notification again.`,
    );
  }
  if (!fields.return_msg) {
    problems.push(
      'The reply has no return_msg; replies without it are reported to make WeChat retry. Send return_msg OK.',
    );
  }
  return {
    acknowledged: problems.length === 0,
    returnCode: fields.return_code,
    returnMsg: fields.return_msg,
    problems,
  };
}

/** True when WeChat would accept the reply (see {@link checkAcknowledgement}). */
export function isAcknowledgement(
  httpStatus: number,
  contentType: string | undefined,
  body: string | Uint8Array,
): boolean {
  return checkAcknowledgement(httpStatus, contentType, body).acknowledged;
}

/**
 * A piece of the handler's reply inside a problem sentence: at most 20
 * characters, control characters escaped (the sentence is printed).
 */
function quoted(text: string): string {
  return escapeControls(text.slice(0, 20));
}

function readReply(
  text: string,
): { fields: Record<string, string> } | { problem: string } {
  if (text === '') return { problem: 'The reply body is empty.' };
  if (/^(<!doctype\s+html|<html[\s>])/i.test(text)) {
    return {
      problem:
        'The reply is an HTML page; WeChat needs the XML reply, or it retries.',
    };
  }
  if (!text.startsWith('<')) {
    return {
      problem: `The reply is plain text ("${quoted(text)}"); WeChat Pay v2 needs the XML reply.`,
    };
  }
  try {
    const parsed = parseXmlSafely(text, REPLY_MAX_BYTES);
    if (parsed.root !== 'xml') {
      return {
        problem: `The reply's root is <${quoted(parsed.root)}>, not <xml>.`,
      };
    }
    return { fields: parsed.fields };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { problem: `The reply is not readable XML: ${error.message}` };
  }
}
