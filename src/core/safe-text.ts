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
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph
 * separators, the bidirectional overrides that can make text display in
 * another order than it reads (with the direction marks), and the
 * invisible characters (zero-width spaces and joiners, the soft hyphen, the
 * byte-order mark) that make two different names look the same.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching them is the point
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** Replaces control characters with visible escapes (`\n`, `\x1b`, `\u2028`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The unsafe set past C0, which JSON.stringify leaves as they are. */
const UNSAFE_PAST_C0 =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/**
 * JSON text for a piped line or an indented document: JSON.stringify
 * already escapes C0 controls inside strings (a raw newline can only be the
 * indentation's); the rest of the unsafe set is escaped the JSON way, so
 * the value parses back unchanged.
 */
export function escapeControlsInJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    UNSAFE_PAST_C0,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
