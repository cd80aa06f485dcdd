import { createHash } from 'node:crypto';
import { constants, gunzipSync } from 'node:zlib';
import { plainBytes } from '../bill/source.js';
import { NetworkError } from '../errors.js';
import type { PayClient } from '../http/client.js';
import { refusalOf } from '../http/errors.js';
import type { StreamingAnswer } from '../http/transport.js';
import { parseXml } from '../xml.js';
import type { PayEndpoint } from './err-codes.js';

/**
 * What a downloadbill / downloadfundflow answer is, decided from its first
 * bytes (spec 4.6, 4.7, 5.4). A bill starts, after an optional BOM, with
 * its first column name; gzip with 1f 8b; an error is WeChat's `<xml>`
 * document, maybe after a BOM, whitespace or an `<?xml …?>` prolog.
 * Anything else (a proxy's HTML page, an empty body) is not a bill and is
 * never saved as one.
 */
export type BillStart = 'bill' | 'gzip' | 'xml' | 'other';

/** 交易时间 opens every trade bill, 记账时间 every fund-flow bill (spec §5). */
const BILL_FIRST_COLUMNS = ['交易时间', '记账时间'].map((name) =>
  Buffer.from(name),
);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const XML_ANSWER = /^\s*(<\?xml[^>]*\?>\s*)?<xml[\s>]/;

/** Bytes looked at before deciding; a bill's header line is longer. */
const HEAD_BYTES = 1024;
/** WeChat's XML answers are under 1 KB; a bigger "answer" is not one. */
const MAX_XML_ANSWER = 1024 * 1024;
/** How much of a gzip body is inflated to see what it holds. */
const MAX_PEEK = 2 * 1024 * 1024;

export function billStart(head: Buffer): BillStart {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const body = head.subarray(startsWith(head, BOM) ? BOM.length : 0);
  if (BILL_FIRST_COLUMNS.some((name) => startsWith(body, name))) return 'bill';
  return XML_ANSWER.test(body.toString('utf8')) ? 'xml' : 'other';
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return (
    bytes.length >= prefix.length &&
    bytes.subarray(0, prefix.length).equals(prefix)
  );
}

/** Where the bill bytes go: memory (the library) or a file (the CLI). */
export interface BillSink {
  /** Resolves when the chunk is stored: memory stays one chunk. */
  write(chunk: Buffer): Promise<void>;
  /** The bytes stored so far, from the start (for the digest check). */
  readBack(): AsyncIterable<Buffer>;
  /** Drops what was stored (the answer was not a bill after all). */
  abort(): Promise<void>;
}

export interface ReceivedBill<S extends BillSink> {
  sink: S;
  bytes: number;
  gzip: boolean;
  sha256: string;
  /** downloadfundflow's `Digest: SHA=…` check, when the header came. */
  digest?: { value: string; matches: boolean };
}

type Answer = StreamingAnswer & { baseUrl: string };

/**
 * Reads one answer into a sink opened only once the body proved to be a
 * bill. An XML answer throws its refusal (WeChatApiError: "No Bill Exist"
 * has class no_bill); anything else throws a NetworkError naming the URL.
 */
export async function receiveBill<S extends BillSink>(
  client: PayClient,
  endpoint: PayEndpoint,
  answer: Answer,
  openSink: (gzip: boolean) => Promise<S>,
): Promise<ReceivedBill<S>> {
  const body = answer.body[Symbol.asyncIterator]();
  const head = await readHead(body);
  const start = billStart(head.bytes);
  if (start === 'xml') {
    throw xmlRefusal(client, endpoint, answer, await readAll(head, body));
  }
  const ok = answer.status >= 200 && answer.status < 300;
  if (start === 'other' || !ok) {
    throw notABill(client, answer, head.bytes, 'is not a bill');
  }
  if (start === 'gzip') {
    const inside = peekGunzip(head.bytes, head.done);
    if (inside === undefined) {
      throw notABill(client, answer, head.bytes, 'is damaged gzip');
    }
    const kind = inside.length ? billStart(inside) : 'bill';
    if (kind === 'xml') {
      const all = await readAll(head, body);
      const text = peekGunzip(all, true);
      throw text?.length
        ? xmlRefusal(client, endpoint, answer, text)
        : notABill(client, answer, inside, 'is gzip of a damaged XML answer');
    }
    if (kind !== 'bill') {
      throw notABill(client, answer, inside, 'is gzip of something not a bill');
    }
  }
  return store(answer, head, body, await openSink(start === 'gzip'));
}

interface Head {
  bytes: Buffer;
  done: boolean;
}

async function readHead(body: AsyncIterator<Buffer>): Promise<Head> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < HEAD_BYTES) {
    const next = await body.next();
    if (next.done) return { bytes: Buffer.concat(chunks), done: true };
    chunks.push(next.value);
    size += next.value.length;
  }
  return { bytes: Buffer.concat(chunks), done: false };
}

