import { InputError, WxPayError } from '../errors.js';
import { parseXml } from '../xml.js';
import {
  NOTIFY_MAX_BYTES,
  type IdentityCheck,
  type NotificationKind,
  type NotifyProfile,
} from './types.js';

/**
 * Reads a notification body into its flat fields. Everything the hardened
 * XML reader refuses (oversize, DOCTYPE/ENTITY, malformed, nested) is an
 * InputError; so is a root other than `<xml>`, which WeChat always uses.
 */
export function parseNotificationBody(
  body: string | Uint8Array,
  maxBytes = NOTIFY_MAX_BYTES,
): Record<string, string> {
  const { root, fields } = parseXmlSafely(body, maxBytes);
  if (root !== 'xml') {
    throw new InputError(
      'NOTIFY_NOT_XML_ROOT',
      `The body's root element is <${root}>; WeChat Pay notifications use <xml>.`,
      { hint: 'Pass the raw request body exactly as received.' },
    );
  }
  return fields;
}

/**
 * The parser behind parseXml can still throw a plain Error on input its
 * validator let through (an unclosed `<![C` section, found by fuzzing); a
 * notify_url must answer every body, so any such error is an InputError.
 */
export function parseXmlSafely(body: string | Uint8Array, maxBytes: number) {
  try {
    return parseXml(body, { maxBytes });
  } catch (error) {
    if (error instanceof WxPayError) throw error;
    // The parser's own text names its internals and quotes the body; say
    // what matters and keep the original as the cause (--verbose).
    const text = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(text);
    throw new InputError(
      'XML_MALFORMED',
      `Malformed XML${at ? ` near character ${at[1]}` : ''}: the body is not well-formed (a broken tag, CDATA section or declaration).`,
      { cause: error },
    );
  }
}

/**
 * Tells the kind from the fields: refund notifications carry `req_info`
 * (spec 7) and no sign; anything else that reports success or carries
 * order fields is a payment notification (spec 6). A bare return_code FAIL
 * says nothing about its kind.
 */
export function kindOfFields(fields: Record<string, string>): NotificationKind {
  if (fields.req_info !== undefined) return 'refund';
  if (fields.return_code === 'SUCCESS') return 'payment';
  const paymentFields = ['sign', 'transaction_id', 'out_trade_no', 'total_fee'];
  return paymentFields.some((name) => fields[name]) ? 'payment' : 'unknown';
}

/** Tells a payment notification from a refund notification. */
export function classifyNotification(
  body: string | Uint8Array,
  maxBytes = NOTIFY_MAX_BYTES,
): NotificationKind {
  return kindOfFields(parseNotificationBody(body, maxBytes));
}

/** The parts every notification result shares, read from the envelope. */
export function envelopeBase(
  fields: Record<string, string>,
  profile: Pick<NotifyProfile, 'appid' | 'mchId'>,
): {
  returnCode: string;
  returnMsg?: string;
  checks: { appid: IdentityCheck; mchId: IdentityCheck };
} {
  return {
    returnCode: fields.return_code ?? '',
    returnMsg: fields.return_msg,
    checks: identityChecks(fields, profile),
  };
}

function identityChecks(
  fields: Record<string, string>,
  profile: Pick<NotifyProfile, 'appid' | 'mchId'>,
): { appid: IdentityCheck; mchId: IdentityCheck } {
  return {
    appid: identity(profile.appid, fields.appid),
    mchId: identity(profile.mchId, fields.mch_id),
  };
}

function identity(expected?: string, received?: string): IdentityCheck {
  if (!expected) return 'unchecked';
  if (!received) return 'missing';
  return received === expected ? 'ok' : 'mismatch';
}

/** The message for the first failed identity check, if any. */
export function identityProblem(
  checks: { appid: IdentityCheck; mchId: IdentityCheck },
  fields: Record<string, string>,
  profile: Pick<NotifyProfile, 'appid' | 'mchId'>,
): { reason: 'mch_id_mismatch' | 'appid_mismatch'; message: string } | null {
  if (isFine(checks.appid) && isFine(checks.mchId)) return null;
  const rows = [
    ['mch_id', checks.mchId, profile.mchId, 'mch_id_mismatch'],
    ['appid', checks.appid, profile.appid, 'appid_mismatch'],
  ] as const;
  for (const [name, check, mine, reason] of rows) {
    if (check === 'mismatch') {
      return {
        reason,
        message: `${name} ${fields[name]} is not yours (${mine}): the notification is for another ${name === 'mch_id' ? 'merchant' : 'app'}.`,
      };
    }
    if (check === 'missing') {
      return {
        reason,
        message: `The notification has no ${name}, but yours is ${mine}: WeChat always sends it, so this is not from WeChat.`,
      };
    }
  }
  return null;
}

function isFine(check: IdentityCheck): boolean {
  return check === 'ok' || check === 'unchecked';
}

/** Reads a fen amount tolerantly: undefined when it is not an integer. */
export function fenField(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
