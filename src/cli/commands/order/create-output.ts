import type { UnifiedOrderResult } from '../../../core/api/unified-order.js';
import type { PreparedRequest } from '../../../core/http/types.js';
import { fenToYuan } from '../../../core/money.js';
import { escapeControls } from '../../../core/safe-text.js';
import { amounts, yuanOf } from '../../amounts.js';
import type { Context } from '../../context.js';
import type { PaySession } from '../../pay-session.js';
import { printFields } from './query-output.js';

/**
 * `--dry-run`: the signed XML on stdout, nothing sent. The embedded
 * simulator's port is picked afresh by every command and closed when it
 * ends, so it is described (`mock:` and the path) rather than shown.
 */
export function printDryRun(
  ctx: Context,
  request: PreparedRequest,
  session: Pick<PaySession, 'embedded'>,
): void {
  const url = session.embedded ? `mock:${request.path}` : request.url;
  if (ctx.out.json) {
    ctx.out.document({
      dry_run: true,
      url,
      sign_type: request.signType,
      params: request.params,
      xml: request.xml,
    });
    return;
  }
  const where = session.embedded
    ? `the embedded simulator (${request.path})`
    : request.url;
  ctx.out.info(`Dry run: nothing was sent. It would be POSTed to ${where}:`);
  ctx.out.data(request.xml);
}

/**
 * The one document of `order create --json` (WeChat field names). As in
 * every `--json` document, WeChat's amount fields are strings of fen, like
 * the XML carries them; `amounts` has them as numbers of fen and in yuan.
 */
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
    total_fee: String(totalFee),
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
  doc.amounts = amounts({ total_fee: String(totalFee) });
  doc.reentry = result.reentry;
  return doc;
}

async function drawQr(ctx: Context, text: string): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  // The terminal renderer paints with ANSI colours (black on white, readable
  // on any theme); with colour off (NO_COLOR, --no-color) only plain block
  // characters are drawn, which show inverted on a dark background.
  const colour = ctx.out.color.level > 0;
  ctx.out.data(
    await QRCode.toString(
      text,
      colour ? { type: 'terminal', small: true } : { type: 'utf8' },
    ),
  );
}

async function printForPeople(
  ctx: Context,
  doc: Record<string, unknown>,
): Promise<void> {
  const c = ctx.out.color;
  const rows: [string, string][] = [
    ['out_trade_no', text(doc.out_trade_no)],
    ['prepay_id', text(doc.prepay_id)],
    ['trade_type', text(doc.trade_type)],
    [
      'total_fee',
      `${text(doc.total_fee)} fen (${fenToYuan(Number(doc.total_fee))} yuan)`,
    ],
  ];
  for (const name of ['code_url', 'mweb_url']) {
    if (doc[name]) rows.push([name, text(doc[name])]);
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

/** A value from the answer, with control characters escaped. */
function text(value: unknown): string {
  return escapeControls(String(value));
}

/**
 * Piped: one `name<TAB>value` line each, objects as one-line JSON, and an
 * amount's yuan as a third column (`total_fee<TAB>1<TAB>0.01`).
 */
function printForScripts(ctx: Context, doc: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(doc)) {
    if (name === 'reentry' || name === 'amounts') continue;
    if (typeof value === 'object') {
      ctx.out.data(`${name}\t${oneLineJson(value)}`);
      continue;
    }
    const shown = String(value);
    const yuan = yuanOf(name, shown);
    const cells = yuan ? [name, shown, yuan] : [name, shown];
    ctx.out.data(cells.map(escapeControls).join('\t'));
  }
}

/**
 * JSON on one line that stays valid JSON and safe to print: JSON.stringify
 * escapes C0 controls but not DEL, C1 or the line separators.
 */
function oneLineJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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
  if (result.mweb_url && session.embedded) {
    ctx.out.warn(
      'This mweb_url points at the embedded simulator, which stopped with this command: it no longer answers. For a live mweb_url, run `wxpay mock serve` and point the mock profile at it (`wxpay config set base_url URL --profile mock`).',
    );
  } else if (result.mweb_url) {
    ctx.out.info(
      "The mweb_url works for 5 minutes, in the payer's mobile browser.",
    );
  }
}
