import { e, type Entry, type PayEndpoint } from './err-types.js';

/** The err_code tables of spec section 4, per endpoint. */

/** Codes that mean the same on every v2 endpoint. */
export const COMMON: Record<string, Entry> = {
  SYSTEMERROR: e(
    'system_error',
    true,
    'WeChat timed out or had an internal error; the outcome is unknown.',
    'Retry with exactly the same parameters (wxpay already did, with backoff); query before creating anything new.',
    true,
  ),
  SIGNERROR: e(
    'signature_error',
    false,
    'WeChat could not verify the request signature (签名错误).',
    'Check the API key and sign_type of the profile; `wxpay sign diagnose` finds the usual mistakes.',
  ),
  XML_FORMAT_ERROR: e(
    'protocol_error',
    false,
    'WeChat could not read the request XML.',
    'Report it: wxpay builds the XML, so this points to a proxy rewriting the body.',
  ),
  REQUIRE_POST_METHOD: e(
    'protocol_error',
    false,
    'The request was not a POST.',
    'Check base_url: a proxy or redirect may be turning the POST into a GET.',
  ),
  POST_DATA_EMPTY: e(
    'protocol_error',
    false,
    'WeChat received an empty body.',
    'Check for a proxy that drops request bodies.',
  ),
  NOT_UTF8: e(
    'protocol_error',
    false,
    'The request was not UTF-8.',
    'Remove characters outside UTF-8; wxpay always sends UTF-8, so check for a re-encoding proxy.',
  ),
  APPID_NOT_EXIST: e(
    'merchant_config',
    false,
    'The appid is missing or unknown to WeChat Pay.',
    'Check the appid in the profile (`wxpay config get appid`).',
  ),
  MCHID_NOT_EXIST: e(
    'merchant_config',
    false,
    'The mch_id is missing or unknown.',
    'Check the merchant number (商户号) in the profile.',
  ),
  APPID_MCHID_NOT_MATCH: e(
    'merchant_config',
    false,
    'The appid is not bound to this mch_id.',
    'Bind the mini program to the merchant in the merchant platform (产品中心 → AppID账号管理), or use the bound appid.',
  ),
  LACK_PARAMS: e(
    'missing_params',
    false,
    'A required parameter is missing.',
    'Read err_code_des for the field name and pass it.',
  ),
  PARAM_ERROR: e(
    'invalid_params',
    false,
    'A parameter has a wrong value or format.',
    'Read err_code_des for the field and fix it.',
  ),
  NOAUTH: e(
    'no_permission',
    false,
    'The merchant has no permission for this API.',
    'Enable the product in the merchant platform, or check the API IP whitelist.',
  ),
  ORDERNOTEXIST: e(
    'order_not_found',
    false,
    'WeChat has no order with this number for this merchant.',
    'Check out_trade_no / transaction_id and the mch_id; only orders whose unifiedorder succeeded exist.',
  ),
  ORDERPAID: e(
    'already_paid',
    false,
    'The order is already paid. This is not a payment failure.',
    'Query the order (`wxpay order query`) or wait for the payment notification; do not tell the payer the payment failed.',
  ),
  ORDERCLOSED: e(
    'order_closed',
    false,
    'The order is closed and can never be paid.',
    'Create a new order with a new out_trade_no.',
  ),
  BIZERR_NEED_RETRY: e(
    'concurrency_retry',
    true,
    'WeChat refused a concurrent request for the same order.',
    'Retry with exactly the same parameters (wxpay already did, with backoff).',
    true,
  ),
  INVALID_TRANSACTIONID: e(
    'invalid_transaction_id',
    false,
    'The transaction_id is not a valid WeChat order number.',
    'Use the transaction_id from the payment notification or orderquery, or pass out_trade_no instead.',
  ),
};

export const OUT_TRADE_NO_USED = e(
  'out_trade_no_reused_with_different_params',
  false,
  'This out_trade_no was used before with other parameters (payer, amount, trade_type or body).',
  'Use a new out_trade_no, or re-send exactly the original parameters to get the original prepay_id.',
);

const UNIFIEDORDER: Record<string, Entry> = {
  INVALID_REQUEST: e(
    'invalid_params',
    false,
    'A parameter is invalid, or a re-sent order differs from the original.',
    'Read err_code_des; when it says 商户订单号重复 use a new out_trade_no.',
  ),
  NOTENOUGH: e(
    'insufficient_balance',
    false,
    "The payer's balance is not enough.",
    'Ask the payer to choose another payment method; the order stays payable.',
  ),
  OUT_TRADE_NO_USED,
  // The B42 fixture and older docs spell it without the underscores.
  OUTTRADENO_USED: OUT_TRADE_NO_USED,
};

