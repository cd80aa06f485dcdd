import { ConfigError, UsageError } from '../core/errors.js';
import {
  applyEnvOverrides,
  keyWarnings,
  type Profile,
  type ProfileField,
} from '../core/profile.js';
import {
  DEMO_PROFILE,
  IN_PROCESS_BASE_URL,
  MOCK_PROFILE_NAME,
} from '../sim/demo.js';
import { configDir } from './config-dir.js';
import { isProfileName, type ConfigStore } from './config-store.js';
import type { CliIO } from './io.js';
import { Output } from './output.js';

/** A secret file larger than this is not a secret file. */
const SECRET_FILE_MAX_BYTES = 64 * 1024;

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  profile?: string;
  color?: boolean;
  showSecrets?: boolean;
  input?: boolean;
  mock?: boolean;
}

export interface ResolvedProfile {
  name: string;
  profile: Profile;
  /** True for the built-in demo profile served by the in-process simulator. */
  mock: boolean;
  /** Fields that came from WXPAY_* environment variables. */
  overridden: ProfileField[];
}

/**
 * What a command runs with: streams, parsed global options, the config store
 * and the active profile, each created on first use so `--help` stays fast.
 */
export class Context {
  private storeInstance?: ConfigStore;
  private stdinOwner?: string;

  private constructor(
    readonly io: CliIO,
    readonly options: GlobalOptions,
    readonly out: Output,
  ) {}

  /**
   * chalk is an ES module only package: loading it with import() keeps the
   * CommonJS CLI bundle free of a require() that Node 20.17 cannot do.
   */
  static async create(io: CliIO, options: GlobalOptions): Promise<Context> {
    const { Chalk } = await import('chalk');
    return new Context(io, options, new Output(io, options, Chalk));
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  now(): Date {
    return new Date();
  }

  /** Prompts only when a person can answer: both ends are TTYs. */
  get canPrompt(): boolean {
    return (
      this.options.input !== false &&
      this.io.stdin.isTTY === true &&
      this.io.stdout.isTTY === true
    );
  }

  get configDir(): string {
    return configDir(this.env);
  }

  async store(): Promise<ConfigStore> {
    if (!this.storeInstance) {
      const { ConfigStore } = await import('./config-store.js');
      this.storeInstance = await ConfigStore.open(this.configDir);
      if (this.storeInstance.wasReadableByOthers) {
        // Said by whichever command finds it: the exposure happened before.
        this.out.warn(
          `${this.storeInstance.path} was readable by other users; its mode is now 0600. If others could log in here, change the API key in the merchant platform.`,
        );
      }
    }
    return this.storeInstance;
  }

  /** The profile name in force: --profile, WXPAY_PROFILE, then the current. */
  async profileName(): Promise<string> {
    if (this.options.mock) return MOCK_PROFILE_NAME;
    if (this.options.profile === '') {
      throw new UsageError('PROFILE_NAME_EMPTY', '--profile needs a name.', {
        hint: 'Give the profile name, or leave --profile out for the current one.',
      });
    }
    const named = this.options.profile ?? this.env.WXPAY_PROFILE;
    if (named) return named;
    return (await this.store()).currentName();
  }

  /**
   * Loads the active profile with environment overrides applied. The name
   * `mock` (or --mock) gives the demo profile wired to the simulator.
   */
  async profile(): Promise<ResolvedProfile> {
    const name = await this.profileName();
    if (name === MOCK_PROFILE_NAME) {
      const stored = (await this.store()).get(name);
      refuseRemoteMock(stored);
      return {
        name,
        profile: { ...DEMO_PROFILE, base_url: IN_PROCESS_BASE_URL, ...stored },
        mock: (stored?.base_url ?? IN_PROCESS_BASE_URL) === IN_PROCESS_BASE_URL,
        overridden: [],
      };
    }
    const store = await this.store();
    const stored = store.get(name);
    const { profile, overridden } = applyEnvOverrides(stored ?? {}, this.env);
    if (!stored && overridden.length === 0) {
      const names = store.profileNames();
      throw new ConfigError(
        'PROFILE_MISSING',
        `No profile named "${name}" in ${store.path}.`,
        {
          hint: names.length
            ? `Known profiles: ${names.join(', ')}.${isProfileName(name) ? ` Or create it with \`wxpay config init --profile ${name}\`.` : ''} \`--mock\` uses the simulator.`
            : 'Run `wxpay config init`, or add --mock to use the built-in simulator.',
        },
      );
    }
    return { name, profile, mock: false, overridden };
  }

