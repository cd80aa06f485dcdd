import { randomBytes } from 'node:crypto';
import { InputError } from '../core/errors.js';
import type { StateAccess } from './state-store.js';

/**
 * Fault injection for merchants' own tests: make the simulator slow, answer
 * scripted error codes, drop connections or fail with HTTP 5xx, so retry
 * and failover code can be exercised on purpose.
 *
 * Faults live in the shared state (area `faults`), so `wxpay mock fault`
 * run in another terminal reaches a running `wxpay mock serve`, and faults
 * set for the embedded simulator survive until the next command uses them.
 */

/** What to do to matching requests. Exactly one effect per fault. */
export interface FaultSpec {
  /**
   * The request path it applies to: exact (`/pay/unifiedorder`), a prefix
   * ending in `*` (`/pay/*`), or `*` for every path (the default).
   */
  path?: string;
  /** How many matching requests it affects; unlimited when omitted. */
  count?: number;
  /** Added delay before answering, in milliseconds. */
  latencyMs?: number;
  /**
   * A scripted error: the err_code of a pay endpoint (`SYSTEMERROR`,
   * `BIZERR_NEED_RETRY`, ...) or the numeric errcode of a mini-program
   * endpoint (`-1`, `45011`). The request is verified first and then
   * answered with this error, signed, without taking effect.
   */
  errCode?: string;
  /** The err_code_des / errmsg to send with errCode. */
  errCodeDes?: string;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Answer with this HTTP status (500-599) and no WeChat body. */
  httpStatus?: number;
}

export type FaultKind = 'latency' | 'err_code' | 'drop' | 'http_status';

export interface Fault {
  id: string;
  kind: FaultKind;
  path: string;
  /** Requests it still affects; null means unlimited. */
  remaining: number | null;
  latencyMs?: number;
  errCode?: string;
  errCodeDes?: string;
  httpStatus?: number;
}

const KNOWN_KEYS = new Set([
  'path',
  'count',
  'latencyMs',
  'errCode',
  'errCodeDes',
  'drop',
  'httpStatus',
]);

function bad(message: string): InputError {
  return new InputError('FAULT_INVALID', message, {
    hint: 'Give one of latencyMs, errCode, drop or httpStatus, plus optional path and count.',
  });
}

/** Checks a fault description (from JSON or flags) and normalises it. */
export function parseFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw bad('A fault is a JSON object.');
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!KNOWN_KEYS.has(key)) throw bad(`Unknown fault field "${key}".`);
  }
  const path = spec.path === undefined ? '*' : spec.path;
  if (typeof path !== 'string' || !/^(\*|\/[\x21-\x7e]*)$/.test(path)) {
    throw bad(`path must be "*" or start with "/".`);
  }
  const count = spec.count;
  if (
    count !== undefined &&
    (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1)
  ) {
    throw bad('count must be a whole number of at least 1.');
  }
  const fault: Fault = {
    id: randomBytes(4).toString('hex'),
    kind: kindOf(spec),
    path,
    remaining: count === undefined ? null : (count as number),
  };
  fillEffect(fault, spec);
  return fault;
}

function kindOf(spec: Record<string, unknown>): FaultKind {
  const kinds: FaultKind[] = [];
  if (spec.latencyMs !== undefined) kinds.push('latency');
  if (spec.errCode !== undefined) kinds.push('err_code');
  if (spec.drop !== undefined && spec.drop !== false) kinds.push('drop');
  if (spec.httpStatus !== undefined) kinds.push('http_status');
  if (kinds.length !== 1) {
    throw bad(
      kinds.length === 0
        ? 'The fault has no effect.'
        : `One effect per fault, got ${kinds.join(' and ')}.`,
    );
  }
  return kinds[0];
}

