import { renameSync } from 'node:fs';
import {
  FileLock,
  fileIdentity,
  readText,
  writeText,
  type FileLockOptions,
} from '../core/file-lock.js';

export { StateLockTimeoutError } from '../core/file-lock.js';

/**
 * The simulator's persisted state: one JSON document of named areas
 * (`pay`, `pay-sandbox`, `sns`, `faults`, `kf`, ...).
 *
 * Several processes may share the file at once (`wxpay mock serve` beside
 * `wxpay order create --mock` and `wxpay mock pay`), so every change runs
 * under a cross-process lock file created with O_EXCL, and the new document
 * replaces the old one by rename, so a reader never sees half a file.
 *
 * The parsed document is kept between calls and read again only when
 * another process replaced the file, so a read costs one stat.
 */
export interface StateStore {
  /** Where the state lives, or undefined when it is kept in memory. */
  readonly file?: string;
  /**
   * The route contract's update (SimServices.withState): the callback may
   * change the area in place; the file is written when the area changed.
   */
  withState<T>(
    area: string,
    update: (state: Record<string, unknown>) => T | Promise<T>,
  ): Promise<T>;
  /** Reads an area; the callback must not change it. Takes no file lock. */
  read<T>(
    area: string,
    reader: (state: Record<string, unknown>) => T,
  ): Promise<T>;
  /** Changes an area and always writes (cheaper than withState's check). */
  update<T>(
    area: string,
    change: (state: Record<string, unknown>) => T | Promise<T>,
  ): Promise<T>;
  /** Every area at once (for status output). */
  snapshot(): Promise<Record<string, Record<string, unknown>>>;
  /** Forgets every area. */
  reset(): Promise<void>;
}

/** Read and update access, as the simulator's own endpoints use it. */
export type StateAccess = Pick<StateStore, 'read' | 'update'>;

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

/** Where the text of the document is kept. */
interface Persistence {
  file?: string;
  /** Changes when someone else wrote. */
  identity(): string | undefined;
  load(): string | undefined;
  save(text: string): void;
  /** Takes the cross-process lock; resolves to its release. */
  lock(): Promise<() => void>;
}

class Store implements StateStore {
  private doc?: Document;
  private identity?: string;

  constructor(
    private readonly persistence: Persistence,
    private readonly queue: Queue,
  ) {}

  get file(): string | undefined {
    return this.persistence.file;
  }

  /** The document, read again only when someone else replaced it. */
  private current(): Document {
    const identity = this.persistence.identity();
    if (this.doc && identity === this.identity) return this.doc;
    this.doc = parseDocument(this.persistence.file, this.persistence.load());
    this.identity = identity;
    return this.doc;
  }

  private save(doc: Document): void {
    this.persistence.save(JSON.stringify(doc));
    this.identity = this.persistence.identity();
  }

  private locked<T>(task: (doc: Document) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const release = await this.persistence.lock();
      try {
        return await task(this.current());
      } catch (error) {
        // The callback may have changed the kept document before failing.
        this.doc = undefined;
        throw error;
      } finally {
        release();
      }
    });
  }

  read<T>(name: string, reader: (state: Record<string, unknown>) => T) {
    // A rename replaces the file whole, so reading needs no lock.
    return this.queue.run(async () => reader(area(this.current(), name)));
  }

  update<T>(
    name: string,
    change: (state: Record<string, unknown>) => T | Promise<T>,
  ) {
    return this.locked(async (doc) => {
      const result = await change(area(doc, name));
      this.save(doc);
      return result;
    });
  }

  withState<T>(
    name: string,
    update: (state: Record<string, unknown>) => T | Promise<T>,
  ) {
    return this.locked(async (doc) => {
      const before = JSON.stringify(doc.areas[name] ?? {});
      const result = await update(area(doc, name));
      if (JSON.stringify(doc.areas[name]) !== before) this.save(doc);
      return result;
    });
  }

  async snapshot() {
    return this.queue.run(async () => structuredClone(this.current().areas));
  }

  reset() {
    return this.locked(async () => this.save(emptyDocument()));
  }
}

/**
 * State kept in this process only: for tests, benchmarks and library users.
 * Changes are made in place and never serialised, so it stays fast however
 * many orders it holds; unlike the file store, a callback that throws after
 * changing the state leaves those changes (the simulator's own endpoints
 * check everything before they change anything).
 */
export function memoryStateStore(): StateStore {
  let doc = emptyDocument();
  const queue = new Queue();
  const run = <T>(
    name: string,
    task: (state: Record<string, unknown>) => T | Promise<T>,
  ) => queue.run(async () => task(area(doc, name)));
  return {
    read: run,
    update: run,
    withState: run,
    snapshot: () => queue.run(async () => structuredClone(doc.areas)),
    reset: () =>
      queue.run(async () => {
        doc = emptyDocument();
      }),
  };
}

export type FileStateStoreOptions = FileLockOptions;

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
  return new Store(
    {
      file,
      identity: () => fileIdentity(file),
      load: () => readText(file),
      save: (text) => writeText(file, text),
      lock: async () => {
        await lock.acquire();
        return () => lock.release();
      },
    },
    queue,
  );
}

function parseDocument(
  file: string | undefined,
  text: string | undefined,
): Document {
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
  if (file) {
    try {
      renameSync(file, `${file}.damaged-${Date.now()}`);
    } catch {
      // Another process moved it already.
    }
  }
  return emptyDocument();
}
