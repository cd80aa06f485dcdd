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
 * The simulator's persisted state: one JSON document of named areas
 * (`pay`, `pay-sandbox`, `sns`, `faults`, `kf`, ...).
 *
 * Several processes may share the file at once (`wxpay mock serve` beside
 * `wxpay order create --mock` and `wxpay mock pay`), so every update runs
 * under a cross-process lock file created with O_EXCL, and the new document
 * replaces the old one by rename, so a reader never sees half a file.
 */
export interface StateStore {
  /** Where the state lives, or undefined when it is kept in memory. */
  readonly file?: string;
  withState<T>(
    area: string,
    update: (state: Record<string, unknown>) => T | Promise<T>,
  ): Promise<T>;
  /** Reads every area at once (for status output); no lock is taken. */
  snapshot(): Promise<Record<string, Record<string, unknown>>>;
  /** Forgets every area. */
  reset(): Promise<void>;
}

type Document = { version: 1; areas: Record<string, Record<string, unknown>> };

function emptyDocument(): Document {
  return { version: 1, areas: {} };
}

function area(doc: Document, name: string): Record<string, unknown> {
  if (!Object.hasOwn(doc.areas, name) || typeof doc.areas[name] !== 'object') {
    doc.areas[name] = {};
  }
  return doc.areas[name];
}

/** Runs tasks one at a time, in order (the in-process half of the lock). */
class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** State kept in this process only: for tests and library users. */
export function memoryStateStore(): StateStore {
  let doc = emptyDocument();
  const queue = new Queue();
  return {
    withState(name, update) {
      return queue.run(async () => {
        // Work on a copy so a failed update leaves the state as it was,
        // exactly like the file store.
        const draft = structuredClone(doc);
        const result = await update(area(draft, name));
        doc = draft;
        return result;
      });
    },
    async snapshot() {
      return structuredClone(doc.areas);
    },
    reset() {
      return queue.run(async () => {
        doc = emptyDocument();
      });
    },
  };
}

export interface FileStateStoreOptions {
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

const queues = new Map<string, Queue>();

/** State in a JSON file, shared safely between processes. */
export function fileStateStore(
  file: string,
  options: FileStateStoreOptions = {},
): StateStore {
  const lock = new FileLock(`${file}.lock`, options);
  let queue = queues.get(file);
  if (!queue) {
    queue = new Queue();
    queues.set(file, queue);
  }
  const serial = queue;
  const cache = new DocumentCache(file);
  const locked = <T>(task: () => Promise<T>) =>
    serial.run(async () => {
      await lock.acquire();
      try {
        return await task();
      } finally {
        lock.release();
      }
    });
  return {
    file,
    withState(name, update) {
      return locked(async () => {
        const { doc, text } = cache.read();
        let result: Awaited<ReturnType<typeof update>>;
        try {
          result = await update(area(doc, name));
        } catch (error) {
          // The callback may have changed the cached document in place.
          cache.forget();
          throw error;
        }
        const next = JSON.stringify(doc);
        // Reads (orderquery, faults with none set) change nothing: skip
        // the write so they stay cheap.
        if (next !== text) cache.write(doc, next);
        return result;
      });
    },
    async snapshot() {
      return parseDocument(file, readText(file)).areas;
    },
    reset() {
      return locked(async () => {
        const doc = emptyDocument();
        cache.write(doc, JSON.stringify(doc));
      });
    },
  };
}

/**
 * Keeps the last document this process read or wrote, with the file's
 * identity at that moment; another process's write (a rename) changes the
 * identity, so the file is read again only when someone else changed it.
 */
class DocumentCache {
  private doc?: Document;
  private text?: string;
  private identity?: string;

  constructor(private readonly file: string) {}

  read(): { doc: Document; text: string } {
    const identity = fileIdentity(this.file);
    if (this.doc && this.text !== undefined && identity === this.identity) {
      return { doc: this.doc, text: this.text };
    }
    const raw = readText(this.file);
    const doc = parseDocument(this.file, raw);
    const text = raw === undefined ? '' : JSON.stringify(doc);
    this.remember(doc, text, fileIdentity(this.file));
    return { doc, text };
  }

  write(doc: Document, text: string): void {
    writeText(this.file, text);
    this.remember(doc, text, fileIdentity(this.file));
  }

  forget(): void {
    this.doc = undefined;
    this.text = undefined;
    this.identity = undefined;
  }

  private remember(doc: Document, text: string, identity?: string): void {
    this.doc = doc;
    this.text = text;
    this.identity = identity;
  }
}

function fileIdentity(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseDocument(file: string, text: string | undefined): Document {
  if (text === undefined) return emptyDocument();
  try {
    const parsed = JSON.parse(text) as Partial<Document>;
    if (
      parsed &&
      parsed.version === 1 &&
      typeof parsed.areas === 'object' &&
      parsed.areas !== null
    ) {
      return parsed as Document;
    }
  } catch {
    // Fall through: keep the damaged file for inspection, start afresh.
  }
  // Only a hand edit or a full disk can get here (writes are atomic): keep
  // the old file beside the new one instead of failing every request.
  try {
    renameSync(file, `${file}.damaged-${Date.now()}`);
  } catch {
    // Another process moved it already.
  }
  return emptyDocument();
}

function writeText(file: string, text: string): void {
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
class FileLock {
  private token?: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;

  constructor(
    readonly path: string,
    options: FileStateStoreOptions,
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
