import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { parseXml } from '../core/xml.js';

/**
 * Delivering notifications the way WeChat does (spec 6 and 7): POST the XML
 * to notify_url, and retry on WeChat's schedule until the merchant answers
 * with a valid acknowledgement.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The waits between attempts, current docs: 15s/15s/30s/3m/10m/20m/30m/
 * 30m/30m/60m/3h/3h/3h/6h/6h, 24h4m in all (spec 6). One first attempt plus
 * these 15 retries.
 */
export const WECHAT_RETRY_SCHEDULE_MS: readonly number[] = [
  15 * SECOND,
  15 * SECOND,
  30 * SECOND,
  3 * MINUTE,
  10 * MINUTE,
  20 * MINUTE,
  30 * MINUTE,
  30 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
  3 * HOUR,
  3 * HOUR,
  3 * HOUR,
  6 * HOUR,
  6 * HOUR,
];

export interface OutgoingNotification {
  kind: 'payment' | 'refund';
  url: string;
  /** The XML body, already signed (payment) or encrypted (refund). */
  body: string;
  /** out_trade_no or out_refund_no, for reports. */
  ref: string;
}

export interface DeliveryAttempt {
  kind: OutgoingNotification['kind'];
  ref: string;
  url: string;
  /** 1 for the first try. */
  attempt: number;
  /** How many attempts the schedule allows. */
  of: number;
  acknowledged: boolean;
  /** HTTP status of the merchant's reply, when there was one. */
  status?: number;
  /** Why the attempt did not count as acknowledged. */
  reason?: string;
  /** Wait before the next attempt (already divided by the speed factor). */
  nextInMs?: number;
}

export interface DeliveryOptions {
  /** Divides every wait of the schedule (60 turns 15 s into 0.25 s). */
  speed?: number;
  /** How long one attempt may take; default 5 s (spec 6, UNCONFIRMED for v2). */
  attemptTimeoutMs?: number;
  /** Stops waiting for the next retry. */
  signal?: AbortSignal;
  /**
   * Deliver to hosts other than this machine. Off by default: a simulator
   * must not post to a real merchant's server by accident.
   */
  allowRemote?: boolean;
  onAttempt?: (attempt: DeliveryAttempt) => void;
  schedule?: readonly number[];
}

export interface DeliveryResult {
  acknowledged: boolean;
  attempts: number;
  /** Stopped early: aborted, or the URL may not be used. */
  stopped?: 'aborted' | 'refused';
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (host === '::1') return true;
  return /^::ffff:127\./.test(host);
}

/**
 * A merchant's reply acknowledges a notification when it is HTTP 200 with
 * an XML body whose return_code is SUCCESS (spec 6). Pages, plain
 * "success" and 201 replies are retried, as WeChat retries them (B27).
 */
export function isAcknowledgement(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const { root, fields } = parseXml(body, { maxBytes: 64 * 1024 });
    return root === 'xml' && fields.return_code === 'SUCCESS';
  } catch {
    return false;
  }
}

export async function deliverNotification(
  notification: OutgoingNotification,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const schedule = options.schedule ?? WECHAT_RETRY_SCHEDULE_MS;
  const speed = options.speed && options.speed > 0 ? options.speed : 1;
  const of = schedule.length + 1;
  const base = { kind: notification.kind, ref: notification.ref };
  const refusal = urlRefusal(notification.url, options.allowRemote === true);
  if (refusal) {
    options.onAttempt?.({
      ...base,
      url: notification.url,
      attempt: 1,
      of,
      acknowledged: false,
      reason: refusal,
    });
    return { acknowledged: false, attempts: 0, stopped: 'refused' };
  }
  for (let attempt = 1; attempt <= of; attempt += 1) {
    if (options.signal?.aborted) {
      return { acknowledged: false, attempts: attempt - 1, stopped: 'aborted' };
    }
    const outcome = await postOnce(notification, options.attemptTimeoutMs);
    const nextInMs =
      outcome.acknowledged || attempt === of
        ? undefined
        : schedule[attempt - 1] / speed;
    options.onAttempt?.({
      ...base,
      url: notification.url,
      attempt,
      of,
      ...outcome,
      nextInMs,
    });
    if (outcome.acknowledged) return { acknowledged: true, attempts: attempt };
    if (nextInMs === undefined) break;
    if (!(await sleep(nextInMs, options.signal))) {
      return { acknowledged: false, attempts: attempt, stopped: 'aborted' };
    }
  }
  return { acknowledged: false, attempts: of };
}

function urlRefusal(raw: string, allowRemote: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `notify_url "${raw}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `notify_url must be http or https, not ${url.protocol}`;
  }
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    return `not sent: ${url.hostname} is not this machine (allow it with --allow-remote-notify)`;
  }
  return undefined;
}

interface AttemptOutcome {
  acknowledged: boolean;
  status?: number;
  reason?: string;
}

const MAX_REPLY_BYTES = 64 * 1024;

function postOnce(
  notification: OutgoingNotification,
  timeoutMs = 5000,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const url = new URL(notification.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = Buffer.from(notification.body, 'utf8');
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          'content-length': String(body.length),
          'user-agent': 'Mozilla/4.0',
        },
      },
      (res) => readReply(res, finish),
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({
        acknowledged: false,
        reason: `no reply within ${timeoutMs} ms`,
      });
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        acknowledged: false,
        reason: `connection failed: ${error.code ?? error.message}`,
      }),
    );
    req.end(body);
  });
}

function readReply(
  res: IncomingMessage,
  finish: (outcome: AttemptOutcome) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const status = res.statusCode ?? 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) {
      res.destroy();
      finish({ acknowledged: false, status, reason: 'reply too large' });
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', () =>
    finish({ acknowledged: false, status, reason: 'reply cut off' }),
  );
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    if (isAcknowledgement(status, text)) {
      finish({ acknowledged: true, status });
      return;
    }
    finish({ acknowledged: false, status, reason: replyProblem(status, text) });
  });
}

function replyProblem(status: number, text: string): string {
  if (status !== 200) return `HTTP ${status} (WeChat needs 200)`;
  const preview = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  try {
    const { fields } = parseXml(text, { maxBytes: MAX_REPLY_BYTES });
    return `return_code=${fields.return_code ?? '(none)'}${fields.return_msg ? ` return_msg=${fields.return_msg}` : ''}`;
  } catch {
    return `reply is not WeChat's XML acknowledgement: "${preview}"`;
  }
}

/** Waits; resolves false when aborted first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Background deliveries of one simulator (refund notifications from its
 * HTTP endpoints). Closing stops the waits between retries but lets an
 * attempt in flight finish, so a command that ends right after a refund
 * still sends the first notification.
 */
export class DeliveryQueue {
  private readonly pending = new Set<Promise<DeliveryResult>>();
  private readonly controller = new AbortController();

  constructor(private readonly options: DeliveryOptions) {}

  send(notification: OutgoingNotification): void {
    if (this.controller.signal.aborted) return;
    const delivery = deliverNotification(notification, {
      ...this.options,
      signal: this.controller.signal,
    }).catch((): DeliveryResult => ({ acknowledged: false, attempts: 0 }));
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Resolves when every delivery has finished (acknowledged or given up). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.settled();
  }
}
