/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Splits a multipart/form-data body (RFC 7578) into parts; enough for the
 * media upload the simulator answers. Returns undefined when the body is
 * not multipart or the boundary is missing.
 */
export function parseMultipart(
  contentType: string | undefined,
  body: Buffer,
): FormPart[] | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !match) {
    return undefined;
  }
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = parsePart(body.subarray(start, next));
    if (part) parts.push(part);
    at = next;
  }
  return parts;
}

function parsePart(raw: Buffer): FormPart | undefined {
  // A part is CRLF, headers, a blank line, the content, then the CRLF that
  // belongs to the next delimiter.
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const headers = raw.subarray(0, headerEnd).toString('utf8');
  let data = raw.subarray(headerEnd + 4);
  if (data.subarray(-2).toString() === '\r\n') data = data.subarray(0, -2);
  const disposition =
    /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) return undefined;
  return {
    name,
    filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
    contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
    data,
  };
}
