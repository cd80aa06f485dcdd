import type { MerchantRegistry } from '../merchants.js';
import type { OutgoingNotification } from '../notify.js';
import type { SimRequest, SimResponse, SimServices } from '../router.js';
import type { PayCall } from './protocol.js';

/** What the pay endpoints share beyond the route contract. */
export interface PayEnvironment {
  merchants: MerchantRegistry;
  /** Sends a notification in the background, retrying on WeChat's schedule. */
  notifyInBackground(notification: OutgoingNotification): void;
}

export interface PayHandlerInput {
  call: PayCall;
  request: SimRequest;
  services: SimServices;
  env: PayEnvironment;
  /** The state area: `pay`, or `pay-sandbox` for /sandboxnew/ paths. */
  area: string;
  sandbox: boolean;
}

export type PayHandler = (input: PayHandlerInput) => Promise<SimResponse>;
