import { InputError } from './errors.js';
import { parseJsonLossless } from './json.js';
import { parseXml, type ParseXmlOptions } from './xml.js';

/** The forms a parameter set can be pasted in. */
export type ParamsFormat = 'json' | 'xml' | 'query';

export interface ParsedParams {
  format: ParamsFormat;
  /** Values as given; `null` only from JSON, and signed like an empty value. */
  params: Record<string, string | null>;
}

/**
 * Reads a parameter set from text, choosing the parser by the first
 * non-space character: `{` JSON, `<` XML, anything else `a=1&b=2`.
 *
 * Query strings are split on `&` and the first `=` only; values are NOT
 * URL-decoded, because WeChat signs raw values and a `%20` in the input is
 * exactly what `sign diagnose` needs to see.
 */
export function parseParamsText(
  text: string | Uint8Array,
  options: ParseXmlOptions = {},
): ParsedParams {
  const asText = typeof text === 'string' ? text : decodeUtf8(text);
  const trimmed = asText.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') {
    throw new InputError('PARAMS_EMPTY', 'The input is empty.');
  }
  if (trimmed.startsWith('<')) {
    return { format: 'xml', params: parseXml(text, options).fields };
  }
  if (trimmed.startsWith('{')) {
    return { format: 'json', params: parseJsonParams(trimmed) };
  }
  // A leading `?` comes with a query string copied out of a URL.
  const query = trimmed.replace(/^\?/, '');
  if (query === '') {
    throw new InputError('PARAMS_EMPTY', 'The input is empty.');
  }
  return { format: 'query', params: parseQuery(query) };
}

function parseJsonParams(text: string): Record<string, string | null> {
  // Numbers keep their exact digits: a 28-digit transaction_id read through
  // Number would lose them and break the signature (case B21).
  const value = parseJsonLossless(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      'JSON_NOT_OBJECT',
      'The JSON input must be an object of fields.',
    );
  }
  const params: Record<string, string | null> = Object.create(null);
  for (const [name, field] of Object.entries(value)) {
    if (name === '') {
      throw new InputError('JSON_EMPTY_NAME', 'A field has an empty name.');
    }
    if (field !== null && typeof field === 'object') {
      throw new InputError(
        'JSON_NESTED',
        `Field ${name} is an object; v2 parameters are flat strings (send JSON fields such as detail as a string).`,
      );
    }
    params[name] = field === null ? null : String(field);
  }
  return params;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError('INPUT_NOT_UTF8', 'The input is not valid UTF-8.', {
      hint: 'WeChat Pay v2 data is UTF-8; re-save the file as UTF-8 (not GBK).',
    });
  }
}

function parseQuery(text: string): Record<string, string> {
  if (/[\r\n]/.test(text)) {
    // A pair per line is not a query string, and reading it as one would
    // sign one field whose value runs over the next lines.
    throw new InputError(
      'QUERY_MULTILINE',
      'The a=1&b=2 input spans several lines.',
      { hint: 'Join the pairs with & on one line, or give a JSON object.' },
    );
  }
  // No prototype: "__proto__" is then an ordinary (if odd) field name.
  const params: Record<string, string> = Object.create(null);
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new InputError(
        'QUERY_MALFORMED',
        `"${part.slice(0, 40)}${part.length > 40 ? '…' : ''}" is not a name=value pair.`,
        { hint: 'Give parameters as a=1&b=2, a JSON object, or an XML body.' },
      );
    }
    const name = part.slice(0, eq);
    if (Object.hasOwn(params, name)) {
      throw new InputError(
        'QUERY_DUPLICATE',
        `${name} appears twice; its value would be ambiguous.`,
      );
    }
    params[name] = part.slice(eq + 1);
  }
  return params;
}
