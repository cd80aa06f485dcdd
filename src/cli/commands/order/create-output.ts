import type { UnifiedOrderResult } from '../../../core/api/unified-order.js';
import type { PreparedRequest } from '../../../core/http/types.js';
import { fenToYuan } from '../../../core/money.js';
import type { Context } from '../../context.js';
import type { PaySession } from '../../pay-session.js';
import { printFields } from './query-output.js';

/** `--dry-run`: the signed XML on stdout, nothing sent. */
export function printDryRun(ctx: Context, request: PreparedRequest): void {
  if (ctx.out.json) {
    ctx.out.document({
      dry_run: true,
      url: request.url,
      sign_type: request.signType,
      params: request.params,
      xml: request.xml,
    });
    return;
  }
  ctx.out.info(
    `Dry run: nothing was sent. It would be POSTed to ${request.url}:`,
  );
  ctx.out.data(request.xml);
}

/** The one document of `order create --json` (WeChat field names). */
export function createdDocument(
  session: PaySession,
  result: UnifiedOrderResult,
  totalFee: number,
): Record<string, unknown> {
  const signType = result.result.request.signType;
  const doc: Record<string, unknown> = {
    out_trade_no: result.out_trade_no,
    prepay_id: result.prepay_id,
    trade_type: result.trade_type,
    total_fee: totalFee,
  };
  if (result.code_url) doc.code_url = result.code_url;
  if (result.mweb_url) doc.mweb_url = result.mweb_url;
  if (result.trade_type === 'JSAPI') {
    doc.request_payment = session.client.requestPayment(result.prepay_id, {
      signType,
    });
  }
  if (result.trade_type === 'APP') {
    doc.app_pay = session.client.appPayment(result.prepay_id, { signType });
  }
  doc.reentry = result.reentry;
  return doc;
}

async function drawQr(ctx: Context, text: string): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  ctx.out.data(await QRCode.toString(text, { type: 'terminal', small: true }));
}

async function printForPeople(
  ctx: Context,
  doc: Record<string, unknown>,
): Promise<void> {
  const c = ctx.out.color;
  const rows: [string, string][] = [
    ['out_trade_no', String(doc.out_trade_no)],
    ['prepay_id', String(doc.prepay_id)],
    ['trade_type', String(doc.trade_type)],
    [
      'total_fee',
      `${doc.total_fee} fen (${fenToYuan(doc.total_fee as number)} yuan)`,
    ],
  ];
  for (const name of ['code_url', 'mweb_url']) {
    if (doc[name]) rows.push([name, String(doc[name])]);
  }
  printFields(ctx, rows);
  if (doc.request_payment) {
    ctx.out.data(
      `\n${c.bold('wx.requestPayment parameters')} (paste into the mini program):`,
    );
    ctx.out.data(JSON.stringify(doc.request_payment, null, 2));
  }
  if (doc.app_pay) {
    ctx.out.data(`\n${c.bold('APP pay parameters')} (PayReq):`);
    ctx.out.data(JSON.stringify(doc.app_pay, null, 2));
  }
  if (doc.code_url) await drawQr(ctx, String(doc.code_url));
}

/** Piped: one `name<TAB>value` line each; objects as one-line JSON. */
function printForScripts(ctx: Context, doc: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(doc)) {
    if (name === 'reentry') continue;
    const text =
      typeof value === 'object' ? JSON.stringify(value) : String(value);
    ctx.out.data(`${name}\t${text}`);
  }
}

export async function printCreated(
  ctx: Context,
  session: PaySession,
  result: UnifiedOrderResult,
  totalFee: number,
): Promise<void> {
  const doc = createdDocument(session, result, totalFee);
  if (result.reentry) {
    ctx.out.info(
      `out_trade_no ${result.out_trade_no} was created before with the same parameters; WeChat answers with the same order.`,
    );
  }
  if (result.keptTimeWindow) {
    ctx.out.warn(
      'Kept the original time_expire: WeChat only takes it from the first request.',
    );
  }
  if (ctx.out.json) ctx.out.document(doc);
  else if (ctx.out.stdoutIsTTY) await printForPeople(ctx, doc);
  else printForScripts(ctx, doc);
  ctx.out.success(
    `${result.trade_type} order ${result.out_trade_no} created on ${session.target} for ${fenToYuan(totalFee)} yuan.`,
  );
  if (result.mweb_url)
    ctx.out.info(
      "The mweb_url works for 5 minutes, in the payer's mobile browser.",
    );
}
