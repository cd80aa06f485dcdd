import { readRequestBody } from '../core/http-body.js';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { parseXml } from '../core/xml.js';
import { takeFaults } from './faults.js';
import type { SimResponse, SimRoute, SimServices } from './router.js';
import type { StateAccess } from './state-store.js';

/**
 * The simulator's HTTP front: node:http, WeChat's paths, size-capped
 * bodies, injected faults, one log entry per request, and never a crash:
 * whatever a route throws becomes a 500 with a WeChat-style body.
 */

/** The largest body read (customer-service media uploads are up to 10 MB). */
export const DEFAULT_MAX_BODY_BYTES = 12 * 1024 * 1024;

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  /** Time to answer, in milliseconds. */
  ms: number;
  /** What the answer said: SUCCESS, an err_code, return_msg, errcode, … */
  outcome: string;
}

export interface ServerOptions {
  routes: readonly SimRoute[];
  services: SimServices;
  /** Where faults are kept. */
  state: StateAccess;
  maxBodyBytes?: number;
  onRequest?: (entry: RequestLog) => void;
  /** Given each request's whole handling, so a stop can wait for it. */
  track?: (task: Promise<void>) => void;
}

/** Paths under this prefix are the simulator's own, never faulted. */
export const ADMIN_PREFIX = '/__wxpay/';

const NOT_FOUND: SimResponse = {
  status: 404,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[not found]]></return_msg></xml>',
};

const SYSTEM_ERROR: SimResponse = {
  status: 500,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[SYSTEMERROR]]></return_msg></xml>',
};

/**
 * The admin endpoints speak JSON (admin.ts), so their refusals do too:
 * a client of /__wxpay/ reads `{ error, code }`, never WeChat's XML.
 */
function adminError(status: number, code: string, error: string): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: `${JSON.stringify({ error, code })}\n`,
  };
}

/** The refusal for `path`: JSON under /__wxpay/, WeChat's XML elsewhere. */
function refusal(path: string, kind: 'not_found' | 'too_large' | 'error') {
  if (path.startsWith(ADMIN_PREFIX)) {
    if (kind === 'not_found') {
      return adminError(404, 'NOT_FOUND', `No admin endpoint ${path}.`);
    }
    if (kind === 'too_large') {
      return adminError(413, 'BODY_TOO_LARGE', 'The body is too large.');
    }
    return adminError(500, 'INTERNAL_ERROR', 'The simulator failed.');
  }
  if (kind === 'not_found') return NOT_FOUND;
  return kind === 'too_large' ? tooLarge() : SYSTEM_ERROR;
}

export function createSimServer(options: ServerOptions): Server {
  const table = new Map<string, SimRoute>();
  for (const route of options.routes) {
    const key = `${route.method} ${route.path}`;
    // The first route for a path wins, so a later list cannot shadow it.
    if (!table.has(key)) table.set(key, route);
  }
  const server = createServer((req, res) => {
    const task = answer(req, res, table, options);
    if (options.track) options.track(task);
    else void task;
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  table: Map<string, SimRoute>,
  options: ServerOptions,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  let path = '/';
  const log = (status: number, outcome: string) =>
    options.onRequest?.({
      method,
      path,
      status,
      ms: Math.round(performance.now() - started),
      outcome,
    });
  res.on('error', () => undefined);
  try {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    path = url.pathname;
    const route = table.get(`${method} ${path}`);
    if (!route) {
      await drain(req);
      send(res, refusal(path, 'not_found'));
      log(404, 'unknown path');
      return;
    }
    if (!path.startsWith(ADMIN_PREFIX)) {
      const faulted = await applyFaults(req, res, path, options.state);
      if (faulted) {
        log(faulted.status, faulted.outcome);
        return;
      }
    }
    const body = await readRequestBody(
      req,
      options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    );
    if (body === 'aborted') {
      // The client is gone; there is no one to answer.
      req.destroy();
      log(400, 'body incomplete: the client closed the connection');
      return;
    }
    if (body === 'too_large' || body === 'cut') {
      send(res, refusal(path, 'too_large'), true);
      log(413, 'body too large');
      return;
    }
    const response = await route.handle(
      { method, path, query: url.searchParams, headers: req.headers, body },
      options.services,
    );
    send(res, response);
    log(response.status, outcomeOf(response));
  } catch (error) {
    if (!res.headersSent) send(res, refusal(path, 'error'));
    log(500, `internal error: ${(error as Error).message}`);
  }
}

async function applyFaults(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: StateAccess,
): Promise<{ status: number; outcome: string } | undefined> {
  const faults = await takeFaults(state, path, [
    'latency',
    'drop',
    'http_status',
  ]);
  const latency = faults.find((f) => f.kind === 'latency');
  if (latency?.latencyMs) {
    await latencyOrClose(res, latency.latencyMs);
    if (res.destroyed) {
      return {
        status: 0,
        outcome: 'fault: latency cut short, connection closed',
      };
    }
  }
  if (faults.some((f) => f.kind === 'drop')) {
    req.socket.destroy();
    return { status: 0, outcome: 'fault: connection dropped' };
  }
  const http = faults.find((f) => f.kind === 'http_status');
  if (http?.httpStatus) {
    await drain(req);
    send(res, {
      status: http.httpStatus,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `simulated HTTP ${http.httpStatus}\n`,
    });
    return { status: http.httpStatus, outcome: 'fault: HTTP status' };
  }
  return undefined;
}

/**
 * Waits out an injected latency, or less if the connection closes first
 * (the client gave up, or the server is stopping): nobody is left to answer.
 */
function latencyOrClose(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

function tooLarge(): SimResponse {
  return {
    status: 413,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[XML格式错误]]></return_msg></xml>',
  };
}

async function drain(req: IncomingMessage): Promise<void> {
  await readRequestBody(req, 64 * 1024);
}

function send(res: ServerResponse, response: SimResponse, close = false): void {
  if (res.destroyed) return;
  const body =
    typeof response.body === 'string'
      ? Buffer.from(response.body, 'utf8')
      : response.body;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': String(body.length),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** A short description of an answer for the request log. */
export function outcomeOf(response: SimResponse): string {
  const type = response.headers?.['content-type'] ?? '';
  const text = typeof response.body === 'string' ? response.body : undefined;
  if (text === undefined || text.length > 64 * 1024) {
    return `${response.body.length} bytes`;
  }
  if (type.includes('xml')) {
    try {
      const { fields } = parseXml(text);
      if (fields.return_code !== 'SUCCESS')
        return `FAIL ${fields.return_msg ?? ''}`.trim();
      if (fields.result_code === 'FAIL')
        return `FAIL ${fields.err_code ?? ''}`.trim();
      return fields.trade_state ? `SUCCESS ${fields.trade_state}` : 'SUCCESS';
    } catch {
      return 'xml';
    }
  }
  const errcode = /"errcode":\s*(-?\d+)/.exec(text);
  if (errcode) return errcode[1] === '0' ? 'ok' : `errcode ${errcode[1]}`;
  return 'ok';
}
