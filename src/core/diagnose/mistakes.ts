import { fenToYuan } from '../money.js';
import { appendKey, canonicalize, SIGN_TYPES, type Params } from '../sign.js';
import type { CauseId, DiagnoseInput } from './types.js';

/**
 * The known mistakes, each as a way of building the string to sign (or of
 * choosing the key) that real integrations got wrong (cases B01-B21).
 */

export interface Attempt {
  cause: CauseId;
  message: string;
  /** The string that is hashed (already including any key suffix). */
  text: string;
  /** The key used for HMAC; defaults to the real key. */
  hmacKey?: string;
  encoding?: 'latin1' | 'gbk';
}

const AMOUNT_FIELD =
  /^(total_fee|refund_fee|cash_fee|settlement_total_fee|settlement_refund_fee|coupon_fee(_\d+)?|cash_refund_fee|coupon_refund_fee(_\d+)?)$/;

function joinFields(fields: [string, string][]): string {
  return fields.map(([k, v]) => `${k}=${v}`).join('&');
}

function mapValues(
  params: Params,
  fn: (value: string, name: string) => string,
): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    out[name] =
      value === null || value === undefined ? value : fn(String(value), name);
  }
  return out;
}

export function stringA(params: Params): string {
  return canonicalize(params).stringA;
}

export function withKey(text: string, key: string): string {
  return appendKey(text, key);
}

export function keyAttempts(
  params: Params,
  key: string,
  input: DiagnoseInput,
): Attempt[] {
  const a = stringA(params);
  const attempts: Attempt[] = [];
  const trimmed = key.trim();
  const spaced = [
    trimmed,
    `${trimmed} `,
    ` ${trimmed}`,
    `${trimmed}\n`,
    `${trimmed}\r\n`,
  ];
  for (const variant of spaced) {
    if (variant === key) continue;
    attempts.push({
      cause: 'key_whitespace',
      message:
        variant === trimmed
          ? 'Your key has surrounding whitespace, but the signer used it without. Remove the spaces or newline around the key (check the file or env var it comes from).'
          : 'The signer used the key with surrounding whitespace (a trailing space or newline from a file or env var). Trim the key before signing.',
      text: withKey(a, variant),
      hmacKey: variant,
    });
  }
  attempts.push(
    {
      cause: 'key_missing',
      message:
        'The string was hashed without "&key=…" (or with an empty key): the key was never loaded. Append &key=<API key> before hashing.',
      text: a,
      hmacKey: '',
    },
    {
      cause: 'key_missing',
      message:
        'The signer appended "&key=" with an empty key: the key was never loaded from configuration.',
      text: withKey(a, ''),
      hmacKey: '',
    },
    {
      cause: 'key_without_prefix',
      message:
        'The key was appended without "key=" (as "&<key>" or directly). Append exactly "&key=<API key>".',
      text: `${a}&${key}`,
    },
    {
      cause: 'key_without_prefix',
      message:
        'The key was appended without "&key=". Append exactly "&key=<API key>".',
      text: `${a}${key}`,
    },
  );
  for (const secret of input.otherSecrets ?? []) {
    if (!secret.value || secret.value === key) continue;
    attempts.push({
      cause: 'other_secret_as_key',
      message: `The signer used the ${secret.label} as the key. Sign with the merchant's v2 API key (API密钥, set in the merchant platform), not the ${secret.label}.`,
      text: withKey(a, secret.value),
      hmacKey: secret.value,
    });
  }
  return attempts;
}

