import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The file a downloaded bill is saved as, e.g. `bill-ALL-20240101.csv` or
 * `fundflow-Basic-20240101.csv.gz`: kind, type, day, and `.gz` when the
 * bytes are gzip. `bill reconcile --date` finds bills by this name.
 */
export function billFileName(
  kind: 'bill' | 'fundflow',
  type: string,
  day: string,
  gzip: boolean,
): string {
  return `${kind}-${type}-${day}.csv${gzip ? '.gz' : ''}`;
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
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
