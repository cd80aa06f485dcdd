import type { AddressInfo } from 'node:net';
import { closeWhenAnswered, type OnStopWait } from '../core/http-stop.js';
import { createSimServer, type RequestLog } from './server.js';
import {
  Simulator,
  type PayOrderOptions,
  type PayOrderResult,
  type SimulatorOptions,
} from './simulator.js';
import type { Fault, FaultSpec } from './faults.js';

/**
 * The local WeChat Pay simulator: WeChat's v2 pay paths, the mini-program
 * login and the customer-service API on 127.0.0.1, with documented demo
 * credentials, for the CLI's `--mock` mode and for merchants' own
 * integration tests.
 *
 * ```ts
 * const sim = await startSimulator({ port: 0 });
 * // point your backend's WeChat Pay base URL at sim.url
 * await sim.payOrder('ORDER123', { delivery: { speed: 1000 } });
 * await sim.close();
 * ```
 */

export interface StartSimulatorOptions extends SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Called once per request answered. */
  onRequest?: (entry: RequestLog) => void;
  /** The largest request body read, in bytes. */
  maxBodyBytes?: number;
}

export interface RunningSimulator {
  /** The base URL, e.g. `http://127.0.0.1:49152` (no trailing slash). */
  url: string;
  host: string;
  port: number;
  /** The state file, or undefined when state is kept in memory. */
  stateFile?: string;
  simulator: Simulator;
  payOrder(
    outTradeNo: string,
    options?: PayOrderOptions,
  ): Promise<PayOrderResult>;
  addFault(spec: FaultSpec): Promise<Fault>;
  clearFaults(id?: string): Promise<number>;
  reset(): Promise<void>;
  /** Resolves when background notifications have finished. */
  settled(): Promise<void>;
  /** Stops the server once started answers are sent, then the retries. */
  close(onWait?: OnStopWait): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSimulator(
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const simulator = new Simulator(options);
  const server = createSimServer({
    routes: simulator.routes(),
    services: simulator.services,
    state: simulator.store,
    maxBodyBytes: options.maxBodyBytes,
    onRequest: options.onRequest,
    track: (task) => stopper.track(task),
  });
  const stopper = closeWhenAnswered(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    host,
    port,
    stateFile: simulator.stateFile,
    simulator,
    payOrder: (outTradeNo, payOptions) =>
      simulator.payOrder(outTradeNo, payOptions),
    addFault: (spec) => simulator.addFault(spec),
    clearFaults: (id) => simulator.clearFaults(id),
    reset: () => simulator.reset(),
    settled: () => simulator.settled(),
    close(onWait) {
      closing ??= (async () => {
        // Answers already started are delivered, then the retries stop.
        await stopper.stop(onWait);
        await simulator.close();
      })();
      return closing;
    },
  };
}

export { Simulator, stateFileIn } from './simulator.js';
export type {
  PayOrderOptions,
  PayOrderResult,
  SimulatorOptions,
} from './simulator.js';
export type { RequestLog } from './server.js';
export type { Fault, FaultSpec } from './faults.js';
export { parseFault } from './faults.js';
export { demoMerchant, sandboxKey, type SimMerchant } from './merchants.js';
export {
  sendNotification,
  isLoopbackHost,
  WECHAT_RETRY_SCHEDULE_MS,
  type DeliveryAttempt,
  type DeliveryOptions,
  type DeliveryResult,
  type OutgoingNotification,
} from './notify.js';
export type { MarkPaidOptions, PaidOrder } from './payer.js';
export { simulatedOpenid } from './mp/jscode2session.js';
export {
  fileStateStore,
  memoryStateStore,
  type StateStore,
} from './state-store.js';
export type {
  SimRoute,
  SimRequest,
  SimResponse,
  SimServices,
} from './router.js';
export { DEMO_PROFILE } from './demo.js';
