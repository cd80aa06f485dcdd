import { statSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { ConfigError } from '../core/errors.js';
import type { Profile } from '../core/profile.js';

function modeIsLoose(path: string): boolean {
  return existsSync(path) && (statSync(path).mode & 0o077) !== 0;
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

  constructor(dir: string) {
    this.dir = dir;
    // Checked before conf opens the file, because opening may rewrite it.
    this.wasReadableByOthers = modeIsLoose(join(dir, 'config.json'));
    try {
      this.conf = new Conf<StoreShape>({
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

  setCurrent(name: string): void {
    this.conf.set('current', name);
  }

  profileNames(): string[] {
    return Object.keys(this.conf.get('profiles') ?? {});
  }

  /**
   * One profile, checked: the file may have been edited by hand, and a
   * number where a string belongs would otherwise fail deep inside a command.
   */
  get(name: string): Profile | undefined {
    const profile: unknown = this.conf.get('profiles')?.[name];
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

  save(name: string, profile: Profile): void {
    const profiles = { ...(this.conf.get('profiles') ?? {}) };
    profiles[name] = profile;
    this.conf.set('profiles', profiles);
    this.tightenMode();
  }

  remove(name: string): boolean {
    const profiles = { ...(this.conf.get('profiles') ?? {}) };
    if (!(name in profiles)) return false;
    delete profiles[name];
    this.conf.set('profiles', profiles);
    return true;
  }
}
