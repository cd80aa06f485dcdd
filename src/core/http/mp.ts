import type { Dispatcher } from 'undici';
import { InputError } from '../errors.js';
import { mpRefusal } from './errors.js';
import {
  exchange,
  joinUrl,
  PayNetworkError,
  TransportFailure,
  unreadableAnswer,
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
  try {
    return readSession(text, answer.status, req.redact(url));
  } catch (error) {
    if (!(error instanceof TransportFailure)) throw error;
    throw new PayNetworkError(
      req.timeoutMs,
      1,
      [
        {
          url: error.url,
          reason: error.reason,
          unreadable: true,
          detail: error.detail,
        },
      ],
      {
        hint: 'Check mp_base_url: it must be the mini-program API host or a wxpay simulator. The code may have been used: get a fresh one from wx.login().',
      },
    );
  }
}

const NOT_A_SESSION = 'a jscode2session answer';

/**
 * A jscode2session answer is a JSON object: `errcode` (a number, absent or
 * 0 on success) with `errmsg`, or `openid` and `session_key` (strings),
 * maybe `unionid`. Anything else, a number where a string belongs included,
 * is no answer at all; it is never reported as a refusal ("refused: NaN").
 */
function readSession(text: string, status: number, url: string): Code2Session {
  const unreadable = (what: string, detail?: string) =>
    unreadableAnswer(url, status, what, { detail, expected: NOT_A_SESSION });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw unreadable(
      text.trim() === '' ? 'an empty body' : 'a body that is not JSON',
      (error as Error).message,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw unreadable('JSON that is not an object');
  }
  const answer = data as Record<string, unknown>;
  const wrong = (name: string, type: string) =>
    answer[name] !== undefined && typeof answer[name] !== type;
  const badField = [
    ['errcode', 'number'],
    ['errmsg', 'string'],
    ['openid', 'string'],
    ['session_key', 'string'],
    ['unionid', 'string'],
  ].find(([name, type]) => wrong(name, type));
  if (badField) {
    const [name, type] = badField;
    const article = /^[aeiou]/.test(name) ? 'an' : 'a';
    throw unreadable(`${article} ${name} that is not a ${type}`);
  }
  const errcode = (answer.errcode as number | undefined) ?? 0;
  if (errcode !== 0) {
    throw mpRefusal(errcode, (answer.errmsg as string | undefined) ?? '');
  }
  if (!answer.openid) throw unreadable('no openid and no errcode');
  const session: Code2Session = {
    openid: answer.openid as string,
    session_key: (answer.session_key as string | undefined) ?? '',
  };
  if (answer.unionid) session.unionid = answer.unionid as string;
  return session;
}
