import { InputError } from '../../core/errors.js';
import { nonceStr } from '../../core/fields.js';
import { sign, signaturesEqual, type SignType } from '../../core/sign.js';
import { buildXml, parseXml } from '../../core/xml.js';
import {
  sandboxKey,
  type MerchantRegistry,
  type SimMerchant,
} from '../merchants.js';
import type { SimRequest, SimResponse } from '../router.js';

/**
 * The protocol layer shared by every pay endpoint (spec 1-3): reading the
 * XML, refusing what WeChat refuses at the communication level
 * (return_code=FAIL, unsigned), verifying the signature with the
 * merchant's key, and signing replies.
 */

/** Real requests are a few KB (detail is at most 6000 characters). */
export const PAY_MAX_BODY_BYTES = 128 * 1024;

export type ReplyFields = Record<string, string | number | undefined>;

export function xmlReply(fields: ReplyFields, status = 200): SimResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: buildXml(fields),
  };
}

/** A communication-level refusal: return_code=FAIL, no sign (spec 2.6). */
export function protocolFail(message: string): SimResponse {
  return xmlReply({ return_code: 'FAIL', return_msg: message });
}

/** A verified request: who sent it and how replies must be signed. */
export interface PayCall {
  fields: Record<string, string>;
  merchant: SimMerchant;
  /** The key requests are checked and replies signed with. */
  key: string;
  signType: SignType;
  appid: string;
}

export interface ReadCallOptions {
  /** /sandboxnew/ calls are signed with the sandbox key (spec 4.8). */
  sandbox: boolean;
  /** getsignkey carries no appid. */
  needsAppid: boolean;
  /** downloadfundflow accepts HMAC-SHA256 only (spec 4.7). */
  onlySignType?: SignType;
  /** downloadbill words its refusals differently (spec 4.6). */
  messages?: { missing?: string; sign?: string };
}

const PROTOCOL_LIMITS: [string, number][] = [
  ['appid', 32],
  ['mch_id', 32],
  ['nonce_str', 32],
  ['sign', 64],
];

/**
 * Reads and verifies a pay request; returns the refusal to send instead
 * when WeChat would refuse it before looking at the business fields.
 */
export function readPayCall(
  request: SimRequest,
  merchants: MerchantRegistry,
  options: ReadCallOptions,
): PayCall | SimResponse {
  if (request.method !== 'POST') return protocolFail('请使用post方法');
  if (request.body.toString('utf8').trim() === '') {
    return protocolFail('post数据为空');
  }
  const fields = parseBody(request.body);
  if (!fields) return protocolFail('XML格式错误');
  if ('encoding' in fields) return protocolFail('编码格式错误');
  const required = options.needsAppid
    ? ['appid', 'mch_id', 'nonce_str', 'sign']
    : ['mch_id', 'nonce_str', 'sign'];
  for (const name of required) {
    if (!fields.values[name]) {
      return protocolFail(options.messages?.missing ?? `${name}参数格式错误`);
    }
  }
  for (const [name, max] of PROTOCOL_LIMITS) {
    if ((fields.values[name] ?? '').length > max) {
      return protocolFail(`${name}参数长度有误`);
    }
  }
  return verifyCall(fields.values, merchants, options);
}

function verifyCall(
  fields: Record<string, string>,
  merchants: MerchantRegistry,
  options: ReadCallOptions,
): PayCall | SimResponse {
  const declared = fields.sign_type ?? '';
  if (declared !== '' && declared !== 'MD5' && declared !== 'HMAC-SHA256') {
    return protocolFail('sign_type参数格式错误');
  }
  const signType: SignType = declared === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
  if (options.onlySignType && signType !== options.onlySignType) {
    return protocolFail(`sign_type参数错误，仅支持${options.onlySignType}`);
  }
  // Sandbox signing is MD5 only (spec 4.8, UNCONFIRMED officially): the
  // strict reading keeps an integration from depending on HMAC there.
  if (options.sandbox && signType !== 'MD5') {
    return protocolFail('沙箱环境仅支持MD5签名');
  }
  const merchant = merchants.byMch(fields.mch_id);
  if (!merchant) return protocolFail('mch_id参数格式错误');
  const appid = fields.appid ?? '';
  if (options.needsAppid && !merchant.appids.includes(appid)) {
    return protocolFail('商户号mch_id与appid不匹配');
  }
  const key = options.sandbox ? sandboxKey(merchant) : merchant.key;
  if (!signaturesEqual(fields.sign, sign(fields, key, signType))) {
    return protocolFail(options.messages?.sign ?? '签名错误');
  }
  const unfit = unfitField(fields);
  if (unfit) return protocolFail(`${unfit}参数格式错误`);
  return { fields, merchant, key, signType, appid };
}

