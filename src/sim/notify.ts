import { isIP } from 'node:net';
import { deliverNotification as postNotification } from '../core/notify/deliver.js';

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

export async function sendNotification(
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
    const outcome = await attemptOnce(notification, options.attemptTimeoutMs);
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

/**
 * One POST, judged by the same rules as `wxpay notify trigger` (HTTP 200,
 * XML with return_code SUCCESS and a return_msg, an XML content type).
 */
async function attemptOnce(
  notification: OutgoingNotification,
  timeoutMs: number | undefined,
): Promise<AttemptOutcome> {
  try {
    const reply = await postNotification(notification.url, notification.body, {
      timeoutMs,
      headers: { 'User-Agent': 'Mozilla/4.0' },
    });
    const { acknowledged, problems } = reply.acknowledgement;
    return acknowledged
      ? { acknowledged, status: reply.status }
      : { acknowledged, status: reply.status, reason: problems.join(' ') };
  } catch (error) {
    return { acknowledged: false, reason: (error as Error).message };
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
    const delivery = sendNotification(notification, {
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
