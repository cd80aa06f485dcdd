import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { buildXml, parseXml } from '../../src/core/xml.js';
import { caseJson, caseText, fixturePath } from '../helpers/fixtures.js';
import { readFileSync } from 'node:fs';

function refusal(body: string | Buffer, maxBytes?: number): InputError {
  try {
    parseXml(body, { maxBytes });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected a refusal');
}

describe('parseXml', () => {
  it('B04: CDATA-empty, <x></x> and <x/> all read as empty strings', () => {
    const { root, fields } = parseXml(
      caseText('B04-orderquery-empty-variants.xml'),
    );
    expect(root).toBe('xml');
    expect(fields.attach).toBe('');
    expect(fields.device_info).toBe('');
    expect(fields.sub_mch_id).toBe('');
  });

  it('B14: a value with ]]>, < and & split across CDATA sections reads back exactly', () => {
    const c = caseJson<{ params: Record<string, string> }>(
      'B14-sign-special-chars.json',
    );
    const { fields } = parseXml(caseText('B14-request-special-chars.xml'));
    expect(fields.attach).toBe(c.params.attach);
    expect(fields.detail).toBe(c.params.detail);
  });

  it('decodes character references outside CDATA but not inside it', () => {
    const { fields } = parseXml(
      '<xml><a>&#20013;&amp;&lt;</a><b><![CDATA[&amp;]]></b></xml>',
    );
    expect(fields).toEqual({ a: '中&<', b: '&amp;' });
  });

  it('keeps whitespace inside values and ignores it between elements', () => {
    const { fields } = parseXml('<xml>\n  <a> x </a>\n  <b>1</b>\n</xml>');
    expect(fields).toEqual({ a: ' x ', b: '1' });
  });

  it('reads a decrypted refund body with root <root>', () => {
    expect(parseXml('<root><a>1</a></root>').root).toBe('root');
  });

  it.each([
    ['B20-xxe-file.xml', 'XML_DOCTYPE_REFUSED'],
    ['B20-xxe-oob-param.xml', 'XML_DOCTYPE_REFUSED'],
    ['B20-billion-laughs.xml', 'XML_DOCTYPE_REFUSED'],
  ])('B20: refuses %s without expanding anything', (file, code) => {
    const error = refusal(caseText(file));
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('root:');
  });

  it('B20: refuses the 2 MB body before parsing it', () => {
    const body = readFileSync(fixturePath('cases', 'B20-oversize-2MB.xml'));
    const error = refusal(body);
    expect(error.code).toBe('XML_TOO_LARGE');
    expect(error.message).toContain('2051791');
  });

  it('applies a smaller cap when asked', () => {
    expect(refusal('<xml><a>12345</a></xml>', 10).code).toBe('XML_TOO_LARGE');
  });

  it.each([
    ['<xml><a>1</a><a>2</a></xml>', 'XML_DUPLICATE_ELEMENT', '<a>'],
    ['<xml><a><b>1</b></a></xml>', 'XML_NOT_FLAT', '<a>'],
    ['<xml><a>1</b></xml>', 'XML_MALFORMED', 'line 1'],
    ['<xml><a>1</a>', 'XML_MALFORMED', 'line'],
    ['', 'XML_EMPTY', 'empty'],
    ['<xml>text<a>1</a></xml>', 'XML_NOT_FLAT', 'loose text'],
    ['<a>1</a><b>2</b>', 'XML_MALFORMED', 'line'],
    [
      '<xml><constructor>1</constructor></xml>',
      'XML_RESERVED_NAME',
      'named constructor, a name reserved',
    ],
    [
      '<xml><toString>1</toString></xml>',
      'XML_RESERVED_NAME',
      'named toString, a name reserved',
    ],
    [
      '<xml><hasOwnProperty>1</hasOwnProperty></xml>',
      'XML_RESERVED_NAME',
      'reserved',
    ],
    [
      `<xml>${'<a>'.repeat(20000)}x${'</a>'.repeat(20000)}</xml>`,
      'XML_MALFORMED',
      'nested far deeper',
    ],
  ])('refuses %j with %s', (body, code, text) => {
    const error = refusal(body);
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
  });

  it('refuses bytes that are not UTF-8', () => {
    const gbk = Buffer.from([
      0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xd6, 0xd0, 0x3c, 0x2f, 0x78, 0x6d, 0x6c,
      0x3e,
    ]);
    expect(refusal(gbk).code).toBe('XML_NOT_UTF8');
  });
});

describe('buildXml', () => {
  it('leaves out empty values and writes digits bare', () => {
    expect(
      buildXml({ a: '', b: null, c: undefined, total_fee: '1', d: 'x' }),
    ).toBe('<xml><total_fee>1</total_fee><d><![CDATA[x]]></d></xml>');
  });

  it('refuses control characters XML cannot carry, naming the field', () => {
    expect(() => buildXml({ attach: 'a\u0001b' })).toThrow(/attach/);
  });

  it('round-trips arbitrary text, including CJK, <, & and ]]>', () => {
    const text = fc.string({ unit: 'grapheme' }).filter(
      (s) =>
        // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these
        !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\r]/.test(s),
    );
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
    fc.assert(
      fc.property(
        fc.dictionary(
          name,
          fc.oneof(text, fc.constantFrom(']]>', 'a]]>b<c&d', '中文', '0012')),
        ),
        (fields) => {
          const kept = Object.fromEntries(
            Object.entries(fields).filter(([, v]) => v !== ''),
          );
          expect(parseXml(buildXml(fields)).fields).toEqual(kept);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseXml never throws anything but InputError', () => {
  it.each([
    '<![C]>',
    '<!"[CDATA[',
    '<xml><![C]></xml>',
    '<xml><a><!"[CDATA[</a></xml>',
  ])('refuses %j cleanly', (body) => {
    const error = refusal(body);
    expect(error.message).not.toContain('undefined');
  });

  it('holds for arbitrary text built from XML punctuation', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '/',
      '!',
      '[',
      ']',
      '"',
      "'",
      '=',
      '&',
      ';',
      '?',
      'CDATA',
      'xml',
      'a',
      ' ',
      '-',
      '#',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        try {
          parseXml(parts.join(''));
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('character references', () => {
  it.each(['&#x1b;', '&#0;', '&#27;', '&#xFFFE;'])(
    'refuses %s instead of dropping it',
    (ref) => {
      const error = refusal(`<xml><a>x${ref}y</a></xml>`);
      expect(error.code).toBe('XML_ILLEGAL_CHAR');
    },
  );

  it('still decodes legal references', () => {
    expect(parseXml('<xml><a>&#x4E2D;&#10;</a></xml>').fields.a).toBe('中\n');
  });
});
