import type { Profile } from '../core/profile.js';

/**
 * The built-in `mock` profile: documented demo credentials that only the
 * local simulator accepts. They let a fresh clone run the main job with no
 * merchant account; they are not secrets and sign nothing real.
 */
export const DEMO_PROFILE: Readonly<Profile> = {
  appid: 'wxd0c0ffee00d0c0de',
  mch_id: '1900000109',
  key: 'wxpaydemokeyforthelocalsimulator',
  app_secret: '0123456789abcdef0123456789abcdef',
  sign_type: 'MD5',
  notify_url: 'http://127.0.0.1:9/wxpay/notify',
  token: 'wxpayDemoToken',
  encoding_aes_key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  push_format: 'json',
};

/** The profile name that selects the in-process simulator. */
export const MOCK_PROFILE_NAME = 'mock';

/** base_url value meaning "the simulator, in this process". */
export const IN_PROCESS_BASE_URL = 'mock:';
