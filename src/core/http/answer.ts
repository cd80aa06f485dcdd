import { WxPayError } from '../errors.js';
import { escapeControls } from '../safe-text.js';
import { parseXml } from '../xml.js';
import { unreadableAnswer, type HttpAnswer } from './transport.js';

/**
 * Telling a WeChat answer from anything else a server may send instead.
 *
 * The XML reader's errors are written for files a user hands to wxpay
 * ("re-save the file as UTF-8", "Remove the DOCTYPE"). An answer from the
 * network that fails it is not bad input: nobody can fix the body, so it is
 * a transport failure (exit 3) that names the URL, with the parser's words
 * kept in `details` and as a short suffix.
 */

/** Longest parser message kept in the one-line reason. */
const SHORT = 80;

function shortened(text: string): string {
  const safe = escapeControls(text);
  return safe.length > SHORT ? `${safe.slice(0, SHORT - 1)}…` : safe;
}

/** What came instead of a WeChat answer, in a few words. */
function whatCame(error: WxPayError, body: Buffer): string {
  const start = body.subarray(0, 200).toString('utf8').trimStart();
  if (/^(<!doctype\s+html|<html[\s>])/i.test(start)) return 'an HTML page';
  switch (error.code) {
    case 'XML_EMPTY':
      return 'an empty body';
    case 'XML_NOT_UTF8':
      return 'a body that is not UTF-8 text';
    case 'XML_DOCTYPE_REFUSED':
      return 'XML carrying a DOCTYPE or ENTITY declaration (refused as hostile)';
    default:
      if (/^[[{]/.test(start)) return 'JSON';
      return `unreadable XML (${shortened(error.message)})`;
  }
}

/**
 * Reads a pay API answer into its flat fields, or throws the TransportFailure
 * of an unreadable answer: not XML, not UTF-8, hostile, a root other than
 * `<xml>`, or no return_code of SUCCESS or FAIL (spec 3: every v2 answer
 * starts with return_code, and WeChat always uses the `<xml>` root).
 */
export function readPayAnswer(
  answer: HttpAnswer,
  maxBytes: number,
): Record<string, string> {
  let parsed;
  try {
    parsed = parseXml(answer.body, { maxBytes });
  } catch (error) {
    if (!(error instanceof WxPayError)) throw error;
    throw unreadableAnswer(
      answer.url,
      answer.status,
      whatCame(error, answer.body),
      {
        detail: error.message,
        cause: error,
      },
    );
  }
  const { root, fields } = parsed;
  if (root !== 'xml') {
    const what =
      root.toLowerCase() === 'html'
        ? 'an HTML page'
        : `a <${shortened(root)}> document`;
    throw unreadableAnswer(answer.url, answer.status, what);
  }
  const code = fields.return_code;
  if (code !== 'SUCCESS' && code !== 'FAIL') {
    throw unreadableAnswer(
      answer.url,
      answer.status,
      code === undefined
        ? 'XML without a return_code'
        : `XML whose return_code is "${shortened(code)}"`,
    );
  }
  return fields;
}
