import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AtomicFile,
  billFileName,
  noBillFileName,
  writeFileAtomic,
} from '../download/files.js';
import { NetworkError, UsageError } from '../errors.js';
import type { PayClient } from '../http/client.js';
import { WeChatApiError } from '../http/errors.js';
import { buildXml } from '../xml.js';
import {
  MemorySink,
  receiveBill,
  type BillSink,
  type ReceivedBill,
} from './bill-body.js';
import { endpointOf } from './err-codes.js';

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

/** One day saved to a file (see {@link saveBill}). */
export type SavedBillDay =
  | {
      status: 'saved';
      bill_date: string;
      path: string;
      bytes: number;
      gzip: boolean;
      sha256: string;
      digest?: { value: string; matches: boolean };
    }
  | {
      status: 'no_bill';
      bill_date: string;
      message: string;
      /** The empty-day marker written for the day. */
      path: string;
    };

export interface BillOptions {
  bill_date: string;
  bill_type?: DownloadBillType;
  gzip?: boolean;
}

export interface FundflowOptions {
  bill_date: string;
  account_type?: FundflowAccountType;
  gzip?: boolean;
}

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
 * The request of one day's trade bill (spec 4.6). Signed with MD5 whatever
 * the profile says: whether downloadbill accepts HMAC-SHA256 for direct
 * merchants is UNCONFIRMED (spec 11.4), and MD5 always works.
 */
function billCall(options: BillOptions): DayCall {
  return {
    kind: 'bill',
    type: options.bill_type ?? 'ALL',
    path: DOWNLOADBILL_PATH,
    fields: {
      bill_date: options.bill_date,
      bill_type: options.bill_type ?? 'ALL',
      tar_type: options.gzip ? 'GZIP' : undefined,
    },
    call: { signType: 'MD5', signedResponse: false },
  };
}

/**
 * The request of one day's fund-flow bill (spec 4.7): HMAC-SHA256 is the
 * only sign type it takes, and it needs the merchant certificate.
 */
function fundflowCall(options: FundflowOptions): DayCall {
  return {
    kind: 'fundflow',
    type: options.account_type ?? 'Basic',
    path: DOWNLOADFUNDFLOW_PATH,
    fields: {
      bill_date: options.bill_date,
      account_type: options.account_type ?? 'Basic',
      tar_type: options.gzip ? 'GZIP' : undefined,
    },
    call: { signType: 'HMAC-SHA256', cert: true, signedResponse: false },
  };
}

interface DayCall {
  kind: 'bill' | 'fundflow';
  type: string;
  path: string;
  fields: Record<string, string | undefined>;
  call: Parameters<PayClient['stream']>[2];
}

/**
 * Downloads one day's trade bill into memory. "No Bill Exist", in any
 * casing (case B30), is an empty day, not an error; an answer that is
 * neither a bill nor WeChat's XML is a NetworkError. For large bills use
 * {@link saveBill}, which streams to a file.
 */
export async function downloadBill(
  client: PayClient,
  options: BillOptions,
): Promise<BillDay> {
  return inMemory(client, options.bill_date, billCall(options));
}

/** Downloads one day's fund-flow bill into memory (see downloadBill). */
export async function downloadFundflow(
  client: PayClient,
  options: FundflowOptions,
): Promise<BillDay> {
  return inMemory(client, options.bill_date, fundflowCall(options));
}

/**
 * Downloads one day's trade bill into `dir` as {@link billFileName} says,
 * streaming it: memory stays bounded whatever the size, and the file
 * appears only once complete (an earlier file of that name is replaced
 * only by a whole bill). An empty day writes the {@link noBillFileName}
 * marker instead.
 */
export async function saveBill(
  client: PayClient,
  options: BillOptions,
  dir: string,
): Promise<SavedBillDay> {
  return toFile(client, options.bill_date, billCall(options), dir);
}

/** {@link saveBill} for fund-flow bills. */
export async function saveFundflow(
  client: PayClient,
  options: FundflowOptions,
  dir: string,
): Promise<SavedBillDay> {
  return toFile(client, options.bill_date, fundflowCall(options), dir);
}

async function inMemory(
  client: PayClient,
  bill_date: string,
  day: DayCall,
): Promise<BillDay> {
  const got = await receive(client, day, async () => new MemorySink());
  if ('message' in got) return { status: 'no_bill', bill_date, ...got };
  return {
    status: 'bill',
    bill_date,
    body: got.sink.bytes(),
    gzip: got.gzip,
    digest: got.digest,
  };
}

