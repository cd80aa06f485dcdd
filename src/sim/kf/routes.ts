import { imageContentType, MAX_IMAGE_BYTES } from '../../core/kf/send.js';
import {
  jsonObjectFields,
  parseJsonLossless,
  type LosslessJson,
} from '../../core/json.js';
import type {
  SimRequest,
  SimResponse,
  SimRoute,
  SimServices,
} from '../router.js';
import { parseMultipart } from './multipart.js';
import {
  checkApp,
  checkToken,
  findUser,
  issueClassic,
  issueStable,
  kfState,
  MEDIA_LIFETIME_S,
  newId,
  recordSent,
  recordUserAction,
  TYPING_INTERACTION_S,
  TYPING_LASTS_S,
  type KfSimState,
} from './state.js';

/**
 * The mini-program API paths of the simulator: access tokens (classic and
 * stable), custom send with the 48 h window and quota, typing, temporary
 * media, and admin paths under /__wxpay/kf/ that play the user.
 */

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  0: 'ok',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40009: 'invalid image size',
  40013: 'invalid appid',
  40035: 'invalid args',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
  45072: 'command field error',
  45080: 'has not sent message to user in the past 30s',
  45081: 'already in typing state',
};

function json(body: Record<string, unknown>, status = 200): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

function fail(errcode: number): SimResponse {
  return json({
    errcode,
    errmsg:
      errcode === 0
        ? 'ok'
        : `${ERRMSG[errcode] ?? 'error'} rid: ${newId('sim-').slice(0, 16)}`,
  });
}

function nowS(services: SimServices): number {
  return Math.floor(services.now().getTime() / 1000);
}

