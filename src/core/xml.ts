import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError } from './errors.js';

/**
 * XML for WeChat Pay v2 bodies: one flat level of elements under a root
 * (`<xml>`, or `<root>` inside a decrypted refund notification).
 *
 * Every value is kept as the exact string that was sent: a parser that turns
 * `000123` into 123 or a 28-digit transaction_id into 4.2e+27 breaks the
 * signature (case B21). DOCTYPE and entity declarations are refused before
 * parsing: WeChat never sends them, and they are how XXE and billion-laughs
 * attacks arrive (the 2018 notify_url disclosure, case B20).
 */

/** The default cap on a body: real notifications and responses are a few KB. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

export interface ParseXmlOptions {
  /** Refuse bodies larger than this many bytes (default 1 MiB). */
  maxBytes?: number;
}

export interface ParsedXml {
  /** The root element's name, usually `xml`. */
  root: string;
  /** The child elements, names to exact string values. */
  fields: Record<string, string>;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Keeping whitespace is what keeps a value like " a " intact; the
  // whitespace between elements is dropped below.
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The parser would quietly rename <toString> to __toString, so a body
  // would be signed under another field name; refuse such names instead,
  // as it refuses constructor and __proto__. No WeChat field is named so.
  onDangerousProperty: (name: string) => {
    throw new Error(`reserved name ${name}`);
  },
});

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decode(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  try {
    return utf8.decode(body);
  } catch (error) {
    throw new InputError('XML_NOT_UTF8', 'The XML body is not valid UTF-8.', {
      hint: 'WeChat Pay v2 bodies are UTF-8; re-save the file as UTF-8 (not GBK).',
      cause: error,
    });
  }
}

/**
 * A character reference to a code point XML cannot carry (&#0;, &#x1b;):
 * the parser would silently drop it, and the value signed would then differ
 * from the one the sender signed.
 */
function refuseIllegalReferences(text: string): void {
  const pattern = /&#(x[0-9a-fA-F]+|[0-9]+);/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const ref = m[1];
    const code = ref[0] === 'x' ? parseInt(ref.slice(1), 16) : Number(ref);
    const legal =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!legal) {
      throw new InputError(
        'XML_ILLEGAL_CHAR',
        `The XML refers to character ${m[0]}, which XML cannot carry.`,
      );
    }
  }
}

function refuseDeclarations(text: string): void {
  const found = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.exec(text);
  if (found) {
    throw new InputError(
      'XML_DOCTYPE_REFUSED',
      `Refused XML with a <!${found[1].toUpperCase()}> declaration: WeChat Pay never sends one, and it is how XXE and entity-expansion attacks work.`,
      {
        hint: 'Remove the DOCTYPE; if this came from the network, treat it as hostile.',
      },
    );
  }
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string'
    ? Buffer.byteLength(body, 'utf8')
    : body.length;
}

/**
 * Parses a v2 XML body into its root name and flat string fields.
 *
 * Throws an InputError (never returns partial data) for: bodies over the size
 * cap, invalid UTF-8, DOCTYPE or entity declarations, malformed XML, a body
 * with no root element, nested elements and duplicate elements.
 */
export function parseXml(
  body: string | Uint8Array,
  options: ParseXmlOptions = {},
): ParsedXml {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const size = byteLength(body);
  if (size > maxBytes) {
    throw new InputError(
      'XML_TOO_LARGE',
      `Refused an XML body of ${size} bytes; the limit is ${maxBytes} bytes.`,
      {
        hint: 'WeChat Pay bodies are a few KB; anything this large is not from WeChat.',
      },
    );
  }
  const text = decode(body).replace(/^\uFEFF/, '');
  refuseDeclarations(text);
  if (text.includes('&#')) refuseIllegalReferences(text);
  if (text.trim() === '') {
    throw new InputError('XML_EMPTY', 'The XML body is empty.');
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const where =
      col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    throw new InputError('XML_MALFORMED', `Malformed XML at ${where}: ${msg}`);
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The validator lets a few broken constructs through (e.g. "<![C]>")
    // that the parser then rejects with a plain Error.
    const [code, message] = parserRefusal(error);
    throw new InputError(code, message, { cause: error });
  }
  return toFlat(document);
}

