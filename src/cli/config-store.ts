import { statSync, chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Conf from 'conf';
import { ConfigError, UsageError } from '../core/errors.js';
import type { Profile } from '../core/profile.js';
import { FileLock, StateLockTimeoutError } from '../core/file-lock.js';

function modeIsLoose(path: string): boolean {
  return existsSync(path) && (statSync(path).mode & 0o077) !== 0;
}

/**
 * Profile names are typed on command lines and used as keys of the file's
 * `profiles` object, so they are kept to plain words; names that JavaScript
 * objects already carry are refused outright.
 */
export function isProfileName(name: string): boolean {
  const reserved = ['__proto__', 'constructor', 'prototype'];
  return (
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) && !reserved.includes(name)
  );
}

/** Throws a UsageError for a name `isProfileName` refuses. */
export function checkProfileName(name: string): void {
  if (!isProfileName(name)) {
    throw new UsageError(
      'PROFILE_NAME_INVALID',
      `"${name}" cannot be a profile name.`,
      {
        hint: 'Use up to 64 letters, digits, "_", "." or "-", starting with a letter or digit.',
      },
    );
  }
}

const OWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * conf writes through atomically, whose when-exit dependency answers the
 * first SIGINT or SIGTERM by cleaning up its temp files and sending the same
 * signal to the process again. bin/wxpay.js handles those two itself (a
 * listener finishes the requests in flight; a second signal ends at once),
 * so that echo cut every graceful stop short. Its listeners for those two
 * are taken off again; its clean-up still runs on 'exit'.
 */
async function importConf(): Promise<typeof Conf> {
  const before = OWN_SIGNALS.map((signal) => process.listeners(signal));
  const { default: ConfClass } = await import('conf');
  OWN_SIGNALS.forEach((signal, i) => {
    for (const listener of process.listeners(signal)) {
      if (!before[i].includes(listener)) {
        process.removeListener(signal, listener);
      }
    }
  });
  return ConfClass;
}

interface StoreShape {
  current?: string;
  profiles?: Record<string, Profile>;
}

/**
 * Named profiles in `config.json` under the config folder, mode 0600 (conf's
 * default is 0666 before umask, which would expose the API key).
 */
export class ConfigStore {
  private readonly conf: Conf<StoreShape>;
  readonly dir: string;
  /** True when the file was readable by others before this run fixed it. */
  readonly wasReadableByOthers: boolean;

  /**
   * Opens the store in `dir`. conf is an ES module only package, so it is
   * loaded with import(): the CLI ships as CommonJS (for start-up time) and
   * Node 20.17 cannot require() an ES module.
   */
  static async open(dir: string): Promise<ConfigStore> {
    return new ConfigStore(dir, await importConf());
  }

  private constructor(dir: string, ConfClass: typeof Conf) {
    this.dir = dir;
    // Checked before conf opens the file, because opening may rewrite it.
    this.wasReadableByOthers = modeIsLoose(join(dir, 'config.json'));
    try {
      // Made here with 0700 because conf would follow the umask, and a
      // folder others can write to lets them replace config.json.
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.conf = new ConfClass<StoreShape>({
        cwd: dir,
        configName: 'config',
        projectName: 'wxpay',
        configFileMode: 0o600,
      });
    } catch (error) {
      throw new ConfigError(
        'CONFIG_UNREADABLE',
        `Cannot read the config file in ${dir}: ${(error as Error).message}`,
        {
          hint: 'Fix or remove the file, then run `wxpay config init`.',
          cause: error,
        },
      );
    }
    this.tightenMode();
  }

  get path(): string {
    return this.conf.path;
  }

  /** Re-applies 0600 in case an older version or a copy loosened it. */
  private tightenMode(): void {
    if (existsSync(this.conf.path)) {
      try {
        chmodSync(this.conf.path, 0o600);
      } catch {
        // A read-only file system still lets the user read their profiles.
      }
    }
  }

  /** True when group or others can read the file. */
  readableByOthers(): boolean {
    return modeIsLoose(this.conf.path);
  }

  currentName(): string {
    return this.conf.get('current') ?? 'default';
  }

  profileNames(): string[] {
    const profiles: unknown = this.conf.get('profiles');
    if (profiles === undefined) return [];
    if (
      profiles === null ||
      typeof profiles !== 'object' ||
      Array.isArray(profiles)
    ) {
      throw this.malformed('"profiles" is not an object');
    }
    return Object.keys(profiles);
  }

  /**
   * One profile, checked: the file may have been edited by hand, and a
   * number where a string belongs would otherwise fail deep inside a command.
   */
  get(name: string): Profile | undefined {
    const profiles = this.conf.get('profiles');
    // Own names only: `constructor` or `__proto__` must not find the
    // prototype's members.
    const profile: unknown =
      profiles && Object.hasOwn(profiles, name) ? profiles[name] : undefined;
    if (profile === undefined) return undefined;
    if (
      profile === null ||
      typeof profile !== 'object' ||
      Array.isArray(profile)
    ) {
      throw this.malformed(`profile "${name}" is not an object`);
    }
    for (const [field, value] of Object.entries(profile)) {
      if (typeof value !== 'string') {
        throw this.malformed(
          `${name}.${field} is a ${value === null ? 'null' : typeof value}, not text`,
        );
      }
    }
    return profile as Profile;
  }

  private malformed(what: string): ConfigError {
    return new ConfigError(
      'CONFIG_MALFORMED',
      `The config file ${this.path} is malformed: ${what}.`,
      {
        hint: 'Fix the value (every field is a quoted string) or set it again with `wxpay config set`.',
      },
    );
  }

  /**
   * Changes the file under a lock: concurrent `wxpay config set` runs would
   * otherwise read the same old file and each write back only its own change.
   * The file is re-read inside the lock and written atomically by conf.
   */
  async update(change: (data: StoreShape) => void): Promise<void> {
    const lock = new FileLock(join(this.dir, 'config.json.lock'), {
      lockTimeoutMs: 10_000,
      staleLockMs: 30_000,
    });
    try {
      await lock.acquire();
    } catch (error) {
      throw this.unwritable(error);
    }
    try {
      const data = this.conf.store;
      if (Array.isArray(data)) throw this.malformed('the file holds a list');
      change(data);
      this.conf.store = data;
      this.tightenMode();
    } catch (error) {
      throw error instanceof ConfigError ? error : this.unwritable(error);
    } finally {
      lock.release();
    }
  }

  async setCurrent(name: string): Promise<void> {
    checkProfileName(name);
    await this.update((data) => {
      data.current = name;
    });
  }

  private unwritable(error: unknown): ConfigError {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      error instanceof StateLockTimeoutError
        ? 'another wxpay run holds its lock'
        : (code ?? (error as Error).message);
    return new ConfigError(
      'CONFIG_UNWRITABLE',
      `Cannot write the config file ${this.path}: ${reason}.`,
      {
        hint: `Check that you own ${this.dir} and can write to it (or set WXPAY_CONFIG_DIR).`,
        cause: error,
      },
    );
  }
}
