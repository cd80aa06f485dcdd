import { ConfigError, UsageError, WxPayError } from '../../../core/errors.js';
import { generateOutTradeNo } from '../../../core/fields.js';
import { parseFen, yuanToFen } from '../../../core/money.js';
import {
  buildPaymentNotification,
  buildRefundNotification,
  tamperedCopy,
  type CouponInput,
} from '../../../core/notify/build.js';
import {
  deliverNotification,
  parseHandlerUrl,
  type Delivery,
} from '../../../core/notify/deliver.js';
import { readNotification } from '../../../core/notify/notification.js';
import type { NotifyProfile } from '../../../core/notify/types.js';
import { escapeControls } from '../../../core/safe-text.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import {
  notifyProfile,
  parseCount,
  parseTimeout,
  readNotificationBody,
  type ProfileFlags,
} from './shared.js';

export interface TriggerOptions extends ProfileFlags {
  to: string;
  refund?: boolean;
  outTradeNo?: string;
  amount?: string;
  totalFee?: string;
  openid?: string;
  attach?: string;
  transactionId?: string;
  sendSignType?: boolean;
  coupon: string[];
  outRefundNo?: string;
  refundAmount?: string;
  refundFee?: string;
  refundStatus: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
  repeat: string;
  tamper?: boolean;
  fromFile?: string;
  timeout: string;
}

/** A made-up payer for notifications that are not given --openid. */
const TEST_OPENID = 'oWxPayTriggerTestOpenid00000';

interface Send {
  n: number;
  copy: 'genuine' | 'tampered';
  /** What a correct handler does with this copy. */
  expect: 'acknowledged' | 'rejected';
  delivery?: Delivery;
  error?: string;
  ok: boolean;
}

export const triggerRun: RunFn<TriggerOptions> = async (
  ctx,
  _args,
  options,
) => {
  const url = parseHandlerUrl(options.to, '--to');
  const timeoutMs = parseTimeout(options.timeout);
  const repeat = parseCount(options.repeat, '--repeat', 100);
  const prepared = await prepare(ctx, options);
  const plan: Omit<Send, 'ok'>[] = [];
  for (let n = 1; n <= repeat; n += 1) {
    plan.push({ n, copy: 'genuine', expect: prepared.expect });
  }
  if (options.tamper) {
    plan.push({ n: repeat + 1, copy: 'tampered', expect: 'rejected' });
  }
  const sends: Send[] = [];
  for (const item of plan) {
    const body =
      item.copy === 'genuine' ? prepared.body : tamperedCopy(prepared.body);
    const send = await deliver(url, body, timeoutMs, item);
    sends.push(send);
    printSend(ctx, send, prepared.kind);
  }
  const ok = sends.every((send) => send.ok);
  if (ctx.out.json) {
    ctx.out.document(document(url, prepared, sends, ok));
  }
  const failed = sends.filter((send) => !send.ok).length;
  if (ok) {
    ctx.out.success(
      sends.length === 1
        ? 'The expectation held.'
        : `All ${sends.length} expectations held.`,
    );
  } else {
    ctx.out.info(
      ctx.out.errColor.red(
        `✗ ${failed} of ${sends.length} expectations failed.`,
      ),
    );
  }
  return ok ? 0 : 1;
};

async function deliver(
  url: URL,
  body: string | Buffer,
  timeoutMs: number,
  item: Omit<Send, 'ok'>,
): Promise<Send> {
  try {
    const delivery = await deliverNotification(url, body, { timeoutMs });
    const acknowledged = delivery.acknowledgement.acknowledged;
    return {
      ...item,
      delivery,
      ok: acknowledged === (item.expect === 'acknowledged'),
    };
  } catch (error) {
    // A handler that hangs is a failed expectation; one that cannot be
    // reached at all is a transport failure (exit 3).
    if (error instanceof WxPayError && error.code === 'NOTIFY_TIMEOUT') {
      return { ...item, error: error.message, ok: false };
    }
    throw error;
  }
}

interface Prepared {
  kind: 'payment' | 'refund' | 'unknown';
  body: string | Buffer;
  expect: Send['expect'];
  fields: Record<string, string>;
}

async function prepare(
  ctx: Context,
  options: TriggerOptions,
): Promise<Prepared> {
  if (options.fromFile) return replay(ctx, options);
  const profile = await notifyProfile(ctx, options);
  const merchant = {
    key: profile.key,
    appid: required(profile.appid, 'appid', '--appid'),
    mchId: required(profile.mchId, 'mch_id', '--mch-id'),
  };
  const totalFee =
    fenFlag(options.amount, options.totalFee, '--amount', '--total-fee') ?? 1;
  const outTradeNo = options.outTradeNo ?? generateOutTradeNo('T');
  if (options.refund) {
    const built = buildRefundNotification({
      ...merchant,
      outTradeNo,
      transactionId: options.transactionId,
      outRefundNo: options.outRefundNo,
      totalFee,
      refundFee: fenFlag(
        options.refundAmount,
        options.refundFee,
        '--refund-amount',
        '--refund-fee',
      ),
      refundStatus: options.refundStatus,
    });
    return {
      kind: 'refund',
      body: built.body,
      expect: 'acknowledged',
      fields: built.refund,
    };
  }
  const built = buildPaymentNotification({
    ...merchant,
    signType: profile.signType,
    sendSignType: options.sendSignType,
    outTradeNo,
    totalFee,
    openid: options.openid ?? TEST_OPENID,
    attach: options.attach,
    transactionId: options.transactionId,
    coupons: options.coupon.map(parseCoupon),
  });
  return {
    kind: 'payment',
    body: built.body,
    expect: 'acknowledged',
    fields: built.fields,
  };
}