function fillEffect(fault: Fault, spec: Record<string, unknown>): void {
  if (fault.kind === 'latency') {
    const ms = spec.latencyMs;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) {
      throw bad('latencyMs must be a whole number of milliseconds.');
    }
    if (ms > 600_000) throw bad('latencyMs is at most 600000 (10 minutes).');
    fault.latencyMs = ms;
  } else if (fault.kind === 'err_code') {
    const code = spec.errCode;
    if (
      typeof code !== 'string' ||
      !/^(-?\d{1,9}|[A-Z][A-Z0-9_]{1,63})$/.test(code)
    ) {
      throw bad(
        'errCode is an upper-case err_code such as SYSTEMERROR, or a numeric errcode such as -1.',
      );
    }
    fault.errCode = code;
    if (spec.errCodeDes !== undefined) {
      if (typeof spec.errCodeDes !== 'string' || spec.errCodeDes.length > 128) {
        throw bad('errCodeDes is text of at most 128 characters.');
      }
      fault.errCodeDes = spec.errCodeDes;
    }
  } else if (fault.kind === 'drop') {
    if (spec.drop !== true) throw bad('drop is true or absent.');
  } else {
    const status = spec.httpStatus;
    if (
      typeof status !== 'number' ||
      !Number.isInteger(status) ||
      status < 500 ||
      status > 599
    ) {
      throw bad('httpStatus must be 500 to 599.');
    }
    fault.httpStatus = status;
  }
}

function matches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

function faultList(state: Record<string, unknown>): Fault[] {
  return Array.isArray(state.rules) ? (state.rules as Fault[]) : [];
}

function pick(rules: Fault[], path: string, kind: FaultKind) {
  return rules.find((f) => f.kind === kind && matches(f.path, path));
}

/**
 * Takes the faults of the given kinds that match a path, counting one use
 * of each; used-up faults are removed. The oldest matching fault of each
 * kind applies. With no fault set, this is a read: no lock, no write.
 */
export async function takeFaults(
  state: StateAccess,
  path: string,
  kinds: readonly FaultKind[],
): Promise<Fault[]> {
  const any = await state.read('faults', (faults) =>
    kinds.some((kind) => pick(faultList(faults), path, kind)),
  );
  if (!any) return [];
  return state.update('faults', (faults) => {
    const rules = faultList(faults);
    const taken: Fault[] = [];
    for (const kind of kinds) {
      const fault = pick(rules, path, kind);
      if (!fault) continue;
      taken.push({ ...fault });
      if (fault.remaining !== null) fault.remaining -= 1;
    }
    faults.rules = rules.filter((f) => f.remaining === null || f.remaining > 0);
    return taken;
  });
}

/** The scripted err_code for a request, if one is set for its path. */
export async function takeErrCodeFault(
  state: StateAccess,
  path: string,
): Promise<Fault | undefined> {
  const [fault] = await takeFaults(state, path, ['err_code']);
  return fault;
}

export async function addFault(
  state: StateAccess,
  spec: FaultSpec | Fault,
): Promise<Fault> {
  const fault = 'kind' in spec ? spec : parseFault(spec);
  await state.update('faults', (faults) => {
    faults.rules = [...faultList(faults), fault];
  });
  return fault;
}

export async function listFaults(state: StateAccess): Promise<Fault[]> {
  return state.read('faults', (faults) =>
    faultList(faults).map((f) => ({ ...f })),
  );
}

/** Removes every fault, or the one with this id; returns how many went. */
export async function clearFaults(
  state: StateAccess,
  id?: string,
): Promise<number> {
  return state.update('faults', (faults) => {
    const rules = faultList(faults);
    const kept = id === undefined ? [] : rules.filter((f) => f.id !== id);
    faults.rules = kept;
    return rules.length - kept.length;
  });
}

/** Default err_code_des for scripted pay errors, as WeChat words them. */
export function defaultErrCodeDes(code: string): string {
  const texts: Record<string, string> = {
    SYSTEMERROR: '系统超时',
    BIZERR_NEED_RETRY: '退款业务流程错误，需要商户触发重试来解决',
    NOTENOUGH: '余额不足',
    FREQUENCY_LIMITED: '频率限制',
    ORDER_NOT_READY: '订单处理中，暂时无法退款，请稍后再试',
    NOAUTH: '商户无此接口权限',
    USER_ACCOUNT_ABNORMAL: '退款请求失败',
    INVALID_REQ_TOO_MUCH: '无效请求过多',
  };
  return texts[code] ?? code;
}
