import type { MpHttp } from '../../core/kf/http.js';
import type { SimRoute, SimServices } from '../router.js';

/**
 * The simulator without a socket: an MpHttp that hands each request straight
 * to the matching route. `--mock` uses it so no port is opened; the answers
 * are the same bytes a served simulator would send.
 */
export function inProcessHttp(
  routes: readonly SimRoute[],
  services: SimServices,
): MpHttp {
  return async (request) => {
    const url = new URL(request.url, 'http://simulator.invalid');
    const route = routes.find(
      (r) => r.method === request.method && r.path === url.pathname,
    );
    if (!route) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(
          `the simulator has no ${request.method} ${url.pathname}`,
        ),
      };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    const answer = await route.handle(
      {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: Buffer.from(request.body ?? ''),
      },
      services,
    );
    return {
      status: answer.status,
      headers: answer.headers ?? {},
      body: Buffer.from(answer.body),
    };
  };
}
