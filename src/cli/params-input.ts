import { InputError, UsageError } from '../core/errors.js';
import { parseParamsText, type ParsedParams } from '../core/params-text.js';
import { maskSecret, parseSignType, type SignType } from '../core/sign.js';
import type { Context } from './context.js';
import { readCapped } from './input-file.js';

/** Parameter sets are a few KB; 16 MiB leaves room for any honest input. */
const INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** The parameters of `sign`, `sign verify` and `sign diagnose`. */
export interface ParamsOptions {
  in?: string;
  keyFile?: string;
  signType?: string;
}

/** Reads a file, or stdin for `-`, naming the flag in any error. */
export function readInput(
  ctx: Context,
  path: string,
  flag: string,
  maxBytes = INPUT_MAX_BYTES,
): Promise<Buffer> {
  return readCapped(ctx, path, {
    flag,
    limit: maxBytes,
    tooLarge: () =>
      new InputError(
        'INPUT_TOO_LARGE',
        `${flag} ${path} is larger than ${maxBytes} bytes; refused.`,
      ),
  });
}

/** Parameters from `name=value` arguments or from `--in FILE|-`. */
export async function readParams(
  ctx: Context,
  args: string[],
  options: ParamsOptions,
): Promise<ParsedParams> {
  if (options.in && args.length) {
    throw new UsageError(
      'INPUT_TWICE',
      'Give parameters either as name=value arguments or with --in, not both.',
    );
  }
  if (options.in) {
    return checkedParams(
      ctx,
      parseParamsText(await readInput(ctx, options.in, '--in')),
    );
  }
  if (!args.length) {
    throw new UsageError('INPUT_MISSING', 'No parameters given.', {
      hint: 'Pass name=value arguments, or --in FILE (--in - reads stdin).',
    });
  }
  const params: Record<string, string> = Object.create(null);
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      throw new UsageError('FIELD_MALFORMED', `"${arg}" is not name=value.`);
    }
    const name = arg.slice(0, eq);
    if (Object.hasOwn(params, name)) {
      throw new UsageError('FIELD_TWICE', `${name} is given twice.`);
    }
    if (arg.includes('\uFFFD')) {
      // The shell passed bytes that are not UTF-8; Node replaced them.
      throw new UsageError(
        'FIELD_NOT_UTF8',
        `${name} contains bytes that are not UTF-8.`,
      );
    }
    params[name] = arg.slice(eq + 1);
  }
  return checkedParams(ctx, { format: 'query', params });
}

/**
 * Every parsed parameter set passes here: a set with no field at all is
 * empty input, and a field named key gets a warning (the API key is never
 * a parameter: it is appended as `&key=…`; such a field is most often the
 * key itself pasted in by mistake).
 */
function checkedParams(ctx: Context, parsed: ParsedParams): ParsedParams {
  if (Object.keys(parsed.params).length === 0) {
    // `&`, `{}`, `<xml/>`: no field at all, as empty as no input.
    throw new InputError('PARAMS_EMPTY', 'The input has no fields.');
  }
  for (const name of keyFieldNames(parsed.params)) {
    ctx.out.warnOnce(
      `The input has a field named "${name}". The API key is not a parameter: wxpay appends it as &key=…; remove that field.`,
    );
  }
  return parsed;
}

/** Fields named key in any case: likely a secret pasted in as a parameter. */
export function keyFieldNames(params: Record<string, unknown>): string[] {
  return Object.keys(params).filter(
    (name) => name.trim().toLowerCase() === 'key',
  );
}

/** A copy with every key-named field masked as the API key is. */
export function maskKeyFields<T extends Record<string, string | null>>(
  fields: T,
  showSecrets: boolean | undefined,
): T {
  const names = showSecrets ? [] : keyFieldNames(fields);
  if (!names.length) return fields;
  const copy: Record<string, string | null> = { ...fields };
  for (const name of names) copy[name] = maskSecret(String(fields[name] ?? ''));
  return copy as T;
}

/**
 * The algorithm to use: --sign-type, then the input's sign_type, then the
 * profile's, then MD5.
 */
export async function chooseSignType(
  ctx: Context,
  params: Record<string, string | null>,
  flag: string | undefined,
): Promise<SignType> {
  if (flag) return parseSignType(flag);
  if (params.sign_type) return parseSignType(params.sign_type);
  const profileType = await profileSignType(ctx);
  return profileType ?? 'MD5';
}

async function profileSignType(ctx: Context): Promise<SignType | undefined> {
  try {
    return (await ctx.profile()).profile.sign_type;
  } catch {
    return undefined;
  }
}

/** Other secrets the user holds, for `diagnose` to try as the wrong key. */
export async function otherSecrets(
  ctx: Context,
): Promise<{ label: string; value: string }[]> {
  try {
    const { profile } = await ctx.profile();
    const list: { label: string; value: string }[] = [];
    if (profile.app_secret) {
      list.push({ label: 'AppSecret (app_secret)', value: profile.app_secret });
    }
    const sandbox = ctx.env.WXPAY_SANDBOX_KEY;
    if (sandbox) list.push({ label: 'sandbox key', value: sandbox });
    return list;
  } catch {
    return [];
  }
}
