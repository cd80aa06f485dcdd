import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../errors.js';
import type { PayClient } from '../http/client.js';
import { WeChatApiError } from '../http/errors.js';

export const DOWNLOAD_BILL_TYPES = [
  'ALL',
  'SUCCESS',
  'REFUND',
  'RECHARGE_REFUND',
] as const;
export type DownloadBillType = (typeof DOWNLOAD_BILL_TYPES)[number];

export const FUNDFLOW_ACCOUNT_TYPES = ['Basic', 'Operation', 'Fees'] as const;
export type FundflowAccountType = (typeof FUNDFLOW_ACCOUNT_TYPES)[number];

export const DOWNLOADBILL_PATH = '/pay/downloadbill';
export const DOWNLOADFUNDFLOW_PATH = '/pay/downloadfundflow';

/** One day's answer: the bill bytes exactly as sent, or "no bill". */
export type BillDay =
  | {
      status: 'bill';
      bill_date: string;
      /** The body as received: gzip bytes when gzip is true. */
      body: Buffer;
      gzip: boolean;
      /** downloadfundflow's `Digest: SHA=…` check, when the header came. */
      digest?: { value: string; matches: boolean };
    }
  | { status: 'no_bill'; bill_date: string; message: string };

/** Reads `--type` case-insensitively into WeChat's spelling. */
export function parseDownloadBillType(text: string): DownloadBillType {
  const upper = text.trim().toUpperCase();
  const found = DOWNLOAD_BILL_TYPES.find((type) => type === upper);
  if (!found) {
    throw new UsageError(
      'BILL_TYPE_INVALID',
      `--type "${text}" is not a bill type: use ${DOWNLOAD_BILL_TYPES.join(', ')}.`,
    );
  }
  return found;
}

export function parseFundflowAccountType(text: string): FundflowAccountType {
  const found = FUNDFLOW_ACCOUNT_TYPES.find(
    (type) => type.toLowerCase() === text.trim().toLowerCase(),
  );
  if (!found) {
    throw new UsageError(
      'ACCOUNT_TYPE_INVALID',
      `--account-type "${text}" is not an account: use ${FUNDFLOW_ACCOUNT_TYPES.join(', ')}.`,
    );
  }
  return found;
}

/**
 * Downloads one day's trade bill (spec 4.6). Signed with MD5 whatever the
 * profile says: whether downloadbill accepts HMAC-SHA256 for direct
 * merchants is UNCONFIRMED (spec 11.4), and MD5 always works. "No Bill
 * Exist", in any casing (case B30), is an empty day, not an error.
 */
export async function downloadBill(
  client: PayClient,
  options: { bill_date: string; bill_type?: DownloadBillType; gzip?: boolean },
): Promise<BillDay> {
  return fetchDay(options.bill_date, () =>
    client.raw(
      DOWNLOADBILL_PATH,
      {
        bill_date: options.bill_date,
        bill_type: options.bill_type ?? 'ALL',
        tar_type: options.gzip ? 'GZIP' : undefined,
      },
      { signType: 'MD5', signedResponse: false },
    ),
  );
}

/**
 * Downloads one day's fund-flow bill (spec 4.7): HMAC-SHA256 is the only
 * sign type it takes, and it needs the merchant certificate.
 */
export async function downloadFundflow(
  client: PayClient,
  options: {
    bill_date: string;
    account_type?: FundflowAccountType;
    gzip?: boolean;
  },
): Promise<BillDay> {
  return fetchDay(options.bill_date, () =>
    client.raw(
      DOWNLOADFUNDFLOW_PATH,
      {
        bill_date: options.bill_date,
        account_type: options.account_type ?? 'Basic',
        tar_type: options.gzip ? 'GZIP' : undefined,
      },
      { signType: 'HMAC-SHA256', cert: true, signedResponse: false },
    ),
  );
}

async function fetchDay(
  bill_date: string,
  fetch: () => ReturnType<PayClient['raw']>,
): Promise<BillDay> {
  try {
    const result = await fetch();
    return {
      status: 'bill',
      bill_date,
      body: result.body,
      gzip: result.gzip,
      digest: result.digest
        ? checkDigest(result.digest, result.body)
        : undefined,
    };
  } catch (error) {
    if (error instanceof WeChatApiError && error.errorClass === 'no_bill') {
      return {
        status: 'no_bill',
        bill_date,
        message: error.returnMsg || error.errCode,
      };
    }
    throw error;
  }
}

/**
 * downloadfundflow sends `Digest: SHA=<sha1 hex>` (spec 4.7). Whether it is
 * taken over the bytes as sent or the unzipped bill is not documented
 * (UNCONFIRMED), so either matching counts.
 */
function checkDigest(
  header: string,
  body: Buffer,
): { value: string; matches: boolean } {
  const value = header.replace(/^SHA=/i, '').trim().toLowerCase();
  const sha1 = (bytes: Buffer) =>
    createHash('sha1').update(bytes).digest('hex');
  let matches = sha1(body) === value;
  if (!matches && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      matches = sha1(gunzipSync(body)) === value;
    } catch {
      matches = false;
    }
  }
  return { value, matches };
}
