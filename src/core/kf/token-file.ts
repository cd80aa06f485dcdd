import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { CachedToken, TokenCache } from './token.js';

/** A cache of a few AppIDs is a few KB; a larger file is not ours. */
const MAX_CACHE_BYTES = 1024 * 1024;

interface CacheFile {
  version: 1;
  tokens: Record<string, CachedToken>;
}

/**
 * Tokens in one JSON file, mode 0600 (an access_token is a credential),
 * written atomically: a temp file in the same folder, then a rename, so a
 * crash or a concurrent reader never sees half a file. Expired entries are
 * pruned on every write. A damaged file counts as empty: the worst outcome
 * is one extra fetch.
 */
export class FileTokenCache implements TokenCache {
  constructor(
    readonly path: string,
    private readonly nowSeconds: () => number = () =>
      Math.floor(Date.now() / 1000),
  ) {}

  async get(key: string): Promise<CachedToken | undefined> {
    const entry = (await this.read()).tokens[key];
    return isToken(entry) ? entry : undefined;
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const file = await this.read();
    file.tokens[key] = token;
    await this.write(file);
  }

  async deleteIf(key: string, token: string): Promise<void> {
    const file = await this.read();
    if (file.tokens[key]?.access_token !== token) return;
    delete file.tokens[key];
    await this.write(file);
  }

  private async read(): Promise<CacheFile> {
    let text: string;
    try {
      // Checked before reading, so a huge file is never held in memory; it
      // counts as damaged, and the next write replaces it.
      if ((await stat(this.path)).size > MAX_CACHE_BYTES) throw new Error();
      text = await readFile(this.path, 'utf8');
    } catch {
      return { version: 1, tokens: {} };
    }
    try {
      const parsed = JSON.parse(text) as Partial<CacheFile>;
      const tokens =
        parsed && typeof parsed.tokens === 'object' && parsed.tokens !== null
          ? parsed.tokens
          : {};
      return { version: 1, tokens: { ...tokens } };
    } catch {
      return { version: 1, tokens: {} };
    }
  }

  private async write(file: CacheFile): Promise<void> {
    const now = this.nowSeconds();
    for (const [key, entry] of Object.entries(file.tokens)) {
      if (!isToken(entry) || entry.expires_at <= now) delete file.tokens[key];
    }
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(
      this.path,
      `${JSON.stringify(file, null, 2)}\n`,
      0o600,
    );
  }
}

function isToken(value: unknown): value is CachedToken {
  const entry = value as CachedToken | undefined;
  return (
    typeof entry?.access_token === 'string' &&
    typeof entry.expires_at === 'number' &&
    typeof entry.fetched_at === 'number'
  );
}
