/**
 * Redaction for `--verbose` dumps. Signatures are replaced too: a sign is
 * not the key, but with a known body it lets anyone test guesses of a weak
 * key offline, and it is never needed to debug a request.
 */
export const REDACTED = '[REDACTED]';

const SECRET_XML = /<(sign|paySign|sandbox_signkey)>[\s\S]*?<\/\1>/g;
const SECRET_JSON =
  /"(session_key|access_token|secret|sandbox_signkey|paySign|sign)"\s*:\s*"(?:[^"\\]|\\.)*"/g;
const SECRET_QUERY = /([?&](?:secret|access_token|sign)=)[^&#]*/g;

/**
 * Replaces `<sign>` elements, secret JSON members, secret query parameters
 * and every literal occurrence of the given secrets with [REDACTED].
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(SECRET_XML, `<$1>${REDACTED}</$1>`)
    .replace(SECRET_JSON, `"$1":"${REDACTED}"`)
    .replace(SECRET_QUERY, `$1${REDACTED}`);
  for (const secret of secrets) {
    // Short values would blank out ordinary text; real secrets are long.
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out;
}
