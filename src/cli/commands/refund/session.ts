import {
  hasCertificate,
  loadClientCertificate,
} from '../../../core/cert/index.js';
import type { PayClient } from '../../../core/http/client.js';
import type { Context } from '../../context.js';
import { withPaySession } from '../../pay-session.js';

export interface PaySession {
  profileName: string;
  mchId: string;
  mock: boolean;
}

/**
 * Runs `fn` with the pay client of the active profile (the simulator with
 * --mock). With `cert`, a real merchant must have a certificate configured:
 * the session loads and checks one when present (legacy p12 included), and
 * this refuses to go on without one, before any prompt or request, even
 * against a plain-HTTP test host where TLS would not ask for it. `timeout`
 * is the `--timeout` flag, read like the order commands read it.
 */
export async function withPay<T>(
  ctx: Context,
  options: { cert?: boolean; timeout?: string },
  fn: (client: PayClient, session: PaySession) => Promise<T>,
): Promise<T> {
  const { cert, timeout } = options;
  return withPaySession(ctx, { cert, timeout }, async (session) => {
    const { resolved, profile, client } = session;
    if (options.cert && !resolved.mock && !hasCertificate(profile)) {
      // Throws CERT_MISSING with the hint on how to configure one.
      await loadClientCertificate(profile);
    }
    return fn(client, {
      profileName: resolved.name,
      mchId: client.mchId,
      mock: resolved.mock,
    });
  });
}
