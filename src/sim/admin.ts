import { WxPayError } from '../core/errors.js';
import { parseFault, type Fault } from './faults.js';
import type { SimRequest, SimResponse, SimRoute } from './router.js';
import type { Simulator } from './simulator.js';

/**
 * The simulator's own JSON endpoints under /__wxpay/, used by `wxpay mock
 * pay|fault|reset --url` and by merchants' test suites:
 *
 * - `GET  /__wxpay/health`        merchants and state file
 * - `GET  /__wxpay/faults`        faults in force
 * - `POST /__wxpay/faults`        add a fault (or an array of them)
 * - `POST /__wxpay/faults/clear`  remove all faults, or `{"id": "..."}`
 * - `POST /__wxpay/pay`           `{"out_trade_no": "...", "notify": true}`
 * - `POST /__wxpay/reset`         forget everything
 */

function json(value: unknown, status = 200): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: `${JSON.stringify(value)}\n`,
  };
}

function failure(error: unknown): SimResponse {
  if (error instanceof WxPayError) {
    const status =
      error.code === 'ORDER_NOT_FOUND'
        ? 404
        : error.code === 'FAULT_INVALID'
          ? 400
          : 409;
    return json(
      { error: error.message, code: error.code, hint: error.hint },
      status,
    );
  }
  throw error;
}

/** Admin bodies are a few hundred bytes; this is generous. */
const MAX_ADMIN_BODY = 64 * 1024;

class BodyTooLarge extends Error {}

function readJson(request: SimRequest): unknown {
  if (request.body.length > MAX_ADMIN_BODY) throw new BodyTooLarge();
  const text = request.body.toString('utf8').trim();
  return text === '' ? {} : JSON.parse(text);
}

function badJson(error: unknown): SimResponse {
  if (error instanceof BodyTooLarge) {
    return json(
      {
        error: `The body is over ${MAX_ADMIN_BODY} bytes.`,
        code: 'BODY_TOO_LARGE',
      },
      413,
    );
  }
  return json({ error: 'The body is not JSON.', code: 'BAD_JSON' }, 400);
}

export function adminRoutes(sim: Simulator): SimRoute[] {
  return [
    {
      method: 'GET',
      path: '/__wxpay/health',
      handle: () =>
        json({
          ok: true,
          state_file: sim.stateFile ?? null,
          merchants: sim.merchants
            .list()
            .map((m) => ({ mch_id: m.mch_id, appids: m.appids })),
        }),
    },
    {
      method: 'GET',
      path: '/__wxpay/faults',
      handle: async () => json({ faults: await sim.listFaults() }),
    },
    {
      method: 'POST',
      path: '/__wxpay/faults',
      handle: async (request) => {
        let input: unknown;
        try {
          input = readJson(request);
        } catch (error) {
          return badJson(error);
        }
        try {
          const specs = Array.isArray(input) ? input : [input];
          // Check all before adding any, so a bad list adds nothing.
          const parsed: Fault[] = specs.map((spec) => parseFault(spec));
          const added: Fault[] = [];
          for (const fault of parsed) added.push(await sim.addFault(fault));
          return json({ added }, 201);
        } catch (error) {
          return failure(error);
        }
      },
    },
    {
      method: 'POST',
      path: '/__wxpay/faults/clear',
      handle: async (request) => {
        let input: { id?: unknown };
        try {
          input = readJson(request) as { id?: unknown };
        } catch (error) {
          return badJson(error);
        }
        const id = typeof input?.id === 'string' ? input.id : undefined;
        return json({ cleared: await sim.clearFaults(id) });
      },
    },
    {
      method: 'POST',
      path: '/__wxpay/pay',
      handle: async (request) => {
        let input: Record<string, unknown>;
        try {
          input = (readJson(request) ?? {}) as Record<string, unknown>;
        } catch (error) {
          return badJson(error);
        }
        if (typeof input.out_trade_no !== 'string') {
          return json(
            { error: 'Give out_trade_no.', code: 'BAD_REQUEST' },
            400,
          );
        }
        const options = {
          mchId: typeof input.mch_id === 'string' ? input.mch_id : undefined,
          sandbox: input.sandbox === true,
        };
        try {
          const paid =
            input.notify === false
              ? await sim.payOrder(input.out_trade_no, {
                  ...options,
                  notify: false,
                })
              : await sim.payOrderInBackground(input.out_trade_no, options);
          return json(paid);
        } catch (error) {
          return failure(error);
        }
      },
    },
    {
      method: 'POST',
      path: '/__wxpay/reset',
      handle: async () => {
        await sim.reset();
        return json({ reset: true });
      },
    },
  ];
}
