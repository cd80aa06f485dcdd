import { describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  beijingTime,
  generateOutTradeNo,
  nonceStr,
  parseBeijingTime,
  parseDuration,
  refuseFourByteChars,
  validateBody,
  validateOutTradeNo,
} from '../../src/core/fields.js';
import { sign } from '../../src/core/sign.js';
import { caseJson } from '../helpers/fixtures.js';

describe('nonce_str', () => {
  it('is random, alphanumeric and at most 32 characters', () => {
    const values = new Set(Array.from({ length: 200 }, () => nonceStr()));
    expect(values.size).toBe(200);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(nonceStr(16)).toHaveLength(16);
    expect(() => nonceStr(33)).toThrow(InputError);
  });
});

describe('out_trade_no', () => {
  it('generates unique valid numbers across fast repeated calls', () => {
    const now = new Date('2024-06-10T06:13:20Z');
    const values = new Set(
      Array.from({ length: 2000 }, () => generateOutTradeNo('', now)),
    );
    expect(values.size).toBe(2000);
    for (const value of values) {
      expect(value).toMatch(/^20240610141320\d{9}$/);
      expect(validateOutTradeNo(value)).toBe(value);
    }
  });

  it.each(['12345', 'a'.repeat(33), 'order#1', '订单123456', 'has space1'])(
    'refuses %j',
    (value) => {
      expect(() => validateOutTradeNo(value)).toThrow(/out_trade_no/);
    },
  );

  it('accepts the allowed punctuation', () => {
    expect(validateOutTradeNo('A_b-c|d*e1')).toBe('A_b-c|d*e1');
  });
});

describe('body and 4-byte characters', () => {
  it('counts body in UTF-8 bytes', () => {
    expect(validateBody('中'.repeat(42))).toHaveLength(42);
    expect(() => validateBody('中'.repeat(43))).toThrow(/129 bytes/);
    expect(() => validateBody('a'.repeat(128))).toThrow(/128 bytes/);
  });

  it('names the field that carries an emoji', () => {
    expect(() =>
      refuseFourByteChars({ body: 'ok', attach: 'gift 🎁' }),
    ).toThrow(/attach contains U\+1F381/);
    expect(() => refuseFourByteChars({ body: '中文 ok' })).not.toThrow();
  });
});

describe('Beijing time (case C16)', () => {
  it('formats time_start and time_expire in UTC+8 and signs as the case says', () => {
    const c = caseJson<{
      now_epoch: number;
      expire_after_s: number;
      params: Record<string, string>;
      key: string;
      expected_sign: string;
    }>('C16-pay-timeexpire-utc.json');
    const now = new Date(c.now_epoch * 1000);
    const start = beijingTime(now);
    const expire = beijingTime(
      new Date(now.getTime() + c.expire_after_s * 1000),
    );
    expect([start, expire]).toEqual(['20240610141320', '20240610161320']);
    const params = { ...c.params, time_start: start, time_expire: expire };
    expect(sign(params, c.key)).toBe(c.expected_sign);
  });

  it.each(['UTC', 'Asia/Shanghai', 'America/New_York'])(
    'gives the same value when the process runs under TZ=%s',
    (tz) => {
      // Node applies a changed TZ to Date at once; restore it afterwards.
      const before = process.env.TZ;
      onTestFinished(() => {
        if (before === undefined) delete process.env.TZ;
        else process.env.TZ = before;
      });
      process.env.TZ = tz;
      const moment = new Date(1718000000000);
      expect(moment.getTimezoneOffset()).toBe(
        { UTC: 0, 'Asia/Shanghai': -480, 'America/New_York': 240 }[tz],
      );
      expect(beijingTime(moment)).toBe('20240610141320');
    },
  );

  it('reads Beijing time back', () => {
    expect(parseBeijingTime('20240610141320').toISOString()).toBe(
      '2024-06-10T06:13:20.000Z',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses nonsense', () => {
    expect(() => parseDuration('soon')).toThrow(InputError);
    expect(() => parseDuration('')).toThrow(InputError);
  });
});

describe('parseDuration, the one duration grammar of every flag', () => {
  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['2', 2000],
    ['5m', 300_000],
    ['1m30s', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
