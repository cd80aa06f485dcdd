import { join } from 'node:path';
import { adminRoutes } from './admin.js';
import {
  addFault,
  clearFaults,
  listFaults,
  type Fault,
  type FaultSpec,
} from './faults.js';
import { kfRoutes } from './kf/routes.js';
import { MerchantRegistry, type SimMerchant } from './merchants.js';
import { mpRoutes } from './mp/jscode2session.js';
import {
  sendNotification,
  DeliveryQueue,
  type DeliveryAttempt,
  type DeliveryOptions,
  type DeliveryResult,
} from './notify.js';
import {
  markPaid,
  type MarkPaidOptions,
  type MarkPaidResult,
} from './payer.js';
import { payRoutes } from './pay/routes.js';
import type { SimRoute, SimServices } from './router.js';
import {
  fileStateStore,
  memoryStateStore,
  type StateStore,
} from './state-store.js';

export interface SimulatorOptions {
  /** Where the state file lives: `<configDir>/mock/state.json`. */
  configDir?: string;
  /** The state file itself (wins over configDir). Neither: in memory. */
  stateFile?: string;
  /** Merchants besides the demo one (same mch_id replaces it). */
  merchants?: readonly SimMerchant[];
  /** Divides the notification retry schedule (default 1: WeChat's pace). */
  speed?: number;
  /** Let notifications go to hosts other than this machine. */
  allowRemoteNotify?: boolean;
  /** The clock (tests). */
  now?: () => Date;
  /** Reports each notification attempt the simulator makes. */
  onNotify?: (attempt: DeliveryAttempt) => void;
  /** Routes answered besides WeChat's, e.g. a test's own. */
  routes?: readonly SimRoute[];
}

/** The state file under a config folder. */
export function stateFileIn(configDir: string): string {
  return join(configDir, 'mock', 'state.json');
}

export interface PayOrderOptions extends MarkPaidOptions {
  /** Send the payment notification (default true). */
  notify?: boolean;
  /** How to deliver it (speed, abort signal, progress). */
  delivery?: DeliveryOptions;
}

export interface PayOrderResult extends MarkPaidResult {
  /** How the notification went; absent with notify: false. */
  delivery?: DeliveryResult;
}

/**
 * The simulator without its HTTP server: its merchants, state, routes and
 * the payer. `wxpay mock pay` and `wxpay mock fault` use it directly on
 * the state file; `startSimulator` puts a server in front of it.
 */
export class Simulator {
  readonly merchants: MerchantRegistry;
  readonly store: StateStore;
  readonly services: SimServices;
  private readonly deliveries: DeliveryQueue;

  constructor(readonly options: SimulatorOptions = {}) {
    this.merchants = new MerchantRegistry(options.merchants);
    const file =
      options.stateFile ??
      (options.configDir ? stateFileIn(options.configDir) : undefined);
    this.store = file ? fileStateStore(file) : memoryStateStore();
    const now = options.now ?? (() => new Date());
    this.services = {
      now,
      withState: (area, update) => this.store.withState(area, update),
    };
    this.deliveries = new DeliveryQueue(this.deliveryOptions());
  }

  get stateFile(): string | undefined {
    return this.store.file;
  }

  private deliveryOptions(extra: DeliveryOptions = {}): DeliveryOptions {
    const onNotify = this.options.onNotify;
    const onAttempt = extra.onAttempt;
    return {
      speed: this.options.speed,
      allowRemote: this.options.allowRemoteNotify,
      ...extra,
      onAttempt: (attempt) => {
        onNotify?.(attempt);
        onAttempt?.(attempt);
      },
    };
  }

  /** Every route: pay, mini-program login, customer service, admin, extra. */
  routes(): SimRoute[] {
    return [
      ...payRoutes({
        merchants: this.merchants,
        state: this.store,
        notifyInBackground: (n) => this.deliveries.send(n),
      }),
      ...mpRoutes(this.merchants, this.store),
      ...kfRoutes,
      ...adminRoutes(this),
      ...(this.options.routes ?? []),
    ];
  }

  /**
   * Plays the payer: marks the order paid and delivers the signed payment
   * notification to its notify_url, retrying on WeChat's schedule (divided
   * by `speed`) until acknowledged. Resolves when acknowledged, given up or
   * aborted; `delivery.acknowledged` tells which.
   */
  async payOrder(
    outTradeNo: string,
    options: PayOrderOptions = {},
  ): Promise<PayOrderResult> {
    const paid = await this.markPaid(outTradeNo, options);
    if (options.notify === false) return paid;
    const delivery = await sendNotification(
      paid.notification,
      this.deliveryOptions(options.delivery),
    );
    return { ...paid, delivery };
  }

  /** Marks paid and sends the notification in the background. */
  async payOrderInBackground(
    outTradeNo: string,
    options: MarkPaidOptions = {},
  ): Promise<MarkPaidResult> {
    const paid = await this.markPaid(outTradeNo, options);
    this.deliveries.send(paid.notification);
    return paid;
  }

  private markPaid(outTradeNo: string, options: MarkPaidOptions) {
    return markPaid(
      this.store,
      this.services.now,
      this.merchants,
      outTradeNo,
      options,
    );
  }

  addFault(spec: FaultSpec): Promise<Fault> {
    return addFault(this.store, spec);
  }

  listFaults(): Promise<Fault[]> {
    return listFaults(this.store);
  }

  /** Removes every fault, or the one with this id. */
  clearFaults(id?: string): Promise<number> {
    return clearFaults(this.store, id);
  }

  /** Forgets every order, refund, used code, token and fault. */
  reset(): Promise<void> {
    return this.store.reset();
  }

  /** Resolves when background notifications have finished. */
  settled(): Promise<void> {
    return this.deliveries.settled();
  }

  /** Stops retrying background notifications (an attempt in flight ends). */
  close(): Promise<void> {
    return this.deliveries.close();
  }
}