const CLOSEORDER: Record<string, Entry> = {
  ORDERPAID: e(
    'already_paid',
    false,
    'The order is paid, so it cannot be closed.',
    'Treat the order as paid (deliver, or refund it with `wxpay refund`).',
  ),
  ORDERCLOSED: e(
    'order_closed',
    false,
    'The order was already closed.',
    'Nothing to do: it can never be paid.',
  ),
  // Not on the official closeorder table (spec 4.3, UNCONFIRMED there).
  TRADE_STATE_ERROR: e(
    'trade_state_error',
    false,
    'The order is in a state that cannot be closed.',
    'Query the order to see its state.',
  ),
};

const REFUND: Record<string, Entry> = {
  SYSTEMERROR: e(
    'system_error',
    true,
    'WeChat timed out; the refund may still have been accepted.',
    'Retry with the SAME out_refund_no and amounts (never a new number), or run `wxpay refund query` first.',
    true,
  ),
  TRADE_OVERDUE: e(
    'trade_overdue',
    false,
    'The order was paid more than a year ago and can no longer be refunded.',
    'Settle with the payer outside WeChat Pay.',
  ),
  ERROR: e(
    'business_error',
    false,
    'WeChat refused the refund for a business reason.',
    'Read err_code_des for the reason.',
  ),
  USER_ACCOUNT_ABNORMAL: e(
    'user_account_abnormal',
    false,
    "The payer's WeChat account is cancelled or frozen; the refund failed.",
    'Refund the payer another way.',
  ),
  INVALID_REQ_TOO_MUCH: e(
    'rate_limited',
    true,
    'Too many invalid requests.',
    'Fix the request, then wait a minute before retrying.',
  ),
  NOTENOUGH: e(
    'insufficient_balance',
    false,
    "The merchant's refundable balance is not enough.",
    'Top up the merchant account, or refund from the other fund source (refund_account).',
  ),
  ORDERNOTEXIST: e(
    'order_not_found',
    false,
    'The order does not exist or was never paid.',
    'Check the order number; only paid orders can be refunded.',
  ),
  FREQUENCY_LIMITED: e(
    'rate_limited',
    true,
    'Refund requests for this (older) order are rate limited.',
    'Wait a minute and retry with the same out_refund_no.',
  ),
  NOAUTH: e(
    'no_permission',
    false,
    'The request IP is not on the merchant API whitelist, or refunds are not enabled.',
    'Add the server IP in the merchant platform, or enable the refund permission.',
  ),
  // The next three come from doc copies, not the current official page
  // (spec 4.4, UNCONFIRMED).
  CERT_ERROR: e(
    'cert_error',
    false,
    'The client certificate is wrong, expired or revoked.',
    'Download the current apiclient_cert from the merchant platform and update cert_p12 / cert_pem.',
  ),
  REFUND_FEE_MISMATCH: e(
    'refund_fee_mismatch',
    false,
    'A request with this out_refund_no was sent before with other amounts.',
    'Re-send the original amounts, or use a new out_refund_no for a new refund.',
  ),
  ORDER_NOT_READY: e(
    'order_not_ready',
    true,
    'The order is still being processed.',
    'Retry later with the same out_refund_no.',
  ),
};

const REFUNDQUERY: Record<string, Entry> = {
  REFUNDNOTEXIST: e(
    'refund_not_found',
    false,
    'No refund found: wrong number, or the order was never refunded.',
    'Check the number you queried by (out_refund_no, refund_id, out_trade_no, transaction_id).',
  ),
};

