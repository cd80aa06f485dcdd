import { WxPayError } from '../errors.js';
import type { HandlerOutcome } from './handler-call.js';
import { parsePushBody, type KfMessage, type PushFormat } from './message.js';
import { openReply } from './push.js';

/**
 * Judges a push handler's answer by what WeChat accepts (spec §3, §4.1).
 * Every problem and note is a whole sentence, printable on its own.
 */
export interface HandlerAnswer {
  status: number;
  contentType?: string;
  body: string;
}

export interface Judgement {
  ok: boolean;
  /** What the answer means to WeChat. */
  verdict: 'ack' | 'transfer' | 'echo' | 'rejected' | 'wrong';
  problems: string[];
  notes: string[];
}

const RETRIED =
  'WeChat shows "该小程序客服暂时无法提供服务" and retries the push';

function wrong(problem: string): Judgement {
  return { ok: false, verdict: 'wrong', problems: [problem], notes: [] };
}

/**
 * Any outcome other than a complete answer: WeChat got nothing it can use.
 * An unreachable handler is not judged here: it is a transport failure.
 */
export function judgeIncompleteAnswer(
  outcome: Exclude<HandlerOutcome, { kind: 'answered' | 'unreachable' }>,
  limits: { waitMs: number; maxAnswerBytes: number },
): Judgement {
  switch (outcome.kind) {
    case 'timeout':
      return wrong(
        `No answer within ${limits.waitMs / 1000} s, so WeChat gave up: ${RETRIED}, and a URL verification fails. A response that is written but never ended looks the same.`,
      );
    case 'too-large':
      return wrong(
        `The answer is too large: more than ${limits.maxAnswerBytes} bytes came back, so reading stopped there. WeChat expects success, an empty body or a short reply.`,
      );
    case 'closed':
      return wrong(
        `Your handler closed the connection without a complete answer (${outcome.status ? `HTTP ${outcome.status}, ` : ''}${outcome.bytesRead} bytes of the body received). WeChat treats that as no answer: ${RETRIED}.`,
      );
  }
}

/** Judges the answer to a URL verification (case C01). */
export function judgeVerification(
  echostr: string,
  answer: HandlerAnswer,
): Judgement {
  const problems: string[] = [];
  const notes: string[] = [];
  if (answer.status !== 200)
    problems.push(
      `Your handler answered HTTP ${answer.status}; WeChat needs 200.`,
    );
  if (answer.body !== echostr) {
    problems.push(describeWrongEcho(echostr, answer.body));
  }
  if (answer.contentType && !/^text\/plain/i.test(answer.contentType)) {
    notes.push(
      `The Content-Type is ${answer.contentType}; text/plain is what WeChat's samples send.`,
    );
  }
  const ok = problems.length === 0;
  return { ok, verdict: ok ? 'echo' : 'wrong', problems, notes };
}