/** The parser's refusal in words about the input. */
function parserRefusal(error: unknown): [string, string] {
  const reason = error instanceof Error ? error.message : String(error);
  if (/nested tags/i.test(reason)) {
    return [
      'XML_MALFORMED',
      'Malformed XML: elements are nested far deeper than any WeChat body.',
    ];
  }
  const reserved = /reserved name (\S+)|Invalid name: "([^"]+)"/.exec(reason);
  if (reserved) {
    return [
      'XML_RESERVED_NAME',
      `The XML has an element named ${reserved[1] ?? reserved[2]}, a name reserved in JavaScript; no WeChat field is named so.`,
    ];
  }
  // The parser's other messages name its internals, not the input.
  return [
    'XML_MALFORMED',
    'Malformed XML: a CDATA section, comment or declaration is broken.',
  ];
}

function toFlat(document: Record<string, unknown>): ParsedXml {
  const roots = Object.keys(document).filter((name) => name !== '#text');
  if (roots.length !== 1) {
    throw new InputError(
      'XML_NO_ROOT',
      roots.length === 0
        ? 'The XML has no root element.'
        : `The XML has ${roots.length} root elements; a WeChat body has one.`,
    );
  }
  const root = roots[0];
  const content = document[root];
  const fields: Record<string, string> = Object.create(null);
  if (typeof content === 'string') {
    if (content.trim() !== '') {
      throw new InputError(
        'XML_NOT_FLAT',
        `The <${root}> element holds text instead of fields.`,
      );
    }
    return { root, fields };
  }
  if (Array.isArray(content)) {
    throw duplicate(root);
  }
  for (const [name, value] of Object.entries(content as object)) {
    if (name === '#text') {
      if (String(value).trim() !== '') {
        throw new InputError(
          'XML_NOT_FLAT',
          `The <${root}> element holds loose text between its fields.`,
        );
      }
      continue;
    }
    fields[name] = fieldValue(name, value);
  }
  return { root, fields };
}

function fieldValue(name: string, value: unknown): string {
  if (Array.isArray(value)) throw duplicate(name);
  if (typeof value === 'string') {
    if (ILLEGAL_CHARS.test(value)) {
      throw new InputError(
        'XML_ILLEGAL_CHAR',
        `Element <${name}> contains a control character (such as NUL) that XML cannot carry.`,
      );
    }
    return value;
  }
  if (value === null || value === undefined) return '';
  throw new InputError(
    'XML_NOT_FLAT',
    `Element <${name}> contains other elements; WeChat Pay v2 bodies are flat.`,
    {
      hint: 'JSON-valued fields such as detail must be sent as text in CDATA.',
    },
  );
}

function duplicate(name: string): InputError {
  return new InputError(
    'XML_DUPLICATE_ELEMENT',
    `Element <${name}> appears more than once; its value would be ambiguous.`,
    {
      hint: 'Send each field once; repeated items use indexed names such as coupon_fee_0.',
    },
  );
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry at all, not even escaped.
// eslint-disable-next-line no-control-regex -- matching them is the point
const ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function cdata(value: string): string {
  // "]]>" cannot sit inside one CDATA section: end the section after "]]"
  // and open a new one for ">", which any XML parser joins back together.
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/**
 * Builds a v2 XML body. Values are written in CDATA (plain digits bare, as
 * WeChat does), so `<`, `&` and `]]>` round-trip exactly. Empty, null and
 * undefined values are left out: WeChat does not sign them, and an empty
 * element invites verifiers to include `k=` in the string.
 */
export function buildXml(
  fields: Record<string, string | number | null | undefined>,
  root = 'xml',
): string {
  const parts: string[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    if (raw === null || raw === undefined || String(raw) === '') continue;
    if (!NAME.test(name)) {
      throw new InputError(
        'XML_BAD_NAME',
        `"${name}" is not a valid XML element name.`,
      );
    }
    const value = String(raw);
    if (ILLEGAL_CHARS.test(value)) {
      throw new InputError(
        'XML_ILLEGAL_CHAR',
        `Field ${name} contains a control character that XML cannot carry.`,
      );
    }
    const body = /^\d+$/.test(value) ? value : cdata(value);
    parts.push(`<${name}>${body}</${name}>`);
  }
  return `<${root}>${parts.join('')}</${root}>`;
}
