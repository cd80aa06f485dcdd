import { defaultErrCodeDes, takeErrCodeFault } from '../faults.js';
import { sandboxKey } from '../merchants.js';
import type { SimRequest, SimRoute, SimServices } from '../router.js';
import { downloadBill } from './bill.js';
import type { PayEnvironment, PayHandler } from './context.js';
import { downloadFundflow } from './fundflow.js';
import { closeOrder, orderQuery } from './orderquery.js';
import {
  businessFail,
  protocolFail,
  readPayCall,
  xmlReply,
  type PayCall,
  type ReadCallOptions,
} from './protocol.js';
import { refund } from './refund.js';
import { refundQuery } from './refundquery.js';
import { unifiedOrder } from './unifiedorder.js';

/**
 * The WeChat Pay v2 paths the simulator answers (spec 4.0), each also
 * under the legacy sandbox prefix /sandboxnew/ (spec 4.8), where requests
 * are signed with the sandbox key and records are kept apart.
 */

interface Endpoint {
  path: string;
  /** The sandbox path, when it is not /sandboxnew + path. */
  sandboxPath?: string;
  handler: PayHandler;
  options?: Partial<ReadCallOptions>;
  /** downloadbill answers protocol errors without err_code (spec 4.6). */
  billStyle?: boolean;
}

const ENDPOINTS: readonly Endpoint[] = [
  { path: '/pay/unifiedorder', handler: unifiedOrder },
  { path: '/pay/orderquery', handler: orderQuery },
  { path: '/pay/closeorder', handler: closeOrder },
  // Refunds need the client certificate at WeChat; the sandbox path has no
  // secapi (spec 4.8).
  {
    path: '/secapi/pay/refund',
    sandboxPath: '/sandboxnew/pay/refund',
    handler: refund,
  },
  { path: '/pay/refundquery', handler: refundQuery },
  {
    path: '/pay/downloadbill',
    handler: downloadBill,
    billStyle: true,
    options: { messages: { missing: 'missing parameter', sign: 'SIGN ERROR' } },
  },
  {
    path: '/pay/downloadfundflow',
    handler: downloadFundflow,
    options: { onlySignType: 'HMAC-SHA256' },
  },
];

/** The paths that hand out the sandbox key, legacy and current (spec 4.8). */
export const GETSIGNKEY_PATHS = [
  '/sandboxnew/pay/getsignkey',
  '/xdc/apiv2getsignkey/sign/getsignkey',
];

function endpointRoutes(
  env: PayEnvironment,
  endpoint: Endpoint,
  sandbox: boolean,
): SimRoute[] {
  const path = sandbox
    ? (endpoint.sandboxPath ?? `/sandboxnew${endpoint.path}`)
    : endpoint.path;
  const options: ReadCallOptions = {
    sandbox,
    needsAppid: true,
    ...endpoint.options,
  };
  const handle = async (request: SimRequest, services: SimServices) => {
    const call = readPayCall(request, env.merchants, options);
    if (!('merchant' in call)) return call;
    const fault = await takeErrCodeFault(env.state, request.path);
    if (fault)
      return scriptedError(
        call,
        fault.errCode!,
        fault.errCodeDes,
        endpoint.billStyle,
      );
    return endpoint.handler({
      call,
      request,
      services,
      state: env.state,
      env,
      area: sandbox ? 'pay-sandbox' : 'pay',
      sandbox,
    });
  };
  // A GET reaches the handler too, which answers like WeChat does.
  return [
    { method: 'POST', path, handle },
    { method: 'GET', path, handle },
  ];
}

function scriptedError(
  call: PayCall,
  code: string,
  description: string | undefined,
  billStyle?: boolean,
) {
  const des = description ?? defaultErrCodeDes(code);
  // downloadbill reports failures in return_msg (spec 4.6).
  if (billStyle) return protocolFail(des === code ? code : des);
  return businessFail(call, code, des);
}

function getSignKeyRoutes(env: PayEnvironment): SimRoute[] {
  const handle = async (request: SimRequest) => {
    const call = readPayCall(request, env.merchants, {
      sandbox: false,
      needsAppid: false,
    });
    if (!('merchant' in call)) return call;
    // Not signed: the sandbox key answer carries no sign (spec 3).
    return xmlReply({
      return_code: 'SUCCESS',
      return_msg: 'ok',
      mch_id: call.merchant.mch_id,
      sandbox_signkey: sandboxKey(call.merchant),
    });
  };
  return GETSIGNKEY_PATHS.flatMap((path): SimRoute[] => [
    { method: 'POST', path, handle },
    { method: 'GET', path, handle },
  ]);
}

/** A stand-in for WeChat's H5 pay page (mweb_url points here). */
const mwebPage: SimRoute = {
  method: 'GET',
  path: '/__wxpay/mweb',
  handle: (request) => ({
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `wxpay simulator: H5 payment page for prepay_id ${(request.query.get('prepay_id') ?? '').replace(/[^\w]/g, '')}.\nPay the order with: wxpay mock pay OUT_TRADE_NO\n`,
  }),
};

export function payRoutes(env: PayEnvironment): SimRoute[] {
  return [
    ...ENDPOINTS.flatMap((endpoint) => [
      ...endpointRoutes(env, endpoint, false),
      ...endpointRoutes(env, endpoint, true),
    ]),
    ...getSignKeyRoutes(env),
    mwebPage,
  ];
}