export function fieldAttempts(params: Params, key: string): Attempt[] {
  const attempts: Attempt[] = [];
  const entries = Object.entries(params);
  const hasEmpty = entries.some(([, v]) => v === '');
  const hasNull = entries.some(([, v]) => v === null || v === undefined);

  if (hasEmpty) {
    const kept = mapValues(params, (v) => v);
    const fields = Object.keys(kept)
      .filter((k) => k !== 'sign' && kept[k] !== null && kept[k] !== undefined)
      .sort(byteCompare)
      .map((k) => [k, String(kept[k])] as [string, string]);
    attempts.push({
      cause: 'empty_values_signed',
      message:
        'Empty fields were signed as "name=" (' +
        entries
          .filter(([, v]) => v === '')
          .map(([k]) => k)
          .join(', ') +
        '). Leave empty values out of the string to sign, and do not send them.',
      text: withKey(joinFields(fields), key),
    });
  }
  if (hasNull) {
    for (const word of ['null', 'undefined']) {
      const fields = Object.keys(params)
        .filter((k) => k !== 'sign')
        .sort(byteCompare)
        .map((k) => {
          const v = params[k];
          return [k, v === null || v === undefined ? word : String(v)] as [
            string,
            string,
          ];
        });
      attempts.push({
        cause: 'null_signed_as_text',
        message: `Unset fields were signed as the text "${word}". Drop null/undefined fields before signing (and do not send them).`,
        text: withKey(joinFields(fields), key),
      });
    }
  }
  if (params.sign !== undefined && params.sign !== null && params.sign !== '') {
    const fields = canonicalize({ ...params, sign: undefined }).fields;
    const withSign = [
      ...fields,
      ['sign', String(params.sign)] as [string, string],
    ].sort((x, y) => byteCompare(x[0], y[0]));
    attempts.push({
      cause: 'sign_field_included',
      message:
        'The "sign" field itself was included in the string to sign. Remove sign (only sign; keep sign_type) before signing or verifying.',
      text: withKey(joinFields(withSign), key),
    });
  }
  const declared = params.sign_type;
  if (declared !== undefined && declared !== null && declared !== '') {
    attempts.push({
      cause: 'sign_type_dropped',
      message:
        'sign_type was left out of the string to sign. sign_type is an ordinary signed field; only sign is excluded.',
      text: withKey(stringA({ ...params, sign_type: undefined }), key),
    });
  } else {
    for (const type of SIGN_TYPES) {
      attempts.push({
        cause: 'sign_type_added',
        message: `The signer added sign_type=${type} to the string, but the data has no sign_type field. Sign exactly the fields that are sent (or send sign_type too).`,
        text: withKey(stringA({ ...params, sign_type: type }), key),
      });
    }
  }
  return attempts;
}

export function encodingAttempts(params: Params, key: string): Attempt[] {
  const attempts: Attempt[] = [];
  const changed = (next: Params) => stringA(next) !== stringA(params);
  const urlEncoded = mapValues(params, (v) => encodeURIComponent(v));
  if (changed(urlEncoded)) {
    attempts.push({
      cause: 'url_encoded',
      message:
        'Values were URL-encoded (%20 style) before signing. WeChat signs raw values: do not encode them.',
      text: withKey(stringA(urlEncoded), key),
    });
  }
  const formEncoded = mapValues(params, (v) =>
    new URLSearchParams({ v }).toString().slice(2),
  );
  if (changed(formEncoded) && stringA(formEncoded) !== stringA(urlEncoded)) {
    attempts.push({
      cause: 'form_encoded',
      message:
        'Values were form-encoded (spaces as "+") before signing. WeChat signs raw values: do not encode them.',
      text: withKey(stringA(formEncoded), key),
    });
  }
  const decoded = mapValues(params, (v) => safeDecode(v));
  if (changed(decoded)) {
    attempts.push({
      cause: 'url_encoded',
      message:
        'Your values are URL-encoded but the signer used the decoded text. Sign and send the same raw values.',
      text: withKey(stringA(decoded), key),
    });
  }
  const escaped = mapValues(params, escapeXml);
  if (changed(escaped)) {
    attempts.push({
      cause: 'html_entities',
      message:
        'Values were signed with XML/HTML entities (&amp; &lt; …) in them. Sign the unescaped text; escaping belongs only in the XML body.',
      text: withKey(stringA(escaped), key),
    });
  }
  const unescaped = mapValues(params, unescapeXml);
  if (changed(unescaped)) {
    attempts.push({
      cause: 'html_entities',
      message:
        'Your values still contain entities (&amp; &lt; …) that the signer decoded. Unescape values read from XML before signing.',
      text: withKey(stringA(unescaped), key),
    });
  }
  for (const set of cdataSets(params)) {
    const wrapped = mapValues(params, (v, name) =>
      set.has(name) ? `<![CDATA[${v}]]>` : v,
    );
    attempts.push({
      cause: 'cdata_markers',
      message:
        'CDATA markers (<![CDATA[ … ]]>) were signed as part of the values. The markers are XML syntax: sign the text inside them.',
      text: withKey(stringA(wrapped), key),
    });
  }
  const unwrapped = mapValues(params, (v) =>
    v.replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1'),
  );
  if (changed(unwrapped)) {
    attempts.push({
      cause: 'cdata_markers',
      message:
        'Your values still carry CDATA markers that the signer stripped. Parse the XML properly instead of copying the raw text.',
      text: withKey(stringA(unwrapped), key),
    });
  }
  const text = withKey(stringA(params), key);
  if (Buffer.from(text, 'latin1').equals(Buffer.from(text, 'utf8'))) {
    return attempts;
  }
  attempts.push({
    cause: 'not_utf8',
    message:
      'The string was hashed as GBK bytes (a Chinese-Windows or old .NET default), not UTF-8. Hash the UTF-8 bytes.',
    text,
    encoding: 'gbk',
  });
  attempts.push({
    cause: 'not_utf8',
    message:
      'The string was hashed as Latin-1 ("binary") bytes, not UTF-8, so Chinese text signs wrong. Hash the UTF-8 bytes.',
    text,
    encoding: 'latin1',
  });
  return attempts;
}

