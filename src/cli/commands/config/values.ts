import { UsageError } from '../../../core/errors.js';
import {
  normalizeProfileValue,
  profileWarnings,
  type ProfileField,
} from '../../../core/profile.js';
import type { Context } from '../../context.js';

/** Validates, warns about what looks wrong, and returns the stored form. */
export function checkedValue(
  ctx: Context,
  field: ProfileField,
  raw: string,
): string {
  let value: string;
  try {
    value = normalizeProfileValue(field, raw);
  } catch (error) {
    throw new UsageError(
      'VALUE_INVALID',
      `Invalid ${field}: ${(error as Error).message.replace(/\.$/, '')}.`,
    );
  }
  for (const warning of profileWarnings(field, value))
    ctx.out.warnOnce(warning);
  return value;
}
