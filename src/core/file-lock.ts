import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  promises as fs,
  constants as fsConstants,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * The file side of the simulator state: atomic writes (temp file + rename)
 * and a cross-process lock file.
 */

export interface FileLockOptions {
  /** Give up waiting for the lock after this long (default 15 s). */
  lockTimeoutMs?: number;
  /**
   * A lock older than this is taken over even if its owner still looks
   * alive (default 30 s): an update holds the lock for milliseconds.
   */
  staleLockMs?: number;
}

/** Thrown when the lock could not be taken in time. */
export class StateLockTimeoutError extends Error {
  constructor(lockFile: string, waitedMs: number) {
    super(
      `The simulator state is locked (${lockFile}) and stayed locked for ${waitedMs} ms.`,
    );
    this.name = 'StateLockTimeoutError';
  }
}

/** Changes whenever another writer replaced the file (a rename). */
export function fileIdentity(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // Synchronous on purpose: the lock is held, and nothing else in this
    // process may run between writing and renaming. 'wx' refuses to write
    // through a file planted under the temp name.
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created or is already gone.
    }
    throw error;
  }
}

interface LockOwner {
  pid: number;
  token: string;
  at: number;
}

/**
 * A lock file created with O_EXCL. Its content names the owner (pid and a
 * random token), so a lock left behind by a crashed process is recognised
 * (the pid is gone, or the lock is older than `staleLockMs`) and taken over.
 */
export class FileLock {
  private token?: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;

  constructor(
    readonly path: string,
    options: FileLockOptions,
  ) {
    this.timeoutMs = options.lockTimeoutMs ?? 15_000;
    this.staleMs = options.staleLockMs ?? 30_000;
  }

  async acquire(): Promise<void> {
    const started = Date.now();
    let delay = 1;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    for (;;) {
      if (await this.tryCreate()) return;
      this.recoverStale();
      if (Date.now() - started > this.timeoutMs) {
        throw new StateLockTimeoutError(this.path, Date.now() - started);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, delay + Math.random() * delay),
      );
      delay = Math.min(delay * 2, 25);
    }
  }

  private async tryCreate(): Promise<boolean> {
    const token = randomBytes(8).toString('hex');
    const owner: LockOwner = { pid: process.pid, token, at: Date.now() };
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(
        this.path,
        fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY,
        0o600,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    this.token = token;
    return true;
  }

  /** Removes the lock file when its owner is gone or it is too old. */
  private recoverStale(): void {
    const owner = readOwner(this.path);
    if (!owner || !this.isStale(owner)) return;
    // Move the file aside first, then check that what was moved is the
    // stale lock that was judged: if another process replaced it in
    // between, put that fresh lock back (link never overwrites).
    const aside = `${this.path}.${randomBytes(4).toString('hex')}.stale`;
    try {
      renameSync(this.path, aside);
    } catch {
      return;
    }
    const moved = readOwner(aside);
    if (moved && moved.token !== owner.token) {
      try {
        linkSync(aside, this.path);
      } catch {
        // Someone already holds a newer lock; theirs stays.
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      // Already removed.
    }
  }

  private isStale(owner: LockOwner): boolean {
    const age = Date.now() - owner.at;
    if (owner.pid <= 0) return age > UNNAMED_STALE_MS;
    if (age > this.staleMs) return true;
    if (owner.pid === process.pid) return false;
    try {
      process.kill(owner.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  release(): void {
    const owner = readOwner(this.path);
    // Never remove a lock that is not ours (it was taken over as stale).
    if (owner && owner.token === this.token) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone.
      }
    }
    this.token = undefined;
  }
}

function readOwner(path: string): LockOwner | undefined {
  let text: string;
  let modified: number;
  try {
    text = readFileSync(path, 'utf8');
    modified = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as LockOwner;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return parsed;
    }
  } catch {
    // Created but not written yet, or its owner died in between.
  }
  return { pid: 0, token: '', at: modified };
}

/**
 * An owner writes its name microseconds after creating the lock; an unnamed
 * lock this old was left by a process that died in between.
 */
const UNNAMED_STALE_MS = 2_000;
