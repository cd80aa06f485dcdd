import { createHash, randomBytes } from 'node:crypto';
import { takeErrCodeFault } from '../faults.js';
import type { MerchantRegistry } from '../merchants.js';
import type {
  SimRequest,
  SimResponse,
  SimRoute,
  SimServices,
} from '../router.js';
import type { StateAccess } from '../state-store.js';

/**
 * The mini-program login exchange, `GET /sns/jscode2session` (spec 9).
 *
 * A code gives an openid derived from the code and appid, so the same code
 * always means the same fake user; each code can be exchanged once, as on
 * WeChat, where a second use answers 40163 (case B35).
 */

export const JSCODE2SESSION_PATH = '/sns/jscode2session';

/** How many used codes are remembered (older ones are forgotten). */
const REMEMBERED_CODES = 10_000;

/** Codes from wx.login are short tokens; braces, quotes or spaces are not. */
const CODE_SHAPE = /^[0-9A-Za-z_-]{1,128}$/;

function rid(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

/**
 * WeChat's JSON error. The body is JSON but the Content-Type is text/plain,
 * as observed for real answers (cases B35, B36): clients must parse the
 * body whatever the header says.
 */
export function mpError(errcode: number, errmsg: string): SimResponse {
  return mpJson({ errcode, errmsg: `${errmsg}, rid: ${rid()}` });
}

function mpJson(value: unknown): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(value),
  };
}

/** `o` + 27 characters: the shape of a real openid, stable per code+appid. */
export function simulatedOpenid(appid: string, code: string): string {
  const hash = createHash('sha256').update(`openid:${appid}:${code}`).digest();
  return `o${hash.toString('base64url').slice(0, 27)}`;
}

function sessionKey(appid: string, code: string): string {
  const hash = createHash('sha256').update(`session:${appid}:${code}`).digest();
  return hash.subarray(0, 16).toString('base64');
}

interface UsedCode {
  appid: string;
  at: number;
}

function checkRequest(
  query: URLSearchParams,
  merchants: MerchantRegistry,
): SimResponse | undefined {
  const appid = query.get('appid') ?? '';
  const secret = query.get('secret') ?? '';
  if (!appid) return mpError(41002, 'appid missing');
  if (!secret) return mpError(41004, 'appsecret missing');
  if (!query.get('js_code')) return mpError(41008, 'missing code');
  if (query.get('grant_type') !== 'authorization_code') {
    return mpError(40002, 'invalid grant_type');
  }
  const merchant = merchants.byAppid(appid);
  if (!merchant) return mpError(40013, 'invalid appid');
  const expected = merchant.appSecrets?.[appid];
  if (expected !== undefined && expected !== secret) {
    return mpError(40125, 'invalid appsecret');
  }
  return undefined;
}

async function exchange(
  request: SimRequest,
  services: SimServices,
  merchants: MerchantRegistry,
  store: StateAccess,
): Promise<SimResponse> {
  // WeChat reads the query string only, also on a POST.
  const refused = checkRequest(request.query, merchants);
  if (refused) return refused;
  const fault = await takeErrCodeFault(store, request.path);
  if (fault && /^-?\d+$/.test(fault.errCode ?? '')) {
    return mpError(Number(fault.errCode), fault.errCodeDes ?? 'system error');
  }
  const appid = request.query.get('appid')!;
  const code = request.query.get('js_code')!;
  if (!CODE_SHAPE.test(code)) return mpError(40029, 'invalid code');
  const used = await store.update('sns', (state) => {
    const codes = (state.codes ??= {}) as Record<string, UsedCode>;
    const previous = Object.hasOwn(codes, code) ? codes[code] : undefined;
    if (previous) return previous;
    codes[code] = { appid, at: services.now().getTime() };
    forgetOldCodes(codes);
    return undefined;
  });
  if (used) {
    // A code belongs to the appid it was issued for: from another appid it
    // is simply invalid (B36's "obtained under a different appid").
    return used.appid === appid
      ? mpError(40163, 'code been used')
      : mpError(40029, 'invalid code');
  }
  return mpJson({
    session_key: sessionKey(appid, code),
    openid: simulatedOpenid(appid, code),
  });
}

function forgetOldCodes(codes: Record<string, UsedCode>): void {
  const names = Object.keys(codes);
  if (names.length <= REMEMBERED_CODES) return;
  names
    .sort((a, b) => codes[a].at - codes[b].at)
    .slice(0, names.length - REMEMBERED_CODES)
    .forEach((name) => delete codes[name]);
}

export function mpRoutes(
  merchants: MerchantRegistry,
  store: StateAccess,
): SimRoute[] {
  const handle = (request: SimRequest, services: SimServices) =>
    exchange(request, services, merchants, store);
  return [
    { method: 'GET', path: JSCODE2SESSION_PATH, handle },
    { method: 'POST', path: JSCODE2SESSION_PATH, handle },
  ];
}
