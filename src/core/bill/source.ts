import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';

/**
 * Bytes in, lines out, in constant memory: the input is read chunk by
 * chunk, and each chunk becomes a batch of lines. Batching keeps the cost
 * per line low (one async step per chunk, not per line).
 */

/** What a bill or orders file can be read from. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Uint8Array;

/**
 * A line longer than this is refused: it means the line breaks were lost
 * (a known way bills get damaged, case B31), and holding it would break
 * the constant-memory promise.
 */
export const MAX_LINE_BYTES = 1 << 20;

function asIterable(source: ByteSource): AsyncIterable<Uint8Array | string> {
  if (source instanceof Uint8Array) return Readable.from([source]);
  return source;
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/**
 * Yields the bytes of `source`, gunzipped when they start with the gzip
 * magic 1f 8b (case B33: never trust a content type or a file name, and
 * never decode compressed bytes as text).
 */
export async function* plainBytes(source: ByteSource): AsyncGenerator<Buffer> {
  const iterator = asIterable(source)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, toBuffer(next.value)]);
  }
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    if (head.length) yield head;
    for (let next = await iterator.next(); !next.done;) {
      yield toBuffer(next.value);
      next = await iterator.next();
    }
    return;
  }
  yield* gunzip(head, iterator);
}

async function* gunzip(
  head: Buffer,
  rest: AsyncIterator<Uint8Array | string>,
): AsyncGenerator<Buffer> {
  async function* compressed() {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) {
      yield toBuffer(next.value);
    }
  }
  const inflater = createGunzip();
  const feeding = pipeline(Readable.from(compressed()), inflater);
  // The error also reaches the loop below through the destroyed inflater.
  feeding.catch(() => undefined);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
    await feeding;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new InputError(
        'GZIP_CORRUPT',
        `The gzip data is damaged: ${(error as Error).message}.`,
        {
          hint: 'Download the bill again; a cut-off download cannot be repaired.',
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    inflater.destroy();
  }
}

/**
 * Splits UTF-8 bytes into lines (LF or CRLF, the line end removed), one
 * array per chunk. Chunks are cut after their last LF byte before decoding:
 * LF never occurs inside a multi-byte character, so no character is cut.
 * The last line is yielded even without a final newline.
 */
export async function* lineBatches(
  bytes: AsyncIterable<Buffer>,
  encoding: 'utf8' | 'latin1' = 'utf8',
): AsyncGenerator<string[]> {
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const cut = chunk.lastIndexOf(10);
    if (cut < 0) {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > MAX_LINE_BYTES) {
        throw tail.includes(13) ? crOnlyLineEnds('file') : lineTooLong();
      }
      continue;
    }
    const text = tail.length
      ? Buffer.concat([tail, chunk.subarray(0, cut + 1)]).toString(encoding)
      : chunk.toString(encoding, 0, cut + 1);
    tail = chunk.subarray(cut + 1);
    yield splitLines(text);
  }
  if (tail.length) yield splitLines(`${tail.toString(encoding)}\n`);
}

/**
 * Splits text that ends with a line break. Splitting on "\r\n" is several
 * times faster than splitting on "\n" and trimming each line, so it is used
 * when every LF in the text follows a CR (checked by counting).
 */
function splitLines(text: string): string[] {
  const crlf = text.split('\r\n');
  const lines = countLF(text) === crlf.length - 1 ? crlf : byLF(text);
  lines.pop();
  return lines;
}

function countLF(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    n += 1;
  }
  return n;
}

function byLF(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.charCodeAt(line.length - 1) === 13) lines[i] = line.slice(0, -1);
  }
  return lines;
}

function lineTooLong(): InputError {
  return new InputError(
    'LINE_TOO_LONG',
    `A line is longer than ${MAX_LINE_BYTES} bytes: the line breaks are missing.`,
    {
      hint: 'Save the downloaded bytes as they are; a reader that drops newlines turns the bill into one line.',
    },
  );
}

/**
 * Lines ended by CR alone (classic Mac OS, some converters) never split:
 * the whole file would read as one line. Said plainly, with the repair.
 */
export function crOnlyLineEnds(what: string): InputError {
  return new InputError(
    'LINE_ENDS_CR_ONLY',
    `The ${what}'s line endings are CR only (no LF), so it cannot be read line by line.`,
    {
      hint: "Convert them to LF or CRLF, e.g. tr '\\r' '\\n' < in.csv > out.csv, or save the original bytes again.",
    },
  );
}

/**
 * A copy of `text` that does not keep the chunk it was cut from alive. V8
 * makes long substrings views into their parent; an index that stores a
 * million of them would otherwise keep every chunk of the file.
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}

/**
 * Latin1 decoding maps each byte to one character, so text read that way
 * holds the exact bytes: ASCII cells (ids, amounts) are right as they are,
 * and any other cell is decoded again as UTF-8 when it is needed. It is
 * much cheaper than UTF-8 decoding and gives one-byte strings (half the
 * memory), which is what a million-row index needs.
 */
const HIGH_BYTE = /[\x80-\xff]/;

export function hasHighBytes(text: string): boolean {
  return HIGH_BYTE.test(text);
}

export function latin1ToUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}
