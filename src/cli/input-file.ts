import { open, type FileHandle } from 'node:fs/promises';
import { UsageError, WxPayError } from '../core/errors.js';
import type { Context } from './context.js';
import { readAll } from './io.js';

/**
 * Every input file a command reads has a size no real input comes near (a
 * notification or push is a few KB, an image at most 2 MB, a secret a few
 * dozen characters), so nothing larger is ever held in memory: /dev/zero or
 * a huge file is refused, not read.
 */
export interface CappedRead {
  /** Names the input in errors: a flag, or "the input file". */
  flag: string;
  limit: number;
  /** The error for an input over the limit; `size` reads "N bytes". */
  tooLarge: (size: string) => WxPayError;
  /** The error code for a missing or unreadable file. */
  unreadableCode?: string;
}

const CHUNK = 64 * 1024;

/**
 * Reads a file, or stdin for `-`: a regular file is refused by its size
 * before a byte is read; a pipe or device after `limit + 1` bytes.
 */
export async function readCapped(
  ctx: Context,
  path: string,
  read: CappedRead,
): Promise<Buffer> {
  if (path === '-') {
    ctx.claimStdin(read.flag);
    try {
      return await readAll(ctx.io.stdin, read.limit);
    } catch (error) {
      if (error instanceof RangeError)
        throw read.tooLarge(`more than ${read.limit} bytes`);
      throw unreadable(path, read, error);
    }
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, read, error);
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > read.limit)
      throw read.tooLarge(`${info.size} bytes`);
    return await readAtMost(handle, read);
  } catch (error) {
    // Our own refusals pass; anything else here came from the file system.
    throw error instanceof WxPayError ? error : unreadable(path, read, error);
  } finally {
    await handle.close();
  }
}

async function readAtMost(
  handle: FileHandle,
  read: CappedRead,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const buffer = Buffer.alloc(Math.min(CHUNK, read.limit + 1 - size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, size);
    chunks.push(buffer.subarray(0, bytesRead));
    size += bytesRead;
    if (size > read.limit) throw read.tooLarge(`more than ${read.limit} bytes`);
  }
}

function unreadable(path: string, read: CappedRead, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  return new UsageError(
    read.unreadableCode ?? 'INPUT_UNREADABLE',
    `Cannot read ${read.flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}.`,
    { cause: error },
  );
}