/** downloadbill reports errors in return_msg (plus a numeric error_code). */
const DOWNLOADBILL: Record<string, Entry> = {
  SYSTEMERROR: e(
    'system_error',
    true,
    'The bill download failed on WeChat side.',
    'Retry later (wxpay already retried).',
    true,
  ),
  'INVALID BILL_TYPE': e(
    'invalid_params',
    false,
    'bill_type is not one of ALL, SUCCESS, REFUND, RECHARGE_REFUND.',
    'Use one of those values.',
  ),
  'DATA FORMAT ERROR': e(
    'invalid_params',
    false,
    'bill_date is not in YYYYMMDD form.',
    'Pass the date as YYYYMMDD, e.g. 20240610.',
  ),
  'MISSING PARAMETER': e(
    'missing_params',
    false,
    'A required parameter is missing.',
    'Pass bill_date.',
  ),
  'SIGN ERROR': e(
    'signature_error',
    false,
    'WeChat could not verify the request signature.',
    'Check the key and use MD5 for downloadbill (HMAC is UNCONFIRMED for direct merchants).',
  ),
  'NO BILL EXIST': e(
    'no_bill',
    false,
    'There is no bill for that day: no successful payment or refund happened.',
    'Nothing to reconcile for that day; check the date and the mch_id.',
  ),
  'BILL CREATING': e(
    'bill_creating',
    true,
    'The bill is not generated yet.',
    'Bills appear from 09:00 Beijing time the next day; fetch after 10:00.',
  ),
  'COMPRESSGZIP ERROR': e(
    'compression_error',
    true,
    'WeChat failed to compress the bill.',
    'Retry later, or leave out --gzip.',
  ),
  'UNCOMPRESSGZIP ERROR': e(
    'compression_error',
    true,
    'WeChat failed to decompress the bill.',
    'Retry later.',
  ),
  // Seen in a public code copy; not on an official page (spec 4.6).
  当前商户号账单API权限已经关闭: e(
    'bill_api_disabled',
    false,
    'The bill API is switched off for this merchant.',
    'Ask the merchant admin to enable bill download, or download it from the merchant platform.',
  ),
};

const DOWNLOADFUNDFLOW: Record<string, Entry> = {
  NO_BILL_EXIST: DOWNLOADBILL['NO BILL EXIST'],
  BILL_CREATING: DOWNLOADBILL['BILL CREATING'],
};

export const BY_ENDPOINT: Record<PayEndpoint, Record<string, Entry>> = {
  unifiedorder: UNIFIEDORDER,
  orderquery: {},
  closeorder: CLOSEORDER,
  refund: REFUND,
  refundquery: REFUNDQUERY,
  downloadbill: DOWNLOADBILL,
  downloadfundflow: DOWNLOADFUNDFLOW,
};

/** Which err_codes spec section 4 lists for each endpoint. */
export const ENDPOINT_ERR_CODES: Readonly<Record<PayEndpoint, string[]>> = {
  unifiedorder: [
    'INVALID_REQUEST',
    'NOAUTH',
    'NOTENOUGH',
    'ORDERPAID',
    'ORDERCLOSED',
    'SYSTEMERROR',
    'APPID_NOT_EXIST',
    'MCHID_NOT_EXIST',
    'APPID_MCHID_NOT_MATCH',
    'LACK_PARAMS',
    'OUT_TRADE_NO_USED',
    'SIGNERROR',
    'XML_FORMAT_ERROR',
    'REQUIRE_POST_METHOD',
    'POST_DATA_EMPTY',
    'NOT_UTF8',
  ],
  orderquery: ['ORDERNOTEXIST', 'SYSTEMERROR'],
  closeorder: [
    'ORDERPAID',
    'SYSTEMERROR',
    'ORDERCLOSED',
    'SIGNERROR',
    'REQUIRE_POST_METHOD',
    'XML_FORMAT_ERROR',
    'ORDERNOTEXIST',
    'TRADE_STATE_ERROR',
  ],
  refund: [
    'SYSTEMERROR',
    'BIZERR_NEED_RETRY',
    'TRADE_OVERDUE',
    'ERROR',
    'USER_ACCOUNT_ABNORMAL',
    'INVALID_REQ_TOO_MUCH',
    'NOTENOUGH',
    'INVALID_TRANSACTIONID',
    'PARAM_ERROR',
    'APPID_NOT_EXIST',
    'MCHID_NOT_EXIST',
    'ORDERNOTEXIST',
    'REQUIRE_POST_METHOD',
    'SIGNERROR',
    'XML_FORMAT_ERROR',
    'FREQUENCY_LIMITED',
    'NOAUTH',
    'CERT_ERROR',
    'REFUND_FEE_MISMATCH',
    'ORDER_NOT_READY',
  ],
  refundquery: [
    'SYSTEMERROR',
    'REFUNDNOTEXIST',
    'INVALID_TRANSACTIONID',
    'PARAM_ERROR',
    'APPID_NOT_EXIST',
    'MCHID_NOT_EXIST',
    'REQUIRE_POST_METHOD',
    'SIGNERROR',
    'XML_FORMAT_ERROR',
  ],
  downloadbill: [
    'SYSTEMERROR',
    'invalid bill_type',
    'data format error',
    'missing parameter',
    'SIGN ERROR',
    'No Bill Exist',
    'Bill Creating',
    'CompressGZip Error',
    'UnCompressGZip Error',
    '当前商户号账单API权限已经关闭',
  ],
  downloadfundflow: [
    'SYSTEMERROR',
    'PARAM_ERROR',
    'NO_BILL_EXIST',
    'BILL_CREATING',
  ],
};