function readJson(body: Buffer): Record<string, LosslessJson> | undefined {
  try {
    const value = parseJsonLossless(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

function str(value: LosslessJson | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Runs `handle` on the kf state with the caller's token checked. */
function withApp(
  request: SimRequest,
  services: SimServices,
  handle: (state: KfSimState, appid: string, now: number) => SimResponse,
): Promise<SimResponse> {
  return services.withState('kf', (raw) => {
    const state = kfState(raw);
    const now = nowS(services);
    const { appid, errcode } = checkToken(
      state,
      request.query.get('access_token'),
      now,
    );
    return errcode ? fail(errcode) : handle(state, appid as string, now);
  });
}

const classicToken: SimRoute = {
  method: 'GET',
  path: '/cgi-bin/token',
  handle: (request, services) =>
    services.withState('kf', (raw) => {
      const state = kfState(raw);
      if (request.query.get('grant_type') !== 'client_credential')
        return fail(40002);
      const appid = request.query.get('appid') ?? undefined;
      const errcode = checkApp(
        state,
        appid,
        request.query.get('secret') ?? undefined,
      );
      if (errcode) return fail(errcode);
      const token = issueClassic(state, appid as string, nowS(services));
      return json({ access_token: token, expires_in: 7200 });
    }),
};

const stableToken: SimRoute = {
  method: 'POST',
  path: '/cgi-bin/stable_token',
  handle: (request, services) =>
    services.withState('kf', (raw) => {
      const state = kfState(raw);
      const body = readJson(request.body);
      if (!body) return fail(44002);
      if (str(body.grant_type) !== 'client_credential') return fail(40002);
      const appid = str(body.appid);
      const errcode = checkApp(state, appid, str(body.secret));
      if (errcode) return fail(errcode);
      const now = nowS(services);
      const issued = issueStable(
        state,
        appid as string,
        body.force_refresh === true,
        now,
      );
      if (issued.errcode) return fail(issued.errcode);
      const token = issued.token as string;
      return json({
        access_token: token,
        expires_in: state.tokens[token].expires_at - now,
      });
    }),
};

const stableTokenGet: SimRoute = {
  method: 'GET',
  path: '/cgi-bin/stable_token',
  handle: () => fail(43002),
};

const SENDABLE = new Set(['text', 'image', 'link', 'miniprogrampage']);

function payloadErrcode(
  state: KfSimState,
  payload: Record<string, string>,
  now: number,
): number {
  const msgtype = payload.msgtype;
  if (!msgtype || !SENDABLE.has(msgtype)) return 40008;
  const inner = readJson(Buffer.from(payload[msgtype] ?? ''));
  if (!inner) return 40035;
  const need: Record<string, string[]> = {
    text: ['content'],
    image: ['media_id'],
    link: ['title', 'url', 'thumb_url'],
    miniprogrampage: ['title', 'pagepath', 'thumb_media_id'],
  };
  if (need[msgtype].some((name) => !str(inner[name]))) return 40035;
  const mediaId = str(inner.media_id) ?? str(inner.thumb_media_id);
  if (mediaId !== undefined) {
    const media = state.media[mediaId];
    if (!media || now - media.created_at > MEDIA_LIFETIME_S) return 40007;
  }
  return 0;
}

const customSend: SimRoute = {
  method: 'POST',
  path: '/cgi-bin/message/custom/send',
  handle: (request, services) =>
    withApp(request, services, (state, appid, now) => {
      const body = readJson(request.body);
      if (!body) return fail(44002);
      const payload = jsonObjectFields(body, 'send');
      const found = findUser(state, appid, payload.touser ?? '');
      if (!found.user) return fail(found.errcode);
      const errcode = payloadErrcode(state, payload, now);
      if (errcode) return fail(errcode);
      if (now >= found.user.window_until) return fail(45015);
      if (found.user.quota_left <= 0) return fail(45047);
      found.user.quota_left -= 1;
      // Sending a message ends the typing state (spec §5.2).
      found.user.typing_until = undefined;
      recordSent(state, {
        appid,
        touser: payload.touser,
        msgtype: payload.msgtype,
        at: now,
        payload: body,
      });
      return fail(0);
    }),
};

const typing: SimRoute = {
  method: 'POST',
  path: '/cgi-bin/message/custom/typing',
  handle: (request, services) =>
    withApp(request, services, (state, appid, now) => {
      const body = readJson(request.body);
      if (!body) return fail(44002);
      const command = str(body.command);
      if (command !== 'Typing' && command !== 'CancelTyping')
        return fail(45072);
      const found = findUser(state, appid, str(body.touser) ?? '');
      if (!found.user)
        return fail(found.errcode === 45015 ? 45080 : found.errcode);
      if (now - found.user.last_action_at > TYPING_INTERACTION_S)
        return fail(45080);
      if (command === 'CancelTyping') {
        found.user.typing_until = undefined;
        return fail(0);
      }
      if ((found.user.typing_until ?? 0) > now) return fail(45081);
      found.user.typing_until = now + TYPING_LASTS_S;
      return fail(0);
    }),
};

const mediaUpload: SimRoute = {
  method: 'POST',
  path: '/cgi-bin/media/upload',
  handle: (request, services) =>
    withApp(request, services, (state, appid, now) => {
      const type = request.query.get('type');
      if (type !== 'image') return fail(40004);
      const header = request.headers['content-type'];
      const parts = parseMultipart(
        Array.isArray(header) ? header[0] : header,
        request.body,
      );
      const media = parts?.find((part) => part.name === 'media');
      if (!media || media.data.length === 0) return fail(41005);
      const contentType = imageContentType(media.data);
      if (!contentType) return fail(40005);
      if (media.data.length > MAX_IMAGE_BYTES) return fail(40009);
      const mediaId = newId('SIMMEDIA_');
      state.media[mediaId] = {
        appid,
        type,
        created_at: now,
        bytes: media.data.length,
        content_type: contentType,
        data:
          media.data.length <= 64 * 1024
            ? media.data.toString('base64')
            : undefined,
      };
      return json({ type, media_id: mediaId, created_at: now });
    }),
};

const mediaGet: SimRoute = {
  method: 'GET',
  path: '/cgi-bin/media/get',
  handle: (request, services) =>
    withApp(request, services, (state, _appid, now) => {
      const mediaId = request.query.get('media_id') ?? '';
      const media = state.media[mediaId];
      if (!media || now - media.created_at > MEDIA_LIFETIME_S)
        return fail(40007);
      return {
        status: 200,
        headers: {
          'content-type': media.content_type,
          'content-disposition': `attachment; filename="${mediaId}.jpg"`,
        },
        body: Buffer.from(media.data ?? '', 'base64'),
      };
    }),
};

/**
 * Plays the user: POST {appid, openid, action: "message"|"enter", at?}
 * opens the reply window as a real user message or session entry would.
 */
const userAction: SimRoute = {
  method: 'POST',
  path: '/__wxpay/kf/user-action',
  handle: (request, services) =>
    services.withState('kf', (raw) => {
      const state = kfState(raw);
      const body = readJson(request.body);
      const appid = str(body?.appid);
      const openid = str(body?.openid);
      const action = str(body?.action) ?? 'message';
      if (!appid || !openid || (action !== 'message' && action !== 'enter')) {
        return json(
          {
            errcode: 40035,
            errmsg: 'need appid, openid and action message|enter',
          },
          400,
        );
      }
      const at = Number(str(body?.at) ?? nowS(services));
      const user = recordUserAction(state, appid, openid, action, at);
      return json({ errcode: 0, errmsg: 'ok', ...user });
    }),
};

/** Lists what was sent: GET ?appid=&touser= (both optional). */
const sentList: SimRoute = {
  method: 'GET',
  path: '/__wxpay/kf/sent',
  handle: (request, services) =>
    services.withState('kf', (raw) => {
      const { appid, touser } = Object.fromEntries(request.query);
      const sent = kfState(raw).sent.filter(
        (item) =>
          (!appid || item.appid === appid) &&
          (!touser || item.touser === touser),
      );
      return json({ errcode: 0, sent });
    }),
};

export const kfRoutes: SimRoute[] = [
  classicToken,
  stableToken,
  stableTokenGet,
  customSend,
  typing,
  mediaUpload,
  mediaGet,
  userAction,
  sentList,
];