function describeWrongEcho(echostr: string, body: string): string {
  if (body === `${echostr}\n` || body === `${echostr}\r\n`) {
    return 'The echostr is followed by a newline; answer it byte for byte.';
  }
  if (body === JSON.stringify(echostr))
    return 'The echostr is quoted (res.json?); answer the bare text.';
  if (body.includes(echostr))
    return `The echostr is wrapped (${truncate(body)}); answer the bare text.`;
  if (/^\d+$/.test(echostr) && body === String(Number(echostr))) {
    return `The echostr went through a number: ${body} came back instead of ${echostr}; keep it a string.`;
  }
  if (body === '') return 'The answer is empty; the body must be the echostr.';
  return `Your handler answered ${truncate(body)} instead of the echostr ${echostr}.`;
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** A request signed with a wrong Token must not be echoed (spec §2). */
export function judgeForgedVerification(
  echostr: string,
  answer: HandlerAnswer,
): Judgement {
  return answer.body.includes(echostr)
    ? wrong(
        'Your handler echoed the echostr of a request signed with the wrong Token; check the signature before answering.',
      )
    : { ok: true, verdict: 'rejected', problems: [], notes: [] };
}

/** A push signed with a wrong Token must not be accepted (spec §3). */
export function judgeForgedPush(answer: HandlerAnswer): Judgement {
  return answer.status >= 200 && answer.status < 300
    ? wrong(
        `Your handler answered HTTP ${answer.status} to a push signed with the wrong Token; verify signature / msg_signature before trusting a push.`,
      )
    : { ok: true, verdict: 'rejected', problems: [], notes: [] };
}

/**
 * Judges the answer to a push (spec §4.1): `success` or an empty body
 * acknowledges; transfer_customer_service hands over to the kf tool and, in
 * safe mode, must come encrypted with a valid MsgSignature.
 */
export function judgePushAnswer(
  answer: HandlerAnswer,
  push: { message: KfMessage; format: PushFormat; safe: boolean },
  secrets: { token: string; aesKey?: Buffer; appid: string },
): Judgement {
  const problems: string[] = [];
  const notes: string[] = [];
  if (answer.status !== 200) {
    return wrong(
      `Your handler answered HTTP ${answer.status}; WeChat needs 200. ${RETRIED}.`,
    );
  }
  if (answer.body === 'success' || answer.body === '') {
    return { ok: true, verdict: 'ack', problems, notes };
  }
  if (answer.body.trim() === 'success' || answer.body === '"success"') {
    return wrong(
      `Your handler answered ${truncate(answer.body)}; the body must be exactly success.`,
    );
  }
  const reply = readReply(answer.body, push.safe, secrets, problems);
  if (!reply) return { ok: false, verdict: 'wrong', problems, notes };
  if (reply.message.MsgType !== 'transfer_customer_service') {
    notes.push(
      'Mini programs document no passive replies other than success and transfer_customer_service (spec §4.1).',
    );
    problems.push(
      `Your handler replied MsgType=${reply.message.MsgType ?? '(none)'}; reply success and send through the customer-service API instead.`,
    );
  }
  if (reply.format !== push.format) {
    problems.push(
      `Your handler replied in ${reply.format.toUpperCase()} to a ${push.format.toUpperCase()} push; a JSON push needs a JSON reply.`,
    );
  }
  if (
    reply.message.ToUserName !== push.message.FromUserName ||
    reply.message.FromUserName !== push.message.ToUserName
  ) {
    problems.push(
      "ToUserName/FromUserName are not swapped relative to the push (ToUserName must be the user's openid).",
    );
  }
  if (push.message.MsgType === 'event') {
    problems.push(
      'A transfer_customer_service reply is for user messages, not events (spec §7).',
    );
  }
  return { ok: problems.length === 0, verdict: 'transfer', problems, notes };
}

function readReply(
  body: string,
  safe: boolean,
  secrets: { token: string; aesKey?: Buffer; appid: string },
  problems: string[],
): { format: PushFormat; message: KfMessage } | undefined {
  try {
    const plain = parsePushBody(body);
    if (plain.fields.Encrypt === undefined) {
      if (safe)
        problems.push(
          'The reply is not encrypted; in safe mode every reply except success must be.',
        );
      return plain.fields.MsgType
        ? { format: plain.format, message: plain.fields }
        : undefined;
    }
    if (!secrets.aesKey) {
      problems.push(
        'The reply is encrypted, but no EncodingAESKey is configured to check it.',
      );
      return undefined;
    }
    return openReply(body, {
      token: secrets.token,
      aesKey: secrets.aesKey,
      appid: secrets.appid,
    });
  } catch (error) {
    problems.push(
      error instanceof WxPayError && error.code !== 'KF_BODY_FORMAT'
        ? `The reply is unusable: ${error.message}`
        : `Your handler answered ${truncate(body)}, which WeChat does not understand; answer success.`,
    );
    return undefined;
  }
}
