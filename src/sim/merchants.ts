import { createHash } from 'node:crypto';
import { DEMO_PROFILE } from './demo.js';

/** A merchant the simulator knows: the keys it verifies and signs with. */
export interface SimMerchant {
  /** The mini program / app ids bound to this mch_id. */
  appids: string[];
  mch_id: string;
  /** The v2 API key (API密钥). */
  key: string;
  /**
   * AppSecret per appid, checked by jscode2session. An appid without one
   * accepts any secret.
   */
  appSecrets?: Record<string, string>;
}

/** The built-in demo merchant (src/sim/demo.ts), always present. */
export function demoMerchant(): SimMerchant {
  return {
    appids: [DEMO_PROFILE.appid!],
    mch_id: DEMO_PROFILE.mch_id!,
    key: DEMO_PROFILE.key!,
    appSecrets: { [DEMO_PROFILE.appid!]: DEMO_PROFILE.app_secret! },
  };
}

/**
 * The sandbox key of a merchant (spec 4.8): what getsignkey hands out and
 * what /sandboxnew/ requests must be signed with. Derived from the real key,
 * so it is stable across runs and differs from it.
 */
export function sandboxKey(merchant: SimMerchant): string {
  return createHash('md5')
    .update(`wxpay-sandbox:${merchant.mch_id}:${merchant.key}`, 'utf8')
    .digest('hex');
}

/**
 * The merchants of one simulator. The demo merchant comes first; a merchant
 * added with the same mch_id replaces it entirely (appids, key, secrets).
 */
export class MerchantRegistry {
  private readonly byMchId = new Map<string, SimMerchant>();

  constructor(extra: readonly SimMerchant[] = []) {
    this.add(demoMerchant());
    for (const merchant of extra) this.add(merchant);
  }

  add(merchant: SimMerchant): void {
    this.byMchId.set(merchant.mch_id, {
      appids: [...merchant.appids],
      mch_id: merchant.mch_id,
      key: merchant.key,
      appSecrets: { ...merchant.appSecrets },
    });
  }

  byMch(mchId: string): SimMerchant | undefined {
    return this.byMchId.get(mchId);
  }

  /** The merchant an appid is bound to (the latest one added wins). */
  byAppid(appid: string): SimMerchant | undefined {
    let found: SimMerchant | undefined;
    for (const merchant of this.byMchId.values()) {
      if (merchant.appids.includes(appid)) found = merchant;
    }
    return found;
  }

  list(): SimMerchant[] {
    return [...this.byMchId.values()];
  }
}
