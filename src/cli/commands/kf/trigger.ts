import { randomInt } from 'node:crypto';
import { UsageError } from '../../../core/errors.js';
import { kfSignature } from '../../../core/kf/signature.js';
import {
  buildTriggerPush,
  judgePushAnswer,
  judgeVerification,
  randomMsgId,
  sampleMessage,
  type Judgement,
  type TriggerKind,
} from '../../../core/kf/trigger.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { callHandler, handlerUrl, type HandlerReply } from './forward.js';
import { openMp } from './mp.js';
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

/** `wxpay kf trigger --to URL`: plays WeChat against your push handler. */
export const triggerRun: RunFn<TriggerOptions> = async (
  ctx,
  _args,
  options,
) => {
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
    const reply = await callHandler(ctx, target, { method: 'GET', query });
    const judged = options.forged
      ? judgeForgedGet(reply, echostr)
      : judgeVerification(echostr, reply);
    return print(ctx, judged, reply, { method: 'GET', query });
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
  const reply = await callHandler(ctx, target, {
    method: 'POST',
    query,
    body: push.body,
    contentType: push.contentType,
  });
  const judged = reply.timedOut
    ? timedOut()
    : options.forged
      ? judgeForgedPost(reply)
      : judgePushAnswer(
          reply,
          { message, format, safe },
          { token, aesKey: setup.aesKey, appid },
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
  return print(ctx, judged, reply, {
    method: 'POST',
    query,
    body: push.body,
    message,
  });
};

function timedOut(): Judgement {
  return {
    ok: false,
    verdict: 'wrong',
    problems: [
      'did not answer within 5 s: WeChat gives up, shows "该小程序客服暂时无法提供服务" and retries (a response written but never ended looks the same).',
    ],
    notes: [],
  };
}

function judgeForgedGet(reply: HandlerReply, echostr: string): Judgement {
  const echoed = reply.body.includes(echostr);
  return {
    ok: !echoed && !reply.timedOut,
    verdict: echoed ? 'wrong' : 'rejected',
    problems: echoed
      ? [
          'echoed the echostr of a request signed with the wrong Token: check signature before answering.',
        ]
      : reply.timedOut
        ? timedOut().problems
        : [],
    notes: [],
  };
}

function judgeForgedPost(reply: HandlerReply): Judgement {
  const accepted = reply.status >= 200 && reply.status < 300;
  return {
    ok: !accepted,
    verdict: accepted ? 'wrong' : 'rejected',
    problems: accepted
      ? [
          `answered HTTP ${reply.status} to a push signed with the wrong Token: verify signature / msg_signature before trusting a push.`,
        ]
      : [],
    notes: [],
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

function print(
  ctx: Context,
  judged: Judgement,
  reply: HandlerReply,
  request: {
    method: string;
    query: string;
    body?: string;
    message?: Record<string, string>;
  },
): number {
  if (ctx.out.json) {
    ctx.out.document({
      ok: judged.ok,
      verdict: judged.verdict,
      status: reply.timedOut ? null : reply.status,
      elapsed_ms: reply.elapsedMs,
      answer: reply.body,
      problems: judged.problems,
      notes: judged.notes,
      request,
    });
    return judged.ok ? 0 : 1;
  }
  const what = {
    ack: 'acknowledged with success',
    transfer: 'transferred to the customer-service tool',
    echo: 'answered the echostr exactly',
    rejected: 'refused the forged request',
    wrong: 'did not answer as WeChat expects',
  }[judged.verdict];
  if (ctx.out.stdoutIsTTY) {
    const mark = judged.ok ? ctx.out.color.green('✓') : ctx.out.color.red('✗');
    ctx.out.data(
      `${mark} ${request.method} ${what}${reply.timedOut ? '' : ` (HTTP ${reply.status}, ${reply.elapsedMs} ms)`}`,
    );
  } else {
    ctx.out.data(
      [
        judged.ok ? 'ok' : 'fail',
        judged.verdict,
        reply.timedOut ? 'timeout' : reply.status,
        `${reply.elapsedMs}ms`,
      ].join('\t'),
    );
  }
  for (const problem of judged.problems)
    ctx.out.info(`  - Your handler ${problem}`);
  for (const note of judged.notes)
    ctx.out.info(ctx.out.errColor.dim(`  note: ${note}`));
  return judged.ok ? 0 : 1;
}
