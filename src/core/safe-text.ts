/**
 * Text from outside (a notification body, a handler's reply, a server's
 * answer) shown on one line. Raw control characters there could forge a
 * log line (a newline, then a fake "valid payment" entry), split a
 * tab-separated field, or drive the terminal (ESC sequences that recolour,
 * move the cursor or retitle the window). They are shown as escapes
 * instead; ordinary text, Chinese included, is unchanged.
 */

const NAMED: Record<string, string> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Every control and format character (C0, DEL, C1, the bidirectional
 * overrides and marks that can make text display in another order than it
 * reads), the line and paragraph separators, and every character Unicode
 * draws as nothing (zero-width spaces and joiners, the soft hyphen, the
 * byte-order mark, tag characters, Hangul fillers), which would make two
 * different names look the same.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** Replaces control characters with visible escapes (`\n`, `\x1b`, `\u2028`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\u{${code.toString(16)}}`;
  });
}

/** The unsafe set past C0, which JSON.stringify leaves as they are. */
const UNSAFE_PAST_C0 =
  /[\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/**
 * JSON text for a piped line or an indented document: JSON.stringify
 * already escapes C0 controls inside strings (a raw newline can only be the
 * indentation's); the rest of the unsafe set is escaped the JSON way, so
 * the value parses back unchanged.
 */
export function escapeControlsInJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    UNSAFE_PAST_C0,
    // JSON escapes UTF-16 units: a character past U+FFFF is two of them.
    (char) =>
      Array.from(
        { length: char.length },
        (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`,
      ).join(''),
  );
}
