import {
  closeWhenAnswered,
  type GracefulStop,
  type OnStopWait,
} from '../http-stop.js';
import { readRequestBody } from '../http-body.js';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError, WxPayError } from '../errors.js';
import { deliverNotification } from './deliver.js';
import { notificationId, readNotification } from './notification.js';
import {
  NOTIFY_REPLY_CONTENT_TYPE,
  notifyReply,
  notifyReplyFor,
  type ReplyCode,
} from './reply.js';
import {
  NOTIFY_MAX_BYTES,
  type Notification,
  type NotificationKind,
  type NotifyProfile,
} from './types.js';

/**
 * A development notify_url: verifies what it receives, flags duplicates,
 * answers like a correct handler, and can relay the exact body to the
 * merchant's own handler to judge its reply. Used by `wxpay notify listen`.
 */

export interface ForwardOutcome {
  /** The handler answered as it should: acknowledged a valid notification, refused an invalid one. */
  ok: boolean;
  acknowledged: boolean;
  status?: number;
  latencyMs?: number;
  problems: string[];
  /** Timeout or connection failure. */
  error?: string;
  /** Its code: NOTIFY_TIMEOUT, NOTIFY_UNREACHABLE, NOTIFY_ABANDONED. */
  errorCode?: string;
}

export interface ReceivedNotification {
  seq: number;
  time: Date;
  kind: NotificationKind | 'unreadable';
  valid: boolean;
  duplicate: boolean;
  /** A NotificationReason, or the InputError code of an unreadable body. */
  reason: string;
  message: string;
  outTradeNo?: string;
  outRefundNo?: string;
  transactionId?: string;
  /** total_fee of a payment, refund_fee of a refund, in fen. */
  amount?: number;
  /** `none` when the connection was gone before a reply could be sent. */
  reply: ReplyCode | 'none';
  /** 0 when no reply was sent. */
  httpStatus: number;
  forward?: ForwardOutcome;
}

export interface ReceiverStats {
  received: number;
  valid: number;
  /** Includes the unreadable ones. */
  invalid: number;
  unreadable: number;
  duplicates: number;
  forwardedOk: number;
  forwardedFailed: number;
}

export interface ReceiverOptions {
  profile: NotifyProfile;
  forwardTo?: URL;
  forwardTimeoutMs?: number;
  onNotification(record: ReceivedNotification): void;
  now?: () => Date;
  /** How long a stop waits for work in flight (default 10 s). */
  stopGraceMs?: number;
}

/** A body is drained (not kept) up to this size before the socket is cut. */
const DRAIN_LIMIT = 8 * 1024 * 1024;

export class NotifyReceiver {
  readonly stats: ReceiverStats = {
    received: 0,
    valid: 0,
    invalid: 0,
    unreadable: 0,
    duplicates: 0,
    forwardedOk: 0,
    forwardedFailed: 0,
  };
  private readonly server: Server;
  private readonly seen = new Set<string>();
  private readonly stopper: GracefulStop;
  private readonly abandon = new AbortController();
  private readonly maxBytes: number;

  constructor(private readonly options: ReceiverOptions) {
    this.maxBytes = options.profile.maxBytes ?? NOTIFY_MAX_BYTES;
    this.server = createServer((req, res) => {
      this.stopper.track(
        this.handle(req, res).catch(() => {
          if (!res.headersSent) send(res, 500, notifyReply('FAIL', 'ERROR'));
        }),
      );
    });
    this.server.requestTimeout = 30_000;
    // Forwards still running when the stop's grace ends are abandoned, so
    // the log never claims a reply that the cut connection did not carry.
    this.stopper = closeWhenAnswered(this.server, {
      graceMs: options.stopGraceMs,
      onCut: () => this.abandon.abort(),
    });
  }

