/**
 * The simulator's routing contract. Each area of the simulator (pay, kf)
 * exports a list of routes; the server in this folder composes them, so one
 * `wxpay mock serve` answers every WeChat path on one port.
 */

export interface SimRequest {
  method: string;
  /** The path without the query string, e.g. `/pay/unifiedorder`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (already size-capped by the server). */
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** Shared services a route may use; the server provides them. */
export interface SimServices {
  /** The current time (injectable for tests). */
  now(): Date;
  /**
   * Reads and updates persisted simulator state atomically: the callback
   * gets the section for `area` (created as `{}`), may change it in place,
   * and the server writes the file once it returns, under a lock that is
   * safe across processes.
   */
  withState<T>(
    area: string,
    update: (state: Record<string, unknown>) => T | Promise<T>,
  ): Promise<T>;
}

export interface SimRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(
    request: SimRequest,
    services: SimServices,
  ): SimResponse | Promise<SimResponse>;
}
