import { UsageError } from '../../../core/errors.js';
import type { Profile, ProfileField } from '../../../core/profile.js';
import type { Context } from '../../context.js';
import { ask, askSecret, choose } from '../../prompt.js';
import { checkedValue } from './values.js';

export interface InitOptions {
  appid?: string;
  mchId?: string;
  keyFile?: string;
  appSecretFile?: string;
  signType?: string;
  notifyUrl?: string;
  baseUrl?: string;
  backupBaseUrl?: string;
  mpBaseUrl?: string;
  certP12?: string;
  certPem?: string;
  keyPem?: string;
  certPassphraseFile?: string;
  use?: boolean;
}

const PLAIN_FLAGS: [keyof InitOptions, ProfileField][] = [
  ['appid', 'appid'],
  ['mchId', 'mch_id'],
  ['signType', 'sign_type'],
  ['notifyUrl', 'notify_url'],
  ['baseUrl', 'base_url'],
  ['backupBaseUrl', 'backup_base_url'],
  ['mpBaseUrl', 'mp_base_url'],
  ['certP12', 'cert_p12'],
  ['certPem', 'cert_pem'],
  ['keyPem', 'key_pem'],
];

const SECRET_FILES: [keyof InitOptions, ProfileField][] = [
  ['keyFile', 'key'],
  ['appSecretFile', 'app_secret'],
  ['certPassphraseFile', 'cert_passphrase'],
];

/**
 * Fills a profile from flags, then (on a terminal) asks for what is still
 * missing. Without a terminal the required fields must come from flags.
 */
export async function runWizard(
  ctx: Context,
  existing: Profile,
  options: InitOptions,
): Promise<Profile> {
  const profile: Record<string, string> = {
    ...(existing as Record<string, string>),
  };
  for (const [option, field] of PLAIN_FLAGS) {
    const value = options[option];
    if (typeof value === 'string')
      profile[field] = checkedValue(ctx, field, value);
  }
  for (const [option, field] of SECRET_FILES) {
    const path = options[option];
    if (typeof path === 'string') {
      profile[field] = checkedValue(
        ctx,
        field,
        await ctx.readSecretFile(path, `--${kebab(option)}`),
      );
    }
  }
  const required: [ProfileField, string][] = [
    ['appid', '--appid'],
    ['mch_id', '--mch-id'],
    ['key', '--key-file'],
  ];
  const missing = required.filter(([field]) => !profile[field]);
  if (missing.length && !ctx.canPrompt) {
    throw new UsageError(
      'VALUE_MISSING',
      `Missing ${missing.map(([f, flag]) => `${f} (${flag})`).join(', ')}.`,
      {
        hint: 'Pass the flags, or run `wxpay config init` in a terminal for the wizard.',
      },
    );
  }
  if (ctx.canPrompt) await askMissing(ctx, profile);
  return profile as Profile;
}

async function askMissing(
  ctx: Context,
  profile: Record<string, string>,
): Promise<void> {
  const validate = (field: ProfileField) => (value: string) =>
    value.trim() === '' ? `${field} is required` : true;
  if (!profile.appid) {
    profile.appid = checkedValue(
      ctx,
      'appid',
      await ask(ctx, {
        flag: '--appid',
        message: 'appid (wx…):',
        validate: validate('appid'),
      }),
    );
  }
  if (!profile.mch_id) {
    profile.mch_id = checkedValue(
      ctx,
      'mch_id',
      await ask(ctx, {
        flag: '--mch-id',
        message: 'mch_id (商户号):',
        validate: validate('mch_id'),
      }),
    );
  }
  if (!profile.key) {
    const key = await askSecret(ctx, {
      flag: '--key-file',
      message: 'v2 API key (API密钥, 32 characters):',
      validate: (value) => (value === '' ? 'the key is required' : true),
    });
    profile.key = checkedValue(ctx, 'key', key);
  }
  if (!profile.sign_type) {
    profile.sign_type = await choose(ctx, {
      flag: '--sign-type',
      message: 'Signature type:',
      choices: ['MD5', 'HMAC-SHA256'],
      default: 'MD5',
    });
  }
  if (!profile.notify_url) {
    const url = await ask(ctx, {
      flag: '--notify-url',
      message: 'Default notify_url (optional):',
      default: '',
    });
    if (url) profile.notify_url = checkedValue(ctx, 'notify_url', url);
  }
}

function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