  /**
   * The v2 API key: --key-file (a path, or - for stdin), else WXPAY_KEY,
   * else the profile. Never a plain flag value, so it stays out of shell
   * history and `ps`.
   */
  async apiKey(keyFile?: string): Promise<string> {
    const key = keyFile
      ? await this.readSecretFile(keyFile, '--key-file')
      : await this.profileKey();
    if (key.trim() === '') {
      // Signing with an empty key gives a signature anyone can compute.
      throw new ConfigError('KEY_EMPTY', 'The API key is empty.', {
        hint: 'Give the 32-character v2 API key (API密钥) in the file, WXPAY_KEY or the profile.',
      });
    }
    return key;
  }

  private async profileKey(): Promise<string> {
    const { profile, name } = await this.profile().catch((error: unknown) => {
      // With no profile at all, the quickest way to a key is the flag or
      // the variable, not a whole profile.
      if (error instanceof ConfigError && error.code === 'PROFILE_MISSING') {
        throw new ConfigError(error.code, error.message, {
          hint: `Pass --key-file PATH or set WXPAY_KEY. ${error.hint ?? 'Or run `wxpay config init`.'}`,
          cause: error,
        });
      }
      throw error;
    });
    if (profile.key === undefined) {
      throw new ConfigError(
        'KEY_MISSING',
        `Profile "${name}" has no API key.`,
        {
          hint: 'Run `wxpay config set key` (masked prompt or stdin), set WXPAY_KEY, or pass --key-file PATH.',
        },
      );
    }
    return profile.key;
  }

  /**
   * Stdin can feed one input only; a second reader would get nothing and
   * sign with an empty key without saying so.
   */
  claimStdin(flag: string): void {
    if (this.stdinOwner && this.stdinOwner !== flag) {
      throw new UsageError(
        'STDIN_TWICE',
        `Both ${this.stdinOwner} and ${flag} want to read stdin.`,
        { hint: 'Give one of them a file path instead of "-".' },
      );
    }
    this.stdinOwner = flag;
  }

  /** Reads a secret from a file or stdin (`-`), trimming one final newline. */
  async readSecretFile(path: string, flag: string): Promise<string> {
    const { readCapped } = await import('./input-file.js');
    const data = await readCapped(this, path, {
      flag,
      limit: SECRET_FILE_MAX_BYTES,
      unreadableCode: 'SECRET_FILE_UNREADABLE',
      tooLarge: (size) =>
        new UsageError(
          'SECRET_FILE_TOO_LARGE',
          `${flag} ${path} is ${size}; a secret is a few dozen characters.`,
          { hint: `Give the file that holds only the secret for ${flag}.` },
        ),
    });
    let raw = data.toString('utf8');
    // Windows editors may start a saved file with a byte-order mark; it is
    // never part of a secret, and left in, it would look like a wrong key.
    if (raw.startsWith('\ufeff')) {
      raw = raw.slice(1);
      this.out.warnOnce(
        `${flag} ${path} starts with a byte-order mark; ignored it.`,
      );
    }
    const secret = raw.replace(/\r?\n$/, '');
    // An empty key is refused by the caller; no whitespace note before that.
    const warnings = secret.trim() === '' ? [] : keyWarnings(secret);
    for (const warning of warnings.slice(0, 1)) {
      if (flag === '--key-file' && /whitespace/.test(warning)) {
        this.out.warnOnce(warning);
      }
    }
    return secret;
  }
}

/**
 * `--mock` promises the simulator: the demo merchant's requests must never
 * reach WeChat or any other machine, even when the mock profile was edited
 * to watch a `wxpay mock serve` log. Only loopback hosts are accepted.
 */
export function refuseRemoteMock(stored: Profile | undefined): void {
  for (const field of MOCK_HOST_FIELDS) {
    const value = stored?.[field];
    if (value === undefined) continue;
    let host = '';
    try {
      host = new URL(value).hostname;
    } catch {
      host = '';
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      throw new ConfigError(
        'MOCK_NOT_LOCAL',
        `The mock profile's ${field} is ${value}; the mock profile only talks to a simulator on this machine.`,
        {
          hint: `Point it at 127.0.0.1 (\`wxpay config set ${field} http://127.0.0.1:8700 --profile mock\`) or remove it with \`wxpay config unset ${field} --profile mock\`.`,
        },
      );
    }
  }
}

const MOCK_HOST_FIELDS = [
  'base_url',
  'backup_base_url',
  'mp_base_url',
] as const;
