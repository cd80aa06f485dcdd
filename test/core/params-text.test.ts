import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseParamsText } from '../../src/core/params-text.js';

describe('parseParamsText', () => {
  it('detects JSON and keeps the digits of large numbers (B21)', () => {
    const parsed = parseParamsText(
      '{"transaction_id": 4200001234202401011234567890, "total_fee": 1, "attach": null, "a": "x"}',
    );
    expect(parsed).toEqual({
      format: 'json',
      params: {
        transaction_id: '4200001234202401011234567890',
        total_fee: '1',
        attach: null,
        a: 'x',
      },
    });
  });

  it('detects XML and a=1&b=2 without URL-decoding', () => {
    expect(parseParamsText(' <xml><a>1</a></xml>').format).toBe('xml');
    expect(parseParamsText('a=1%202&b=x=y').params).toEqual({
      a: '1%202',
      b: 'x=y',
    });
  });

  it('drops the ? of a query string copied out of a URL', () => {
    expect(parseParamsText('?a=1&b=2').params).toEqual({ a: '1', b: '2' });
  });

  it.each([
    '{"a": {"b": 1}}',
    '[1]',
    '{"a": 1',
    'a&b',
    '  ',
    'a=1\nb=2',
    'a=1&\r\nb=2',
    '{"": "1"}',
    '=1',
    '?',
  ])('refuses %j', (text) => {
    expect(() => parseParamsText(text)).toThrow(InputError);
  });

  it('stays fast on a large hostile JSON body', () => {
    const body = `{${Array.from({ length: 20000 }, (_, i) => `"k${i}": ${i}`).join(',')}}`;
    expect(Object.keys(parseParamsText(body).params)).toHaveLength(20000);
  });
});
