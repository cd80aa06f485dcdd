import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A file written piece by piece that appears only when complete: the bytes
 * go to a temporary file in the target's folder, and `commit` flushes and
 * renames it over the target; `abort` removes it. A download that breaks
 * off never damages the file saved before.
 */
export class AtomicFile {
  private constructor(
    readonly path: string,
    readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string, mode = 0o600): Promise<AtomicFile> {
    const temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    return new AtomicFile(path, temp, await open(temp, 'wx', mode));
  }

  /** Resolves when the chunk is written: memory stays one chunk. */
  async write(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const { bytesWritten } = await this.handle.write(chunk, at);
      at += bytesWritten;
    }
  }

  async commit(): Promise<void> {
    try {
      await this.handle.sync();
    } catch (error) {
      await this.abort();
      throw error;
    }
    await this.handle.close();
    try {
      await rename(this.temp, this.path);
    } catch (error) {
      await unlink(this.temp).catch(() => undefined);
      throw error;
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}

/**
 * Writes a file so that it is either the complete new content or untouched:
 * the bytes go to a temporary file in the same folder, are flushed, and then
 * renamed over the target. A crash or a failed download never leaves half a
 * bill, and never damages a bill saved earlier.
 */
export async function writeFileAtomic(
  path: string,
  data: Buffer | string,
  mode = 0o600,
): Promise<void> {
  const file = await AtomicFile.create(path, mode);
  try {
    await file.write(Buffer.isBuffer(data) ? data : Buffer.from(String(data)));
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}
