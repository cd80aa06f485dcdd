import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { FileLock, StateLockTimeoutError } from '../file-lock.js';
import { ConfigError } from '../errors.js';

/**
 * What wxpay remembers about each order it created: the business-field
 * fingerprint (case C18), the fields themselves (to say what changed), the
 * prepay_id and the time window. WeChat accepts a re-sent out_trade_no
 * only with identical business parameters, so a changed payer, amount or
 * trade_type is refused here, before anything is sent.
 */
export interface LedgerRecord {
  fingerprint: string;
  fields: Record<string, string>;
  prepay_id?: string;
  code_url?: string;
  /** ISO time of the first call. */
  created_at: string;
}

export interface OrderLedger {
  get(key: string): Promise<LedgerRecord | undefined>;
  put(key: string, record: LedgerRecord): Promise<void>;
}

/** A ledger in memory (library users, tests). */
export class MemoryOrderLedger implements OrderLedger {
  private readonly records = new Map<string, LedgerRecord>();

  async get(key: string): Promise<LedgerRecord | undefined> {
    return this.records.get(key);
  }

  async put(key: string, record: LedgerRecord): Promise<void> {
    this.records.set(key, record);
  }
}

interface LedgerFile {
  version: 1;
  orders: Record<string, LedgerRecord>;
}

/** Records older than this are dropped: WeChat orders expire long before. */
const KEEP_MS = 90 * 24 * 60 * 60 * 1000;
const MAX_RECORDS = 5000;
const LOCK_WAIT_MS = 5000;
const LOCK_STALE_MS = 30_000;

/**
 * A ledger in a JSON file (the CLI keeps `orders.json` in the config
 * folder), mode 0600 since it holds openids. Writes go to a temp file that
 * is renamed over the old one, under a lock file, so concurrent runs
 * neither corrupt it nor lose each other's records.
 */
export class FileOrderLedger implements OrderLedger {
  constructor(
    readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(key: string): Promise<LedgerRecord | undefined> {
    return (await this.read()).orders[key];
  }

  async put(key: string, record: LedgerRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await this.locked(async () => {
      const data = await this.read();
      data.orders[key] = record;
      await this.write(this.prune(data));
    });
  }

  private async read(): Promise<LedgerFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, orders: {} };
      }
      throw error;
    }
    try {
      const data = JSON.parse(text) as LedgerFile;
      if (data && typeof data.orders === 'object') return data;
    } catch {
      // Reported below.
    }
    throw new ConfigError(
      'LEDGER_UNREADABLE',
      `The order ledger ${this.path} is damaged.`,
      {
        hint: 'Delete it: wxpay then only loses its memory of past out_trade_no parameters.',
      },
    );
  }

  private prune(data: LedgerFile): LedgerFile {
    const cutoff = this.now().getTime() - KEEP_MS;
    const kept = Object.entries(data.orders)
      .filter(([, r]) => Date.parse(r.created_at) >= cutoff)
      .sort(([, a], [, b]) => b.created_at.localeCompare(a.created_at))
      .slice(0, MAX_RECORDS);
    return { version: 1, orders: Object.fromEntries(kept) };
  }

  private async write(data: LedgerFile): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(data, null, 1)}\n`);
  }

  private async locked<T>(action: () => Promise<T>): Promise<T> {
    const lock = new FileLock(`${this.path}.lock`, {
      lockTimeoutMs: LOCK_WAIT_MS,
      staleLockMs: LOCK_STALE_MS,
    });
    try {
      await lock.acquire();
    } catch (error) {
      if (!(error instanceof StateLockTimeoutError)) throw error;
      throw new ConfigError('LEDGER_LOCKED', `${lock.path} stays locked.`, {
        hint: 'Another wxpay is writing the ledger; if none is running, delete the lock file.',
      });
    }
    try {
      return await action();
    } finally {
      lock.release();
    }
  }
}
