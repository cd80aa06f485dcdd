import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  decimalToUnits,
  fenToYuan,
  parseFen,
  yuanToFen,
} from '../../src/core/money.js';

describe('yuanToFen', () => {
  it.each([
    ['0.29', 29],
    ['19.99', 1999],
    ['100', 10000],
    ['0.01', 1],
    ['0.1', 10],
    [' 8.50 ', 850],
    ['1234567.89', 123456789],
  ])('converts %j to %d fen exactly', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each([
    ['0.001', 'AMOUNT_TOO_PRECISE'],
    ['0', 'AMOUNT_ZERO'],
    ['0.00', 'AMOUNT_ZERO'],
    ['-1', 'AMOUNT_NEGATIVE'],
    ['1e2', 'AMOUNT_INVALID'],
    ['abc', 'AMOUNT_INVALID'],
    ['', 'AMOUNT_INVALID'],
    ['1,00', 'AMOUNT_INVALID'],
    ['.5', 'AMOUNT_INVALID'],
  ])('refuses %j with %s', (input, code) => {
    try {
      yuanToFen(input);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe(code);
    }
  });

  it('agrees with integer arithmetic for every two-decimal amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
    );
  });
});

describe('parseFen and fenToYuan', () => {
  it('reads integer fen and refuses yuan decimals with a hint', () => {
    expect(parseFen('1999')).toBe(1999);
    try {
      parseFen('19.99', 'total_fee');
      throw new Error('accepted');
    } catch (error) {
      expect((error as InputError).message).toContain('total_fee');
      expect((error as InputError).hint).toContain('1999');
    }
  });

  it('formats fen as yuan with two decimals', () => {
    expect(fenToYuan(1)).toBe('0.01');
    expect(fenToYuan(1999)).toBe('19.99');
    expect(fenToYuan(10000)).toBe('100.00');
    expect(fenToYuan(-2)).toBe('-0.02');
  });
});

describe('decimalToUnits', () => {
  it('reads bill fees with five decimals as integers of 1e-5 yuan', () => {
    expect(decimalToUnits('0.00020', 5)).toBe(20);
    expect(decimalToUnits('-0.00020', 5)).toBe(-20);
    expect(decimalToUnits('0.1', 2)).toBe(10);
    expect(decimalToUnits('0.105', 2)).toBeUndefined();
    expect(decimalToUnits('x', 2)).toBeUndefined();
  });
});