/**
 * A captured body is sent byte for byte. When a key is at hand it is
 * verified first, so a forged capture is expected to be refused.
 */
async function replay(
  ctx: Context,
  options: TriggerOptions,
): Promise<Prepared> {
  const body = await readNotificationBody(
    ctx,
    options.fromFile!,
    '--from-file',
  );
  let profile: NotifyProfile | undefined;
  try {
    profile = await notifyProfile(ctx, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    ctx.out.warn(
      'No API key available: expecting the handler to acknowledge the capture without checking it locally.',
    );
  }
  const notification = readNotification(body, profile ?? { key: 'unverified' });
  const valid = profile ? notification.valid : true;
  if (profile && !valid) {
    ctx.out.warn(
      `The capture does not verify (${escapeControls(notification.message)}); expecting the handler to refuse it.`,
    );
  }
  return {
    kind: notification.kind,
    body,
    expect: valid ? 'acknowledged' : 'rejected',
    fields: notification.fields,
  };
}

/** A missing appid or mch_id is a gap in the configuration (exit 4). */
function required(
  value: string | undefined,
  name: string,
  flag: string,
): string {
  if (value) return value;
  throw new ConfigError(
    'NOTIFY_FIELD_MISSING',
    `No ${name} to put in the notification.`,
    {
      hint: `Pass ${flag}, set it in the profile (wxpay config set ${name}), or use --mock.`,
    },
  );
}

function fenFlag(
  yuan: string | undefined,
  fen: string | undefined,
  yuanFlag: string,
  fenFlagName: string,
): number | undefined {
  if (yuan !== undefined && fen !== undefined) {
    throw new UsageError(
      'AMOUNT_TWICE',
      `Give ${yuanFlag} or ${fenFlagName}, not both.`,
    );
  }
  if (yuan !== undefined) return yuanToFen(yuan);
  if (fen !== undefined) return parseFen(fen, fenFlagName);
  return undefined;
}

function parseCoupon(spec: string): CouponInput {
  const match = /^(\d+)(?::(CASH|NO_CASH))?$/i.exec(spec.trim());
  if (!match) {
    throw new UsageError(
      'COUPON_INVALID',
      `--coupon "${spec}" is not FEN or FEN:TYPE.`,
      {
        hint: 'Write it like --coupon 10 or --coupon 20:NO_CASH (fen, like coupon_fee_$n).',
      },
    );
  }
  return {
    fee: parseFen(match[1], '--coupon'),
    type: match[2]?.toUpperCase() as CouponInput['type'],
  };
}

function outcome(send: Send): string {
  if (send.error) return 'timeout';
  return send.delivery!.acknowledgement.acknowledged
    ? 'acknowledged'
    : 'refused';
}

function printSend(ctx: Context, send: Send, kind: string): void {
  const d = send.delivery;
  const latency = d ? Math.round(d.latencyMs) : undefined;
  const write = (text: string) =>
    ctx.out.json ? ctx.out.info(text) : ctx.out.data(text);
  if (!(ctx.out.json ? ctx.out.stderrIsTTY : ctx.out.stdoutIsTTY)) {
    write(
      [
        send.n,
        kind,
        send.copy,
        d?.status ?? '-',
        latency ?? '-',
        outcome(send),
        send.ok ? 'ok' : 'FAILED',
      ].join('\t'),
    );
  } else {
    const c = ctx.out.json ? ctx.out.errColor : ctx.out.color;
    const mark = send.ok ? c.green('✓') : c.red('✗');
    const what = `#${send.n} ${kind}${send.copy === 'tampered' ? ' (tampered copy)' : ''}`;
    const how = d
      ? `HTTP ${d.status} in ${latency} ms: ${outcome(send)}`
      : 'no reply: timeout';
    write(`${mark} ${what.padEnd(26)} ${how}, expected ${send.expect}`);
  }
  const problems = send.error
    ? [send.error]
    : send.ok && send.expect === 'rejected'
      ? []
      : (d?.acknowledgement.problems ?? []);
  // Problems quote the handler's reply: escaped, so it cannot write to
  // the terminal or add lines of its own.
  for (const problem of problems) {
    ctx.out.info(`    ${escapeControls(problem)}`);
  }
}

function document(url: URL, prepared: Prepared, sends: Send[], ok: boolean) {
  return {
    to: url.href,
    kind: prepared.kind,
    out_trade_no: prepared.fields.out_trade_no,
    transaction_id: prepared.fields.transaction_id,
    out_refund_no: prepared.fields.out_refund_no,
    sends: sends.map((send) => ({
      n: send.n,
      copy: send.copy,
      expected: send.expect,
      http_status: send.delivery?.status,
      content_type: send.delivery?.contentType,
      latency_ms: send.delivery && Math.round(send.delivery.latencyMs),
      acknowledged: send.delivery?.acknowledgement.acknowledged ?? false,
      reply: send.delivery?.body,
      problems: send.delivery?.acknowledgement.problems ?? [],
      error: send.error,
      ok: send.ok,
    })),
    ok,
  };
}
