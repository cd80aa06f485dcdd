import { randomBytes } from 'node:crypto';
import { DEMO_PROFILE } from '../demo.js';

/**
 * The customer-service simulator's rules (customer-service spec §5–6), on
 * the `kf` area of the simulator state. All times are Unix seconds.
 */
export interface SimToken {
  appid: string;
  kind: 'classic' | 'stable';
  expires_at: number;
  /** Set when a newer token replaced it: it dies at this moment. */
  dies_at?: number;
}

export interface SimUser {
  appid: string;
  /** The latest user message or session entry. */
  last_action_at: number;
  /** Sends allowed until this moment… */
  window_until: number;
  /** …and this many of them. */
  quota_left: number;
  typing_until?: number;
}

export interface SimMedia {
  appid: string;
  type: string;
  created_at: number;
  bytes: number;
  content_type: string;
  /** Base64 of small files, so media/get can return them. */
  data?: string;
}

export interface SimSent {
  appid: string;
  touser: string;
  msgtype: string;
  at: number;
  payload: unknown;
}

export interface KfSimState {
  apps: Record<string, { secret: string }>;
  tokens: Record<string, SimToken>;
  current: Record<
    string,
    {
      classic?: string;
      stable?: string;
      force_day?: string;
      forces?: number;
      last_force_at?: number;
    }
  >;
  users: Record<string, SimUser>;
  media: Record<string, SimMedia>;
  sent: SimSent[];
}

/** Classic tokens stay valid this long after a newer one is fetched. */
export const CLASSIC_GRACE_S = 300;
export const TOKEN_LIFETIME_S = 7200;
/** Stable tokens are rotated this long before they expire. */
export const STABLE_ROTATE_S = 300;
export const MESSAGE_WINDOW_S = 48 * 3600;
export const MESSAGE_QUOTA = 5;
export const ENTER_WINDOW_S = 60;
export const ENTER_QUOTA = 2;
export const TYPING_INTERACTION_S = 30;
export const TYPING_LASTS_S = 15;
export const MEDIA_LIFETIME_S = 3 * 24 * 3600;
const SENT_KEPT = 500;

