import type { Dispatcher } from 'undici';
import { ApiError, InputError, NetworkError } from '../errors.js';
import { mpRefusal } from './errors.js';
import {
  exchange,
  joinUrl,
  PayNetworkError,
  TransportFailure,
} from './transport.js';
import type { Code2Session, PayEvent } from './types.js';

/**
 * A wx.login code is an opaque token of letters, digits, `-` and `_`. A
 * value with braces, quotes or spaces is a serialised object passed by
 * mistake (case B36: `{"jsCode":"…"}` earned 40029 and "Illegal character
 * in query"), so it is refused before anything is sent.
 */
const JS_CODE = /^[A-Za-z0-9_-]{1,256}$/;

export function validateJsCode(code: string): string {
  if (!JS_CODE.test(code)) {
    throw new InputError(
      'JS_CODE_INVALID',
      `"${code.length > 60 ? `${code.slice(0, 60)}…` : code}" is not a wx.login code: a code is a bare token of letters, digits, - and _.`,
      {
        hint: 'Pass res.code from wx.login() itself, not an object or JSON string that contains it.',
      },
    );
  }
  return code;
}

export interface Code2SessionRequest {
  baseUrl: string;
  appid: string;
  secret: string;
  code: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  emit: (event: PayEvent) => void;
  redact: (text: string) => string;
}

/**
 * GET /sns/jscode2session (spec 9). The body is read as JSON whatever the
 * Content-Type says: WeChat has been seen answering `text/plain` (case B36,
 * UNCONFIRMED in official text).
 */
export async function requestCode2Session(
  req: Code2SessionRequest,
): Promise<Code2Session> {
  validateJsCode(req.code);
  const query = new URLSearchParams({
    appid: req.appid,
    secret: req.secret,
    js_code: req.code,
    grant_type: 'authorization_code',
  });
  const url = `${joinUrl(req.baseUrl, '/sns/jscode2session')}?${query}`;
  req.emit({ type: 'request', method: 'GET', url: req.redact(url) });
  let answer;
  try {
    answer = await exchange(url, {
      method: 'GET',
      dispatcher: req.dispatcher,
      timeoutMs: req.timeoutMs,
      maxBytes: 64 * 1024,
    });
  } catch (error) {
    const failure = error as TransportFailure;
    throw new PayNetworkError(
      req.timeoutMs,
      1,
      [{ url: req.redact(url), reason: failure.reason }],
      {
        hint: 'The code may have been consumed: get a fresh one from wx.login() before trying again.',
        cause: failure.cause,
      },
    );
  }
  const text = answer.body.toString('utf8');
  req.emit({
    type: 'response',
    url: req.redact(url),
    status: answer.status,
    body: req.redact(text),
    ms: answer.ms,
  });
  return readSession(text, answer.status);
}

function readSession(text: string, status: number): Code2Session {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new NetworkError(
      'MP_ANSWER_NOT_JSON',
      `jscode2session answered HTTP ${status} with a body that is not JSON.`,
      { hint: 'Check mp_base_url: it should be the mini-program API host.' },
    );
  }
  const errcode = Number(data.errcode ?? 0);
  if (errcode !== 0) throw mpRefusal(errcode, String(data.errmsg ?? ''));
  if (typeof data.openid !== 'string' || data.openid === '') {
    throw new ApiError(
      'MP_ANSWER_INCOMPLETE',
      'jscode2session answered without an openid.',
    );
  }
  const session: Code2Session = {
    openid: data.openid,
    session_key: String(data.session_key ?? ''),
  };
  if (typeof data.unionid === 'string') session.unionid = data.unionid;
  return session;
}
