import type { MerchantRegistry } from '../merchants.js';
import type { OutgoingNotification } from '../notify.js';
import type { SimRequest, SimResponse, SimServices } from '../router.js';
import type { StateAccess } from '../state-store.js';
import type { PayCall } from './protocol.js';

/** What the pay endpoints share beyond the route contract. */
export interface PayEnvironment {
  merchants: MerchantRegistry;
  state: StateAccess;
  /** Sends a notification in the background, retrying on WeChat's schedule. */
  notifyInBackground(notification: OutgoingNotification): void;
}

export interface PayHandlerInput {
  call: PayCall;
  request: SimRequest;
  services: SimServices;
  /** The simulator state, read without a lock or updated under it. */
  state: StateAccess;
  env: PayEnvironment;
  /** The state area: `pay`, or `pay-sandbox` for /sandboxnew/ paths. */
  area: string;
  sandbox: boolean;
}

export type PayHandler = (input: PayHandlerInput) => Promise<SimResponse>;
