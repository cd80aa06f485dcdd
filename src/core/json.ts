import { InputError } from './errors.js';

/**
 * JSON where every number stays the exact text that was sent.
 *
 * MsgId values exceed 2^53, and `JSON.parse` maps 7386519283746501234 and
 * 7386519283746501235 to the same double, so retry dedupe would drop a
 * genuine message (case C10). This reader is linear in the input, refuses
 * duplicate keys (a signed body must not be ambiguous) and limits nesting,
 * so a hostile body cannot exhaust the stack.
 */
export type LosslessJson =
  string | boolean | null | LosslessJson[] | { [name: string]: LosslessJson };

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

export function parseJsonLossless(text: string): LosslessJson {
  const reader = new Reader(text.replace(/^\uFEFF/, ''));
  reader.space();
  const value = reader.value(0);
  reader.space();
  if (!reader.done()) reader.fail('unexpected text after the JSON value');
  return value;
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  fail(what: string): never {
    throw new InputError(
      'JSON_MALFORMED',
      `Malformed JSON at offset ${this.at}: ${what}.`,
    );
  }

  space(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  value(depth: number): LosslessJson {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const ch = this.text[this.at];
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"') return this.string();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return result;
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (!number) this.fail('expected a value');
    this.at = NUMBER.lastIndex;
    return number[0];
  }

  private object(depth: number): { [name: string]: LosslessJson } {
    const result: { [name: string]: LosslessJson } = {};
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('expected a field name');
      const name = this.string();
      if (Object.prototype.hasOwnProperty.call(result, name)) {
        this.fail(`field "${name}" appears twice`);
      }
      this.space();
      this.expect(':');
      this.space();
      // defineProperty keeps "__proto__" an ordinary field.
      Object.defineProperty(result, name, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private array(depth: number): LosslessJson[] {
    const result: LosslessJson[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return result;
    }
    for (;;) {
      this.space();
      result.push(this.value(depth + 1));
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private string(): string {
    const start = this.at;
    let i = start + 1;
    while (i < this.text.length) {
      const ch = this.text[i];
      if (ch === '\\') i += 2;
      else if (ch === '"') break;
      else i++;
    }
    if (i >= this.text.length) this.fail('unterminated string');
    this.at = i + 1;
    try {
      // The slice is one string literal; JSON.parse applies the exact
      // escape and control-character rules.
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      this.at = start;
      return this.fail('invalid string');
    }
  }

  private expect(ch: string): void {
    if (this.text[this.at] !== ch) this.fail(`expected "${ch}"`);
    this.at++;
  }
}

/**
 * Flattens a parsed JSON object into string fields: scalars become their
 * exact text (`null` becomes ""), nested values their JSON text.
 */
export function jsonObjectFields(
  value: LosslessJson,
  what: string,
): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('JSON_NOT_OBJECT', `${what} must be a JSON object.`);
  }
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    fields[name] =
      field === null
        ? ''
        : typeof field === 'object'
          ? JSON.stringify(field)
          : String(field);
  }
  return fields;
}