/**
 * Which fields a caller may have pre-wrapped in CDATA: every text value,
 * the values with XML-special characters or JSON, or any single field.
 */
function cdataSets(params: Params): Set<string>[] {
  const names = Object.keys(params).filter((name) => {
    const v = params[name];
    return name !== 'sign' && v !== null && v !== undefined && v !== '';
  });
  const text = names.filter((n) => !/^\d+$/.test(String(params[n])));
  const special = names.filter((n) => /[<>&"'{]/.test(String(params[n])));
  // One set per field makes the search quadratic in the field count; real
  // v2 bodies have a few dozen fields, so larger inputs skip that part.
  const single = names.length <= 64 ? names.map((n) => new Set([n])) : [];
  // Every field: signers that copy raw XML text keep the markers on digits
  // too when the body wraps every value in CDATA.
  return [new Set(names), new Set(text), new Set(special), ...single];
}

export function orderAttempts(params: Params, key: string): Attempt[] {
  const kept = canonicalize(params).fields;
  const byName = new Map(kept);
  const insertion = Object.keys(params)
    .filter((k) => byName.has(k))
    .map((k) => [k, byName.get(k)!] as [string, string]);
  const natural = [...kept].sort((x, y) =>
    x[0].localeCompare(y[0], 'en', { numeric: true, sensitivity: 'base' }),
  );
  const attempts: Attempt[] = [];
  if (joinFields(insertion) !== joinFields(kept)) {
    attempts.push({
      cause: 'insertion_order',
      message:
        'Parameters were joined in the order they were given, not sorted. Sort names by byte (ASCII) order before joining.',
      text: withKey(joinFields(insertion), key),
    });
  }
  if (joinFields(natural) !== joinFields(kept)) {
    attempts.push({
      cause: 'natural_order',
      message:
        'Parameters were sorted in natural or case-insensitive order (e.g. coupon_fee_2 before coupon_fee_10). Sort by plain byte order.',
      text: withKey(joinFields(natural), key),
    });
  }
  return attempts;
}

export function valueAttempts(params: Params, key: string): Attempt[] {
  const attempts: Attempt[] = [];
  const amounts = Object.keys(params).filter(
    (k) => AMOUNT_FIELD.test(k) && /^\d+$/.test(String(params[k] ?? '')),
  );
  if (amounts.length) {
    for (const style of ['fixed', 'short'] as const) {
      const asYuan = mapValues(params, (v, name) => {
        if (!amounts.includes(name)) return v;
        const yuan = fenToYuan(Number(v));
        // "1.00" shortened is "1": that is an integer, not a decimal, and
        // matching it would blame a tampered amount (100 fen) on formatting.
        const short = String(Number(yuan));
        return style === 'fixed' || !short.includes('.') ? yuan : short;
      });
      attempts.push({
        cause: 'amount_as_decimal',
        message: `Amounts (${amounts.join(', ')}) were signed as yuan decimals. WeChat amounts are integers in fen: 0.01 yuan is total_fee=1.`,
        text: withKey(stringA(asYuan), key),
      });
    }
  }
  const coerced = mapValues(params, (v) =>
    /^\d+$/.test(v) && v.length > 1 ? String(Number(v)) : v,
  );
  if (stringA(coerced) !== stringA(params)) {
    attempts.push({
      cause: 'digits_coerced',
      message:
        'Digit strings were turned into numbers (leading zeros lost, long ids in exponent form). Keep every value as the exact string received.',
      text: withKey(stringA(coerced), key),
    });
  }
  attempts.push(...paySignAttempts(params, key));
  return attempts;
}

function paySignAttempts(params: Params, key: string): Attempt[] {
  if (!('package' in params) || !('nonceStr' in params)) return [];
  const attempts: Attempt[] = [];
  const renames: [string, string][] = [
    ['appId', 'appid'],
    ['timeStamp', 'timestamp'],
  ];
  for (const [right, wrong] of renames) {
    if (!(right in params)) continue;
    const renamed: Params = {};
    for (const [k, v] of Object.entries(params))
      renamed[k === right ? wrong : k] = v;
    attempts.push({
      cause: 'paysign_field_names',
      message: `The paySign was computed with "${wrong}" instead of "${right}". Sign exactly appId, nonceStr, package, signType, timeStamp (camel case).`,
      text: withKey(stringA(renamed), key),
    });
  }
  const ts = String(params.timeStamp ?? '');
  if (/^\d{10}$/.test(ts)) {
    attempts.push({
      cause: 'paysign_milliseconds',
      message:
        'timeStamp was signed in milliseconds. Use seconds since the epoch (10 digits), passed as a string.',
      text: withKey(stringA({ ...params, timeStamp: `${ts}000` }), key),
    });
  }
  return attempts;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