/** The typed view of the `kf` state area (created on first use). */
export function kfState(raw: Record<string, unknown>): KfSimState {
  for (const name of ['apps', 'tokens', 'current', 'users', 'media'] as const) {
    if (typeof raw[name] !== 'object' || raw[name] === null) raw[name] = {};
  }
  if (!Array.isArray(raw.sent)) raw.sent = [];
  return raw as unknown as KfSimState;
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/**
 * Checks an AppID and AppSecret. The demo app has a fixed secret; any other
 * well-formed AppID is registered with the first secret it uses, and must
 * keep using it (so a wrong secret still gives 40125).
 */
export function checkApp(
  state: KfSimState,
  appid: string | undefined,
  secret: string | undefined,
): number {
  if (!appid) return 41002;
  if (!/^wx[0-9a-f]{16}$/.test(appid)) return 40013;
  if (!secret) return 41004;
  const known =
    appid === DEMO_PROFILE.appid
      ? DEMO_PROFILE.app_secret
      : state.apps[appid]?.secret;
  if (known === undefined) {
    state.apps[appid] = { secret };
    return 0;
  }
  return known === secret ? 0 : 40125;
}

function issue(
  state: KfSimState,
  appid: string,
  kind: SimToken['kind'],
  now: number,
): string {
  const token = newId(kind === 'classic' ? 'SIMC_' : 'SIMS_');
  state.tokens[token] = { appid, kind, expires_at: now + TOKEN_LIFETIME_S };
  state.current[appid] = { ...state.current[appid], [kind]: token };
  return token;
}

/** GET /cgi-bin/token: a new token; the previous one dies 300 s later (C13). */
export function issueClassic(
  state: KfSimState,
  appid: string,
  now: number,
): string {
  const previous = state.current[appid]?.classic;
  const old = previous ? state.tokens[previous] : undefined;
  if (old)
    old.dies_at = Math.min(old.dies_at ?? Infinity, now + CLASSIC_GRACE_S);
  return issue(state, appid, 'classic', now);
}

/**
 * POST /cgi-bin/stable_token. Normal mode hands out the same token until 5
 * minutes before it expires; force mode replaces it at most once per 30 s
 * and 20 times a day (45009 beyond), killing the old one at once.
 */
export function issueStable(
  state: KfSimState,
  appid: string,
  force: boolean,
  now: number,
): { token?: string; errcode?: number } {
  const slot = (state.current[appid] ??= {});
  const currentId = slot.stable;
  const current = currentId ? state.tokens[currentId] : undefined;
  const usable =
    current &&
    current.dies_at === undefined &&
    current.expires_at - now > STABLE_ROTATE_S;
  if (!force) {
    return { token: usable ? currentId : issue(state, appid, 'stable', now) };
  }
  const day = new Date(now * 1000).toISOString().slice(0, 10);
  if (slot.force_day !== day) {
    slot.force_day = day;
    slot.forces = 0;
  }
  if ((slot.forces ?? 0) >= 20) return { errcode: 45009 };
  if (
    usable &&
    slot.last_force_at !== undefined &&
    now - slot.last_force_at < 30
  ) {
    return { token: currentId };
  }
  slot.forces = (slot.forces ?? 0) + 1;
  slot.last_force_at = now;
  if (current) current.dies_at = now;
  return { token: issue(state, appid, 'stable', now) };
}

/** The errcode for a call made with `token`, or the app it belongs to. */
export function checkToken(
  state: KfSimState,
  token: string | null,
  now: number,
): { appid?: string; errcode: number } {
  if (!token) return { errcode: 41001 };
  const entry = state.tokens[token];
  if (!entry) return { errcode: 40001 };
  if (entry.dies_at !== undefined && now >= entry.dies_at)
    return { errcode: 40001 };
  if (now >= entry.expires_at) return { errcode: 42001 };
  return { appid: entry.appid, errcode: 0 };
}

export function userKey(appid: string, openid: string): string {
  return `${appid}:${openid}`;
}

/**
 * Records a user action (spec §5.5). Quotas do not add up: a message
 * resets the allowance to 5 for 48 h; entering the session gives 2 for one
 * minute, without shortening an open 48 h window or cutting its allowance.
 */
export function recordUserAction(
  state: KfSimState,
  appid: string,
  openid: string,
  action: 'message' | 'enter',
  at: number,
): SimUser {
  const key = userKey(appid, openid);
  const before = state.users[key];
  const open = before !== undefined && before.window_until > at;
  const user: SimUser =
    action === 'message'
      ? {
          appid,
          last_action_at: at,
          window_until: at + MESSAGE_WINDOW_S,
          quota_left: MESSAGE_QUOTA,
        }
      : {
          appid,
          last_action_at: at,
          window_until: Math.max(
            open ? before.window_until : 0,
            at + ENTER_WINDOW_S,
          ),
          quota_left: Math.max(open ? before.quota_left : 0, ENTER_QUOTA),
        };
  state.users[key] = user;
  return user;
}

/** Finds the user across apps: an openid of another app gives 40003. */
export function findUser(
  state: KfSimState,
  appid: string,
  openid: string,
): { user?: SimUser; errcode: number } {
  if (!/^[A-Za-z0-9_-]{6,64}$/.test(openid)) return { errcode: 40003 };
  const user = state.users[userKey(appid, openid)];
  if (user) return { user, errcode: 0 };
  const elsewhere = Object.keys(state.users).some((key) =>
    key.endsWith(`:${openid}`),
  );
  // Never seen at all: the user never wrote, so the window is closed.
  return { errcode: elsewhere ? 40003 : 45015 };
}

export function recordSent(state: KfSimState, sent: SimSent): void {
  state.sent.push(sent);
  if (state.sent.length > SENT_KEPT)
    state.sent.splice(0, state.sent.length - SENT_KEPT);
}
