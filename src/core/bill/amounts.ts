import { InputError } from '../errors.js';
import { decimalToUnits } from '../money.js';

/**
 * Exact amounts: bills give yuan with 2 decimals and fees with 5, and are
 * read into integers (fen, or 1e-5 yuan), never floats (case B31).
 */

/**
 * Reads an amount cell exactly as integer units of 10^-scale yuan; an empty
 * cell is 0. The common shapes (`12.34`, `-0.00120`, `0`) are read digit by
 * digit, because a bill has millions of them; anything else goes through
 * money.ts, which decides what is valid.
 */
export function readAmount(
  value: string,
  scale: number,
  where: () => string,
): number {
  const units = value === '' ? 0 : parseUnits(value, scale);
  if (units !== undefined) return units;
  return amountError(where(), value, scale);
}

export function amountError(
  where: string,
  value: string,
  scale: number,
): never {
  throw new InputError(
    'BILL_AMOUNT_INVALID',
    `${where}: "${value}" is not an amount in yuan with at most ${scale} decimals.`,
    { hint: 'The file is damaged or not a WeChat Pay bill.' },
  );
}

/**
 * A signed decimal as integer units of 10^-scale, exactly, or undefined
 * when it is not one (see decimalToUnits, which has the last word).
 */
export function parseUnits(value: string, scale: number): number | undefined {
  return quickUnits(value, scale) ?? decimalToUnits(value, scale);
}

/** Formats integer units with `scale` decimals, exactly: (-120, 5) → "-0.00120". */
export function formatUnits(units: number, scale: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

function quickUnits(value: string, scale: number): number | undefined {
  const negative = value.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  let units = 0;
  let decimals = -1;
  for (; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      units = units * 10 + (code - 48);
      if (decimals >= 0 && ++decimals > scale) return undefined;
    } else if (code === 46 && decimals < 0 && i > (negative ? 1 : 0)) {
      decimals = 0;
    } else {
      return undefined;
    }
  }
  if (decimals === 0 || i === (negative ? 1 : 0)) return undefined;
  units *= 10 ** (scale - Math.max(decimals, 0));
  if (!Number.isSafeInteger(units)) return undefined;
  return negative ? -units : units;
}