async function toFile(
  client: PayClient,
  bill_date: string,
  day: DayCall,
  dir: string,
): Promise<SavedBillDay> {
  const got = await receive(client, day, (gzip) =>
    FileSink.create(
      join(dir, billFileName(day.kind, day.type, bill_date, gzip)),
    ),
  );
  const marker = join(dir, noBillFileName(day.kind, day.type, bill_date));
  if ('message' in got) {
    await writeFileAtomic(marker, noBillMarker(bill_date, got));
    return { status: 'no_bill', bill_date, message: got.message, path: marker };
  }
  if (!(await endsWithSummary(got.sink.readBack(), got.gzip, day.kind))) {
    await got.sink.abort();
    throw new NetworkError(
      'BILL_INCOMPLETE',
      `The ${day.kind === 'bill' ? 'trade' : 'fund-flow'} bill of ${bill_date} ends without its summary lines: the answer was cut short.`,
      {
        hint: 'Download it again; any earlier file of that day is kept as it was.',
      },
    );
  }
  await got.sink.file.commit();
  // A bill now exists for the day: an older empty-day marker is wrong.
  await unlink(marker).catch(() => undefined);
  return {
    status: 'saved',
    bill_date,
    path: got.sink.file.path,
    bytes: got.bytes,
    gzip: got.gzip,
    sha256: got.sha256,
    digest: got.digest,
  };
}

interface NoBillAnswer {
  message: string;
  error_code?: string;
}

async function receive<S extends BillSink>(
  client: PayClient,
  day: DayCall,
  openSink: (gzip: boolean) => Promise<S>,
): Promise<ReceivedBill<S> | NoBillAnswer> {
  const endpoint = endpointOf(day.path)!;
  try {
    return await client.stream(day.path, day.fields, day.call, (answer) =>
      receiveBill(client, endpoint, answer, openSink),
    );
  } catch (error) {
    if (error instanceof WeChatApiError && error.errorClass === 'no_bill') {
      return noBillAnswer(error);
    }
    throw error;
  }
}

/**
 * downloadbill says "No Bill Exist" in return_msg (return_code FAIL);
 * downloadfundflow in err_code_des, with return_msg "OK" (result_code
 * FAIL). The message is whichever carries the words.
 */
function noBillAnswer(error: WeChatApiError): NoBillAnswer {
  const business = error.returnCode === 'SUCCESS';
  const message = business
    ? error.errCodeDes || error.errCode
    : error.returnMsg || error.errCode;
  return {
    message,
    ...(!business && error.errCodeDes && { error_code: error.errCodeDes }),
  };
}

/**
 * The marker holds WeChat's "No Bill Exist" answer (spec 4.6), so
 * `bill parse` and `bill reconcile` read it as the empty day it is.
 */
function noBillMarker(bill_date: string, answer: NoBillAnswer): string {
  const said = /^no bill exist$/i.test(answer.message.trim());
  return `${buildXml({
    return_code: 'FAIL',
    return_msg: said ? answer.message : 'No Bill Exist',
    error_code: answer.error_code,
    bill_date,
  })}\n`;
}

/**
 * Whether a saved bill ends with its summary (the second-to-last line names
 * the totals, spec 5): a body cut short after a valid header would otherwise
 * replace a good file. Reads the file once, keeping only its last bytes.
 */
async function endsWithSummary(
  bytes: AsyncIterable<Buffer>,
  gzip: boolean,
  kind: 'bill' | 'fundflow',
): Promise<boolean> {
  const source = gzip
    ? Readable.from(bytes).pipe(createGunzip())
    : Readable.from(bytes);
  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      tail = Buffer.concat([tail, chunk as Buffer]).subarray(-8192);
    }
  } catch {
    return false;
  }
  const text = tail.toString('utf8');
  return text.includes(kind === 'bill' ? '总交易单数' : '资金流水总笔数');
}

/** Bill bytes into an {@link AtomicFile}, read back from its temp file. */
class FileSink implements BillSink {
  private constructor(readonly file: AtomicFile) {}

  static async create(path: string): Promise<FileSink> {
    return new FileSink(await AtomicFile.create(path));
  }

  write(chunk: Buffer): Promise<void> {
    return this.file.write(chunk);
  }

  readBack(): AsyncIterable<Buffer> {
    return createReadStream(this.file.temp);
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}