type ParsedBody = { values: Record<string, string> } | { encoding: true };

function parseBody(body: Buffer): ParsedBody | undefined {
  try {
    const parsed = parseXml(body, { maxBytes: PAY_MAX_BODY_BYTES });
    return parsed.root === 'xml' ? { values: parsed.fields } : undefined;
  } catch (error) {
    if (error instanceof InputError && error.code === 'XML_NOT_UTF8') {
      return { encoding: true };
    }
    // Oversize, DOCTYPE/ENTITY (XXE, billion laughs), malformed, nested or
    // duplicate elements: all refused without reading further (case B20).
    return undefined;
  }
}

/**
 * WeChat Pay v2 carries 1-3 byte UTF-8 only (spec 1): emoji are refused.
 * So are raw control characters, which no XML reply could carry back.
 */
const UNFIT_CHARS =
  // eslint-disable-next-line no-control-regex -- finding them is the point
  /[\u{10000}-\u{10FFFF}\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;

function unfitField(fields: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (UNFIT_CHARS.test(value)) return name;
  }
  return undefined;
}

/**
 * A signed business reply: return_code SUCCESS plus the given fields,
 * signed with the request's key and sign type. Like WeChat, the reply does
 * not say which sign type it used (spec 2.6).
 */
export function signedReply(call: PayCall, fields: ReplyFields): SimResponse {
  const reply: ReplyFields = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: call.appid || undefined,
    mch_id: call.merchant.mch_id,
    nonce_str: nonceStr(),
    ...fields,
  };
  reply.sign = sign(reply, call.key, call.signType);
  return xmlReply(reply);
}

/** result_code=FAIL with an err_code, signed. */
export function businessFail(
  call: PayCall,
  errCode: string,
  errCodeDes: string,
  extra: ReplyFields = {},
): SimResponse {
  return signedReply(call, {
    result_code: 'FAIL',
    err_code: errCode,
    err_code_des: errCodeDes,
    ...extra,
  });
}

/** How a business field is checked. */
export interface FieldRule {
  name: string;
  required?: boolean;
  /** Length limit in UTF-8 bytes (body and attach are counted in bytes). */
  maxBytes?: number;
  /** Length limits in characters. */
  maxChars?: number;
  minChars?: number;
  /** Allowed shape; a mismatch is `<name>参数格式错误`. */
  format?: RegExp | ((value: string) => boolean);
  /** Custom refusal text for a format mismatch. */
  formatMessage?: string;
}

/**
 * Checks business fields: a bad format or length is refused at the
 * communication level (`body参数长度有误`, `total_fee参数格式错误`, as
 * WeChat answers); a missing required field is LACK_PARAMS.
 */
export function checkFields(
  call: PayCall,
  rules: readonly FieldRule[],
): SimResponse | undefined {
  for (const rule of rules) {
    const value = call.fields[rule.name];
    if (value === undefined || value === '') continue;
    if (!lengthFits(rule, value)) {
      return protocolFail(`${rule.name}参数长度有误`);
    }
    const format = rule.format;
    const fits =
      format === undefined ||
      (typeof format === 'function' ? format(value) : format.test(value));
    if (!fits) {
      return protocolFail(rule.formatMessage ?? `${rule.name}参数格式错误`);
    }
  }
  for (const rule of rules) {
    if (rule.required && !call.fields[rule.name]) {
      return businessFail(call, 'LACK_PARAMS', `缺少参数${rule.name}`);
    }
  }
  return undefined;
}

function lengthFits(rule: FieldRule, value: string): boolean {
  const chars = [...value].length;
  if (rule.maxBytes !== undefined && Buffer.byteLength(value) > rule.maxBytes) {
    return false;
  }
  if (rule.maxChars !== undefined && chars > rule.maxChars) return false;
  return rule.minChars === undefined || chars >= rule.minChars;
}

/** Whole fen, at least 1 (a yuan value such as 0.01 is refused). */
export const FEN = /^[1-9]\d{0,10}$/;
export const OUT_TRADE_NO_CHARS = /^[0-9A-Za-z_\-|*]+$/;
export const OUT_REFUND_NO_CHARS = /^[0-9A-Za-z_\-|*@]+$/;

/**
 * out_trade_no: 6 to 32 of `0-9 a-z A-Z _ - | *`. The 6-character minimum
 * is missing from the mini-program page only (spec 11.3); the simulator
 * enforces it, the reading that never gets a real request refused.
 */
export const OUT_TRADE_NO_RULE: FieldRule = {
  name: 'out_trade_no',
  maxChars: 32,
  minChars: 6,
  format: OUT_TRADE_NO_CHARS,
};

/** A real `yyyyMMddHHmmss` moment (month 13 or day 32 refused). */
export function isTime14(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}