async function readAll(head: Head, body: AsyncIterator<Buffer>) {
  const chunks = [head.bytes];
  let size = head.bytes.length;
  for (
    let next = head.done ? undefined : await body.next();
    next && !next.done;
  ) {
    size += next.value.length;
    if (size > MAX_XML_ANSWER) break;
    chunks.push(next.value);
    next = await body.next();
  }
  return Buffer.concat(chunks);
}

/**
 * The start of a gzip body, inflated as far as the bytes at hand go (a
 * sync flush accepts a cut-off stream). Undefined when it is not gzip.
 */
function peekGunzip(head: Buffer, complete: boolean): Buffer | undefined {
  try {
    return gunzipSync(head, {
      finishFlush: complete ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      maxOutputLength: MAX_PEEK,
    });
  } catch (error) {
    // More than MAX_PEEK from 1 KB: highly compressed, still looks right.
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return Buffer.alloc(0);
    }
    return undefined;
  }
}

function xmlRefusal(
  client: PayClient,
  endpoint: PayEndpoint,
  answer: Answer,
  bytes: Buffer,
): Error {
  if (bytes.length > MAX_XML_ANSWER) {
    return notABill(client, answer, bytes, 'is XML far larger than an answer');
  }
  // The document from its root on: a strict parser refuses a prolog that
  // whitespace or a BOM precedes, and neither changes what WeChat said.
  const text = bytes.toString('utf8');
  const root = text.search(/<xml[\s>]/);
  const fields = parseXml(text.slice(Math.max(root, 0)), {
    maxBytes: MAX_XML_ANSWER,
  }).fields;
  return (
    refusalOf(endpoint, fields) ??
    notABill(client, answer, bytes, 'is XML without an error code')
  );
}

function notABill(
  client: PayClient,
  answer: Answer,
  head: Buffer,
  what: string,
): NetworkError {
  const type = answer.headers['content-type'];
  // Shown on one line: controls, bidi marks and the like cannot forge
  // output or drive the terminal.
  const snippet = head
    .toString('utf8', 0, 200)
    .replace(/[\s\p{Cc}\p{Cf}\p{Co}\ufffd]+/gu, ' ')
    .trim()
    .slice(0, 60);
  const url = client.redact(answer.url);
  return new NetworkError(
    'BILL_NOT_A_BILL',
    `The server answered something that is not a bill: ${url} sent HTTP ${answer.status}${type ? ` (${String(type)})` : ''} that ${what}${snippet ? `, starting "${snippet}"` : ''}. Nothing was saved.`,
    {
      hint: 'Check base_url (a proxy or login page may be answering) and try again; files saved before are untouched.',
      details: { url, status: answer.status, content_type: type },
    },
  );
}

async function store<S extends BillSink>(
  answer: Answer,
  head: Head,
  body: AsyncIterator<Buffer>,
  sink: S,
): Promise<ReceivedBill<S>> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let bytes = 0;
  const take = async (chunk: Buffer) => {
    sha256.update(chunk);
    sha1.update(chunk);
    bytes += chunk.length;
    await sink.write(chunk);
  };
  const gzip = billStart(head.bytes) === 'gzip';
  try {
    await take(head.bytes);
    if (!head.done) {
      for (let next = await body.next(); !next.done; next = await body.next()) {
        await take(next.value);
      }
    }
    const header = answer.headers.digest;
    const digest = Array.isArray(header) ? header[0] : header;
    return {
      sink,
      bytes,
      gzip,
      sha256: sha256.digest('hex'),
      digest: digest
        ? await checkDigest(digest, sha1.digest('hex'), gzip, sink)
        : undefined,
    };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/**
 * downloadfundflow sends `Digest: SHA=<sha1 hex>` (spec 4.7). Whether it is
 * taken over the bytes as sent or the unzipped bill is not documented
 * (UNCONFIRMED), so either matching counts.
 */
async function checkDigest(
  header: string,
  sentSha1: string,
  gzip: boolean,
  sink: BillSink,
): Promise<{ value: string; matches: boolean }> {
  const value = header.replace(/^SHA=/i, '').trim().toLowerCase();
  if (sentSha1 === value || !gzip)
    return { value, matches: sentSha1 === value };
  const hash = createHash('sha1');
  try {
    for await (const chunk of plainBytes(sink.readBack())) hash.update(chunk);
    return { value, matches: hash.digest('hex') === value };
  } catch {
    return { value, matches: false };
  }
}

/** A sink that keeps the bytes in memory (library calls, small bills). */
export class MemorySink implements BillSink {
  private readonly chunks: Buffer[] = [];

  async write(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
  }

  async *readBack(): AsyncGenerator<Buffer> {
    yield* this.chunks;
  }

  async abort(): Promise<void> {
    this.chunks.length = 0;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
