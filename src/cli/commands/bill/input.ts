import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../../../core/errors.js';
import type { Context } from '../../context.js';

/** Chunk size for big files: small enough for a steady memory use. */
const CHUNK = 64 * 1024;

/**
 * Opens a file (or stdin for `-`) as a byte stream, checking first that it
 * exists so a wrong path is a usage error naming the flag, not a failure
 * half way through a run.
 */
export async function openByteInput(
  ctx: Context,
  path: string,
  flag: string,
): Promise<AsyncIterable<Buffer | string>> {
  if (path === '-') return ctx.io.stdin as AsyncIterable<Buffer | string>;
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      'INPUT_UNREADABLE',
      `Cannot read ${flag} ${path}: ${error.code === 'ENOENT' ? 'no such file' : (error.code ?? error.message)}.`,
      { cause: error },
    );
  });
  if (info.isDirectory()) {
    throw new UsageError(
      'INPUT_UNREADABLE',
      `${flag} ${path} is a folder; give a file.`,
    );
  }
  return createReadStream(path, { highWaterMark: CHUNK });
}