  /** Starts listening; resolves with the URL to use as notify_url. */
  listen(port: number, host: string): Promise<URL> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        const shown = address.family === 'IPv6' ? `[${host}]` : host;
        resolve(new URL(`http://${shown}:${address.port}/`));
      });
    });
  }

  /** Stops accepting, lets requests in flight finish, then closes. */
  async close(onWait?: OnStopWait): Promise<void> {
    await this.stopper.stop(onWait);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'POST');
      send(res, 405, notifyReply('FAIL', 'METHOD'));
      return;
    }
    const time = this.options.now?.() ?? new Date();
    const read = await readRequestBody(req, this.maxBytes, DRAIN_LIMIT);
    const seq = ++this.stats.received;
    if (read === 'aborted') {
      res.on('finish', () => req.destroy());
      const error = new InputError(
        'BODY_INCOMPLETE',
        'The sender closed the connection before the whole body arrived.',
      );
      this.finishUnreadable(res, seq, time, error, 400);
      return;
    }
    if (read === 'too_large' || read === 'cut') {
      // Past the drain limit the client is still sending: answer, then cut.
      if (read === 'cut') res.on('finish', () => req.destroy());
      const error = new InputError(
        'XML_TOO_LARGE',
        `Refused a body over ${this.maxBytes} bytes; real notifications are a few KB.`,
      );
      this.finishUnreadable(res, seq, time, error, 413);
      return;
    }
    let notification: Notification;
    try {
      notification = readNotification(read, this.options.profile);
    } catch (error) {
      if (!(error instanceof WxPayError)) throw error;
      this.finishUnreadable(res, seq, time, error, 400);
      return;
    }
    const id = notificationId(notification);
    const duplicate = id !== undefined && this.seen.has(id);
    if (id !== undefined) this.seen.add(id);
    const forward = this.options.forwardTo
      ? await this.forward(read, notification.valid)
      : undefined;
    const acknowledge =
      notification.valid && (forward === undefined || forward.acknowledged);
    const body = acknowledge
      ? notifyReply('SUCCESS')
      : notification.valid
        ? notifyReply('FAIL', 'HANDLER')
        : notifyReplyFor(notification);
    // A stop that ran out of time cut the connection: nothing was sent.
    const sent = !res.destroyed && res.socket?.destroyed === false;
    if (sent) send(res, 200, body);
    this.count(notification.valid, duplicate, forward);
    this.options.onNotification({
      ...summarize(notification),
      seq,
      time,
      duplicate,
      reply: sent ? (acknowledge ? 'SUCCESS' : 'FAIL') : 'none',
      httpStatus: sent ? 200 : 0,
      forward,
    });
  }

  private finishUnreadable(
    res: ServerResponse,
    seq: number,
    time: Date,
    error: WxPayError,
    status: number,
  ) {
    send(res, status, notifyReply('FAIL', 'INVALID_XML'));
    this.stats.invalid += 1;
    this.stats.unreadable += 1;
    this.options.onNotification({
      seq,
      time,
      kind: 'unreadable',
      valid: false,
      duplicate: false,
      reason: error.code,
      message: error.message,
      reply: 'FAIL',
      httpStatus: status,
    });
  }

  private count(valid: boolean, duplicate: boolean, forward?: ForwardOutcome) {
    if (valid) this.stats.valid += 1;
    else this.stats.invalid += 1;
    if (duplicate) this.stats.duplicates += 1;
    if (forward?.ok) this.stats.forwardedOk += 1;
    else if (forward) this.stats.forwardedFailed += 1;
  }

  private async forward(body: Buffer, valid: boolean): Promise<ForwardOutcome> {
    try {
      const delivery = await deliverNotification(
        this.options.forwardTo!,
        body,
        {
          timeoutMs: this.options.forwardTimeoutMs,
          signal: this.abandon.signal,
        },
      );
      const { acknowledged, problems } = delivery.acknowledgement;
      return {
        ok: acknowledged === valid,
        acknowledged,
        status: delivery.status,
        latencyMs: delivery.latencyMs,
        problems: valid || acknowledged ? problems : [],
      };
    } catch (error) {
      if (!(error instanceof WxPayError)) throw error;
      return {
        ok: false,
        acknowledged: false,
        problems: [],
        error: error.message,
        errorCode: error.code,
      };
    }
  }
}

function summarize(notification: Notification) {
  const base = {
    kind: notification.kind,
    valid: notification.valid,
    reason: notification.reason as string,
    message: notification.message,
  };
  if (notification.kind === 'payment') {
    return {
      ...base,
      outTradeNo: notification.outTradeNo,
      transactionId: notification.transactionId,
      amount: notification.totalFee,
    };
  }
  if (notification.kind === 'refund') {
    return {
      ...base,
      outTradeNo: notification.outTradeNo,
      outRefundNo: notification.outRefundNo,
      transactionId: notification.transactionId,
      amount: notification.refundFee,
    };
  }
  return base;
}

function send(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, {
    'Content-Type': NOTIFY_REPLY_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
