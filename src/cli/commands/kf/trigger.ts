import { randomInt } from 'node:crypto';
import { UsageError, WxPayError } from '../../../core/errors.js';
import {
  MAX_HANDLER_ANSWER_BYTES,
  WECHAT_WAIT_MS,
} from '../../../core/kf/handler-call.js';
import {
  judgeForgedPush,
  judgeForgedVerification,
  judgeIncompleteAnswer,
  judgePushAnswer,
  judgeVerification,
  type HandlerAnswer,
  type Judgement,
} from '../../../core/kf/judge.js';
import { kfSignature } from '../../../core/kf/signature.js';
import {
  buildTriggerPush,
  randomMsgId,
  sampleMessage,
  type TriggerKind,
} from '../../../core/kf/trigger.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { exitCodeFor } from '../../exit-codes.js';
import { callHandler, handlerUrl, unreachableError } from './forward.js';
import { openMp } from './mp.js';
import { printVerdict, type Reached } from './trigger-print.js';
import {
  isLoopback,
  loadKfSetup,
  mpBaseUrl,
  requireAesKey,
  requireAppid,
  requireToken,
  type KfOptions,
  type KfSetup,
} from './setup.js';

export interface TriggerOptions extends KfOptions {
  to?: string;
  type?: string;
  content?: string;
  openid?: string;
  sessionFrom?: string;
  toUserName?: string;
  plain?: boolean;
  forged?: boolean;
}

const TYPES = ['text', 'image', 'miniprogrampage', 'enter', 'verify'] as const;
const SAMPLE_OPENID = 'oWxPayTriggerSampleUser00001';

/**
 * `wxpay kf trigger --to URL`: plays WeChat against your push handler.
 * Exit 0 only for an answer WeChat accepts, 1 for a wrong, late, partial or
 * oversized one, 3 when the handler cannot be reached. With --json, stdout
 * is one document whatever happens, errors included.
 */
export const triggerRun: RunFn<TriggerOptions> = async (
  ctx,
  _args,
  options,
) => {
  try {
    return await trigger(ctx, options);
  } catch (error) {
    if (ctx.out.json) ctx.out.document(errorDocument(error));
    throw error;
  }
};

async function trigger(ctx: Context, options: TriggerOptions): Promise<number> {
  if (!options.to) {
    throw new UsageError(
      'KF_TO_MISSING',
      'Missing --to URL (your push handler).',
    );
  }
  const target = handlerUrl(options.to, '--to');
  const type = (options.type ?? 'text') as (typeof TYPES)[number];
  if (!TYPES.includes(type)) {
    throw new UsageError(
      'KF_TRIGGER_TYPE',
      `--type is one of ${TYPES.join(', ')}.`,
    );
  }
  const setup = await loadKfSetup(ctx, options);
  const token = requireToken(setup);
  // A forged request is signed with a Token the handler cannot know.
  const signingToken = options.forged ? `${token}-forged` : token;
  const timestamp = String(Math.floor(ctx.now().getTime() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  if (type === 'verify') {
    const echostr = randomMsgId();
    const query = new URLSearchParams({
      signature: kfSignature(signingToken, timestamp, nonce),
      timestamp,
      nonce,
      echostr,
    }).toString();
    const outcome = await reach(ctx, target, { method: 'GET', query });
    const judged = judge(outcome, (answer) =>
      options.forged
        ? judgeForgedVerification(echostr, answer)
        : judgeVerification(echostr, answer),
    );
    return printVerdict(ctx, judged, outcome, { method: 'GET', query });
  }
  const appid = requireAppid(setup);
  const safe = !options.plain && setup.aesKey !== undefined;
  const format = setup.pushFormat ?? 'xml';
  const message = sampleMessage({
    kind: type as TriggerKind,
    openid: options.openid ?? SAMPLE_OPENID,
    toUserName: options.toUserName ?? 'gh_000000000000',
    createTime: timestamp,
    content: options.content,
    sessionFrom: options.sessionFrom,
    appid,
  });
  const push = buildTriggerPush(message, {
    format,
    safe,
    token: signingToken,
    aesKey: safe ? requireAesKey(setup) : undefined,
    appid,
    timestamp,
    nonce,
  });
  const query = new URLSearchParams(push.query).toString();
  const outcome = await reach(ctx, target, {
    method: 'POST',
    query,
    body: push.body,
    contentType: push.contentType,
  });
  const judged = judge(outcome, (answer) =>
    options.forged
      ? judgeForgedPush(answer)
      : judgePushAnswer(
          answer,
          { message, format, safe },
          { token, aesKey: setup.aesKey, appid },
        ),
  );
  if (judged.ok && !options.forged) {
    await recordInSimulator(
      ctx,
      setup,
      message.FromUserName ?? '',
      type === 'enter' ? 'enter' : 'message',
    );
  }
  ctx.out.debug(`mode ${safe ? 'safe' : 'plaintext'}, format ${format}`);
  return printVerdict(ctx, judged, outcome, {
    method: 'POST',
    query,
    body: push.body,
    message,
  });
}

/** Calls the handler; one that cannot be reached is exit 3, not a verdict. */
async function reach(
  ctx: Context,
  target: URL,
  request: Parameters<typeof callHandler>[2],
): Promise<Reached> {
  const outcome = await callHandler(ctx, target, request);
  if (outcome.kind === 'unreachable')
    throw unreachableError(target, outcome.code);
  return outcome;
}

/**
 * Only a complete answer is judged by its content; a late, partial or
 * oversized one is a wrong answer whatever it holds.
 */
function judge(
  outcome: Reached,
  byContent: (answer: HandlerAnswer) => Judgement,
): Judgement {
  if (outcome.kind === 'answered') return byContent(outcome);
  return judgeIncompleteAnswer(outcome, {
    waitMs: WECHAT_WAIT_MS,
    maxAnswerBytes: MAX_HANDLER_ANSWER_BYTES,
  });
}

/**
 * The --json document of a run that ended in an error: the fields of a
 * verdict, and `error` as every command's error document has it.
 */
function errorDocument(error: unknown) {
  const known = error instanceof WxPayError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    verdict: known?.code === 'KF_HANDLER_UNREACHABLE' ? 'unreachable' : 'error',
    status: null,
    answer: null,
    problems: [message],
    notes: [],
    error: {
      code: known?.code ?? 'UNEXPECTED',
      message,
      hint: known?.hint ?? null,
      exit_code: exitCodeFor(error),
    },
  };
}

/**
 * In the simulator, the triggered message opens the reply window, as a real
 * user message would, so `kf send` works right after. Only ever the
 * in-process or a loopback simulator: never WeChat.
 */
async function recordInSimulator(
  ctx: Context,
  setup: KfSetup,
  openid: string,
  action: 'message' | 'enter',
): Promise<void> {
  const base = mpBaseUrl(setup);
  if (base !== 'mock:' && !isLoopback(base)) return;
  try {
    const mp = await openMp(ctx, setup);
    const answer = await mp.http({
      method: 'POST',
      url: `${base.replace(/\/+$/, '')}/__wxpay/kf/user-action`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appid: setup.appid, openid, action }),
    });
    if (answer.status === 200) {
      ctx.out.info(
        `Simulator: ${openid} ${action === 'message' ? 'sent a message (5 replies within 48 h)' : 'entered the session (2 replies within 1 min)'}.`,
      );
    }
  } catch (error) {
    ctx.out.debug(`Simulator not updated: ${(error as Error).message}`);
  }
}
