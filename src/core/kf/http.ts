import { NetworkError } from '../errors.js';
import { jsonObjectFields, parseJsonLossless } from '../json.js';
import { mpApiError } from './errcodes.js';

/**
 * The HTTP seam of the mini-program API client. The default uses Node's
 * fetch; tests and the simulator pass their own. Every request goes to the
 * profile's mp_base_url, so tests point it at 127.0.0.1.
 */
export interface MpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface MpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type MpHttp = (request: MpRequest) => Promise<MpResponse>;

/** Answers larger than this are not an API answer (media/get aside). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export function fetchMpHttp(options: { timeoutMs?: number } = {}): MpHttp {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (request) => {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body:
          typeof request.body === 'string' || request.body === undefined
            ? request.body
            : new Uint8Array(request.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw networkError(request, error, timeoutMs);
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > MAX_ANSWER_BYTES) {
      throw new NetworkError(
        'MP_ANSWER_TOO_LARGE',
        `${hostOf(request.url)} answered ${body.length} bytes; that is not an API answer.`,
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body };
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function networkError(
  request: MpRequest,
  error: unknown,
  timeoutMs: number,
): NetworkError {
  const cause = (error as { cause?: { code?: string } }).cause;
  const timedOut = (error as Error).name === 'TimeoutError';
  return new NetworkError(
    timedOut ? 'MP_TIMEOUT' : 'MP_UNREACHABLE',
    timedOut
      ? `${hostOf(request.url)} did not answer within ${timeoutMs} ms (no retry).`
      : `Cannot reach ${hostOf(request.url)}: ${cause?.code ?? (error as Error).message}.`,
    {
      hint: 'Check the network and the profile mp_base_url; --mock uses the local simulator.',
      cause: error,
    },
  );
}

/** Strips secrets from a URL for messages: access_token and secret. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:access_token|secret)=)[^&]*/g, '$1***');
}

/**
 * Reads a JSON answer: numbers as exact strings, a non-zero errcode thrown
 * as the explained error. `api` names the call in messages.
 */
export function readMpJson(
  response: MpResponse,
  api: string,
): Record<string, string> {
  const text = response.body.toString('utf8');
  let fields: Record<string, string>;
  try {
    fields = jsonObjectFields(parseJsonLossless(text), `The ${api} answer`);
  } catch (error) {
    throw new NetworkError(
      'MP_ANSWER_NOT_JSON',
      `${api} answered HTTP ${response.status} with a body that is not a JSON object.`,
      {
        hint: 'A proxy or a wrong mp_base_url answered instead of WeChat.',
        cause: error,
      },
    );
  }
  const errcode = Number(fields.errcode ?? '0');
  if (Number.isFinite(errcode) && errcode !== 0) {
    throw mpApiError(errcode, fields.errmsg ?? '', api);
  }
  return fields;
}
