import { InputError } from './errors.js';

/**
 * Money inside wxpay is always an integer number of fen (1/100 CNY).
 *
 * WeChat's API fields (`total_fee`, `refund_fee`) are fen, but people and
 * bills speak yuan. Converting through `parseFloat` gives 0.29 * 100 =
 * 28.999999999999996, so yuan strings are split on the decimal point and
 * the digits are combined as integers.
 */

const YUAN = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Converts a yuan amount such as `"19.99"` into fen (`1999`).
 *
 * Refuses more than two decimals, zero, negative values, exponents and
 * anything that is not a plain decimal number, because each of these has
 * caused a wrong charge somewhere.
 */
export function yuanToFen(input: string): number {
  const text = input.trim();
  if (text.startsWith('-')) {
    throw new InputError('AMOUNT_NEGATIVE', `Amount "${input}" is negative.`, {
      hint: 'Give a positive amount in yuan, e.g. 0.01.',
    });
  }
  const match = YUAN.exec(text);
  if (!match) {
    const tooPrecise = /^\d+\.\d{3,}$/.test(text);
    throw new InputError(
      tooPrecise ? 'AMOUNT_TOO_PRECISE' : 'AMOUNT_INVALID',
      tooPrecise
        ? `Amount "${input}" has more than two decimals; 1 fen is the smallest unit.`
        : `Amount "${input}" is not a yuan amount.`,
      { hint: 'Write yuan with at most two decimals, e.g. 19.99 or 100.' },
    );
  }
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) {
    throw new InputError('AMOUNT_TOO_LARGE', `Amount "${input}" is too large.`);
  }
  if (fen === 0) {
    throw new InputError('AMOUNT_ZERO', `Amount "${input}" is zero.`, {
      hint: 'The smallest payable amount is 0.01 yuan (1 fen).',
    });
  }
  return fen;
}

/**
 * Reads a fen amount given as text (`"1999"`), as WeChat's XML carries it.
 * Refuses decimals: a `total_fee` of `"19.99"` is the classic yuan/fen mix-up.
 */
export function parseFen(input: string, field = 'amount'): number {
  const text = input.trim();
  if (!/^\d+$/.test(text)) {
    const looksYuan = /^\d+\.\d+$/.test(text);
    throw new InputError(
      'FEN_INVALID',
      `${field} "${input}" is not a whole number of fen.`,
      {
        hint: looksYuan
          ? `WeChat amounts are in fen: ${text} yuan is written as ${safeYuanHint(text)}.`
          : 'Give an integer amount in fen, e.g. 1 for 0.01 yuan.',
      },
    );
  }
  const fen = Number(text);
  if (!Number.isSafeInteger(fen)) {
    throw new InputError(
      'AMOUNT_TOO_LARGE',
      `${field} "${input}" is too large.`,
    );
  }
  if (fen === 0) {
    throw new InputError('AMOUNT_ZERO', `${field} is zero.`, {
      hint: 'The smallest payable amount is 1 fen.',
    });
  }
  return fen;
}

function safeYuanHint(text: string): string {
  try {
    return String(yuanToFen(text));
  } catch {
    return 'an integer';
  }
}

/** Formats fen as a yuan string with two decimals: `1999` → `"19.99"`. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) {
    throw new InputError('FEN_INVALID', `${fen} is not a whole number of fen.`);
  }
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${Math.trunc(abs / 100)}.${cents}`;
}

/**
 * Reads a signed decimal amount with up to `scale` decimals as an integer in
 * units of 10^-scale yuan, exactly. Bills carry fees with five decimals
 * (`-0.00020`), so `scale` 5 turns them into integers of 1e-5 yuan.
 * Returns undefined for text that is not a decimal number.
 */
export function decimalToUnits(
  input: string,
  scale: number,
): number | undefined {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(input.trim());
  if (!match) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    return undefined;
  }
  const units =
    Number(match[2]) * 10 ** scale +
    Number(fraction.slice(0, scale).padEnd(scale, '0'));
  if (!Number.isSafeInteger(units)) return undefined;
  return match[1] === '-' ? -units : units;
}
