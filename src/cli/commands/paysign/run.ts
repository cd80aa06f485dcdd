import { ConfigError, InputError } from '../../../core/errors.js';
import { appPayParams, jsapiPayParams } from '../../../core/paysign.js';
import { parseSignType } from '../../../core/sign.js';
import type { RunFn } from '../../command-kit.js';
import { ask } from '../../prompt.js';

export interface PaysignOptions {
  prepayId?: string;
  type?: 'jsapi' | 'app';
  signType?: string;
  timestamp?: string;
  nonceStr?: string;
  keyFile?: string;
}

const PREPAY_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkInputs(prepayId: string, options: PaysignOptions): void {
  if (!PREPAY_ID.test(prepayId)) {
    throw new InputError(
      'PREPAY_ID_INVALID',
      `"${prepayId}" is not a prepay_id.`,
      {
        hint: 'Pass the prepay_id from unifiedorder (e.g. wx2017033010242291fcfe0db70013231072), without "prepay_id=".',
      },
    );
  }
  if (options.timestamp !== undefined && !/^\d{10}$/.test(options.timestamp)) {
    throw new InputError(
      'TIMESTAMP_INVALID',
      '--timestamp must be 10 digits of epoch seconds.',
    );
  }
  if (
    options.nonceStr !== undefined &&
    !/^[A-Za-z0-9]{1,32}$/.test(options.nonceStr)
  ) {
    throw new InputError(
      'NONCE_INVALID',
      '--nonce-str must be 1 to 32 letters and digits.',
    );
  }
}

/**
 * Rebuilds the client pay parameters for an existing prepay_id (spec 2.5):
 * no call to WeChat, just the second signature with the merchant key.
 */
export const paysignRun: RunFn<PaysignOptions> = async (
  ctx,
  _args,
  options,
) => {
  const prepayId =
    options.prepayId ??
    (await ask(ctx, {
      flag: '--prepay-id',
      message: 'prepay_id from unifiedorder',
    }));
  checkInputs(prepayId, options);
  const { profile, name } = await ctx.profile();
  const key = await ctx.apiKey(options.keyFile);
  const signType = options.signType
    ? parseSignType(options.signType)
    : (profile.sign_type ?? 'MD5');
  if (!profile.appid || (options.type === 'app' && !profile.mch_id)) {
    throw new ConfigError(
      'PROFILE_INCOMPLETE',
      `Profile "${name}" needs appid${options.type === 'app' ? ' and mch_id' : ''}.`,
      {
        hint: 'Run `wxpay config init`, or add --mock.',
      },
    );
  }
  const params =
    options.type === 'app'
      ? appPayParams({
          appid: profile.appid,
          mchId: profile.mch_id!,
          prepayId,
          key,
          signType,
          timestamp: options.timestamp,
          noncestr: options.nonceStr,
        })
      : jsapiPayParams({
          appid: profile.appid,
          prepayId,
          key,
          signType,
          timeStamp: options.timestamp,
          nonceStr: options.nonceStr,
        });
  if (ctx.out.json) ctx.out.document(params);
  else ctx.out.data(JSON.stringify(params, null, ctx.out.stdoutIsTTY ? 2 : 0));
  if (options.type !== 'app') {
    ctx.out.info(
      `Pass these to wx.requestPayment; appId ${profile.appid} is signed but not passed. signType must match the order's.`,
    );
  }
};
