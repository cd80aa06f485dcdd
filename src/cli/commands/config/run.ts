import { ConfigError, UsageError } from '../../../core/errors.js';
import {
  defaultValue,
  ENV_OVERRIDES,
  isProfileField,
  isSecretField,
  PROFILE_FIELDS,
  redactProfile,
  type Profile,
  type ProfileField,
} from '../../../core/profile.js';
import { maskSecret } from '../../../core/sign.js';
import { IN_PROCESS_BASE_URL, MOCK_PROFILE_NAME } from '../../../sim/demo.js';
import type { RunFn } from '../../command-kit.js';
import { checkProfileName } from '../../config-store.js';
import { refuseRemoteMock, type Context } from '../../context.js';
import { askSecret } from '../../prompt.js';
import { checkedValue } from './values.js';
import { runWizard, type InitOptions } from './wizard.js';

/** The profile `config` commands act on: --profile, WXPAY_PROFILE, current. */
async function targetName(ctx: Context): Promise<string> {
  // --mock names the mock profile here too, as it does for config get.
  if (ctx.options.mock) return MOCK_PROFILE_NAME;
  return (
    ctx.options.profile ??
    ctx.env.WXPAY_PROFILE ??
    (await ctx.store()).currentName()
  );
}

function requireField(name: string): ProfileField {
  if (!isProfileField(name)) {
    throw new UsageError('FIELD_UNKNOWN', `Unknown profile field "${name}".`, {
      hint: `Fields: ${PROFILE_FIELDS.join(', ')}.`,
    });
  }
  return name;
}

export const initRun: RunFn<InitOptions> = async (ctx, _args, options) => {
  const store = await ctx.store();
  const name = ctx.options.mock
    ? MOCK_PROFILE_NAME
    : (ctx.options.profile ?? 'default');
  checkProfileName(name);
  const existing = store.get(name) ?? {};
  const profile = await runWizard(ctx, existing, options);
  if (name === MOCK_PROFILE_NAME) refuseRemoteMock(profile);
  await store.update((data) => {
    data.profiles = { ...data.profiles, [name]: profile };
    if (options.use || Object.keys(data.profiles).length === 1) {
      data.current = name;
    }
  });
  ctx.out.success(`Saved profile "${name}" in ${store.path}`);
  if (ctx.out.json) ctx.out.document({ profile: name, path: store.path });
};

export const setRun: RunFn<{ fromFile?: string }> = async (
  ctx,
  args,
  options,
) => {
  const field = requireField(args[0]);
  const raw = await valueFor(ctx, field, args[1], options.fromFile);
  const value = checkedValue(ctx, field, raw);
  const store = await ctx.store();
  const name = await targetName(ctx);
  checkProfileName(name);
  if (name === MOCK_PROFILE_NAME) refuseRemoteMock({ [field]: value });
  const created = store.get(name) === undefined;
  await store.update((data) => {
    const profiles = { ...data.profiles };
    profiles[name] = { ...profiles[name], [field]: value } as Profile;
    data.profiles = profiles;
  });
  const shown =
    isSecretField(field) && !ctx.options.showSecrets
      ? maskSecret(value)
      : value;
  ctx.out.success(`${name}.${field} = ${shown}`);
  if (created && name !== MOCK_PROFILE_NAME) {
    // Usually a mistyped --profile or WXPAY_PROFILE: say so rather than
    // leave a one-field profile behind unnoticed.
    ctx.out.warn(
      `Profile "${name}" did not exist and was created with ${field} only. If that was a typo, \`wxpay config list\` shows your profiles.`,
    );
  }
};

async function valueFor(
  ctx: Context,
  field: ProfileField,
  given: string | undefined,
  fromFile: string | undefined,
): Promise<string> {
  const value = await rawValueFor(ctx, field, given, fromFile);
  if (value === '') {
    throw new UsageError('VALUE_EMPTY', `The value for ${field} is empty.`, {
      hint: `To remove it, run \`wxpay config unset ${field}\`.`,
    });
  }
  return value;
}

async function rawValueFor(
  ctx: Context,
  field: ProfileField,
  given: string | undefined,
  fromFile: string | undefined,
): Promise<string> {
  if (fromFile) return ctx.readSecretFile(fromFile, '--from-file');
  if (given === '-') return ctx.readSecretFile('-', 'stdin');
  if (given !== undefined) {
    if (isSecretField(field)) {
      throw new UsageError(
        'SECRET_ON_COMMAND_LINE',
        `Refusing to take ${field} from the command line, where shell history and ps would keep it.`,
        {
          hint: `Run \`wxpay config set ${field}\` for a masked prompt, pipe it with \`wxpay config set ${field} -\`, or use --from-file PATH.`,
        },
      );
    }
    return given;
  }
  if (isSecretField(field)) {
    return askSecret(ctx, {
      flag: `--from-file or "-" (stdin)`,
      message: `${field}:`,
    });
  }
  throw new UsageError('VALUE_MISSING', `No value given for ${field}.`, {
    hint: `Run \`wxpay config set ${field} VALUE\`.`,
  });
}

