import { nonceStr } from './fields.js';
import { sign, type SignType } from './sign.js';

/**
 * Client-side payment parameters (spec 2.5). The paySign is a second
 * signature over exactly these camel-case names; it is never the `sign` of
 * the unifiedorder response (case B17).
 */

/** The object the mini program passes to `wx.requestPayment`. */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: SignType;
  paySign: string;
}

export interface JsapiPayInput {
  appid: string;
  prepayId: string;
  key: string;
  signType?: SignType;
  /** Seconds since the epoch; defaults to now. */
  timeStamp?: string;
  nonceStr?: string;
}

/** Seconds since the epoch as a string: wx.requestPayment refuses numbers. */
export function unixSeconds(now = new Date()): string {
  return String(Math.floor(now.getTime() / 1000));
}

/**
 * Builds the `wx.requestPayment` object for a prepay_id. `appId` is signed
 * (capital I) but not passed to wx.requestPayment.
 */
export function jsapiPayParams(input: JsapiPayInput): RequestPaymentParams {
  const signType = input.signType ?? 'MD5';
  const signed = {
    appId: input.appid,
    timeStamp: input.timeStamp ?? unixSeconds(),
    nonceStr: input.nonceStr ?? nonceStr(),
    package: `prepay_id=${input.prepayId}`,
    signType,
  };
  const paySign = sign(signed, input.key, signType);
  return {
    timeStamp: signed.timeStamp,
    nonceStr: signed.nonceStr,
    package: signed.package,
    signType,
    paySign,
  };
}

/** The parameters an APP hands to the WeChat SDK (`PayReq`). */
export interface AppPayParams {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: 'Sign=WXPay';
  noncestr: string;
  timestamp: string;
  sign: string;
}

/**
 * Builds APP payment parameters. These names are all lower case and the
 * package is the fixed text `Sign=WXPay`, unlike the mini-program object.
 */
export function appPayParams(input: {
  appid: string;
  mchId: string;
  prepayId: string;
  key: string;
  signType?: SignType;
  timestamp?: string;
  noncestr?: string;
}): AppPayParams {
  const unsigned = {
    appid: input.appid,
    partnerid: input.mchId,
    prepayid: input.prepayId,
    package: 'Sign=WXPay' as const,
    noncestr: input.noncestr ?? nonceStr(),
    timestamp: input.timestamp ?? unixSeconds(),
  };
  return {
    ...unsigned,
    sign: sign(unsigned, input.key, input.signType ?? 'MD5'),
  };
}