export const getRun: RunFn = async (ctx, args) => {
  const field = requireField(args[0]);
  const { profile, name, mock } = await ctx.profile();
  // The built-in mock profile talks to the in-process simulator, so
  // WeChat's hosts are not its defaults.
  const fallback = mock ? undefined : defaultValue(field, profile);
  if (profile[field] === undefined && fallback !== undefined) {
    ctx.out.info(`${field} is not set in profile "${name}"; the default:`);
    if (ctx.out.json) {
      ctx.out.document({ profile: name, [field]: fallback, default: true });
    } else ctx.out.data(fallback);
    return;
  }
  const value = profile[field];
  if (mock && value === IN_PROCESS_BASE_URL) {
    throw new ConfigError(
      'FIELD_UNSET',
      `${field} of the mock profile is the simulator inside each command: there is no URL.`,
      {
        hint: `To use a running simulator: \`wxpay config set ${field} http://127.0.0.1:8700 --profile mock\`.`,
      },
    );
  }
  if (value === undefined) {
    throw new ConfigError(
      'FIELD_UNSET',
      `${field} is not set in profile "${name}".`,
      {
        hint: `Set it with \`wxpay config set ${field} --profile ${name}\`.`,
      },
    );
  }
  const shown =
    isSecretField(field) && !ctx.options.showSecrets
      ? maskSecret(String(value))
      : String(value);
  if (ctx.out.json) ctx.out.document({ profile: name, [field]: shown });
  else ctx.out.data(shown);
};

export const unsetRun: RunFn = async (ctx, args) => {
  const field = requireField(args[0]);
  const store = await ctx.store();
  const name = await targetName(ctx);
  checkProfileName(name);
  if (store.get(name) === undefined) {
    throw new ConfigError('PROFILE_MISSING', `No profile named "${name}".`, {
      hint: 'Nothing to remove; `wxpay config list` shows your profiles.',
    });
  }
  await store.update((data) => {
    const profile = { ...data.profiles?.[name] };
    delete profile[field];
    data.profiles = { ...data.profiles, [name]: profile };
  });
  ctx.out.success(`Removed ${name}.${field}`);
};

export const listRun: RunFn = async (ctx) => {
  const store = await ctx.store();
  const current = store.currentName();
  const only = ctx.options.profile ?? ctx.env.WXPAY_PROFILE;
  const names = only ? [only] : store.profileNames();
  const profiles: Record<string, Record<string, string>> = {};
  for (const name of names) {
    const profile = store.get(name);
    if (!profile) {
      if (name === MOCK_PROFILE_NAME) continue;
      throw new ConfigError('PROFILE_MISSING', `No profile named "${name}".`);
    }
    profiles[name] = ctx.options.showSecrets
      ? (Object.fromEntries(
          Object.entries(profile).map(([k, v]) => [k, String(v)]),
        ) as Record<string, string>)
      : redactProfile(profile);
  }
  // The file is what this lists; the environment still wins in every run.
  const fromEnv = Object.fromEntries(
    Object.entries(ENV_OVERRIDES)
      .filter(([variable]) => ctx.env[variable])
      .map(([variable, field]) => [field, variable]),
  );
  const overrides = Object.entries(fromEnv);
  if (overrides.length) {
    ctx.out.warn(
      `${overrides.map(([field, variable]) => `${variable} overrides ${field}`).join(', ')} in every profile for this shell.`,
    );
  }
  if (ctx.out.json) {
    ctx.out.document({
      current,
      path: store.path,
      profiles,
      ...(overrides.length ? { env_overrides: fromEnv } : {}),
    });
    return;
  }
  if (!names.length) {
    ctx.out.info(
      'No profiles yet: run `wxpay config init`, or use --mock for the simulator.',
    );
    return;
  }
  for (const [name, fields] of Object.entries(profiles)) {
    const marker = name === current ? '* ' : '  ';
    ctx.out.data(`${marker}${name}`);
    for (const [field, value] of Object.entries(fields)) {
      ctx.out.data(`    ${field.padEnd(17)} ${value}`);
    }
  }
};

export const useRun: RunFn = async (ctx, args) => {
  const store = await ctx.store();
  const name = args[0];
  if (!store.get(name) && name !== MOCK_PROFILE_NAME) {
    throw new ConfigError('PROFILE_MISSING', `No profile named "${name}".`, {
      hint: `Create it with \`wxpay config init --profile ${name}\`.`,
    });
  }
  await store.setCurrent(name);
  ctx.out.success(`Current profile: ${name}`);
};

export const pathRun: RunFn = async (ctx) => {
  const store = await ctx.store();
  if (ctx.out.json) ctx.out.document({ path: store.path });
  else ctx.out.data(store.path);
};
