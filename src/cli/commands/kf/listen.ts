import { readRequestBody } from '../../../core/http-body.js';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../../core/errors.js';
import { MAX_PUSH_BYTES } from '../../../core/kf/message.js';
import {
  createKfReceiver,
  type KfReceiverAnswer,
  type KfReceiverEvent,
} from '../../../core/kf/receiver.js';
import { sendPayload, textMessage } from '../../../core/kf/send.js';
import type { RunFn } from '../../command-kit.js';
import { plural } from '../../output.js';
import type { Context } from '../../context.js';
import { onInterrupt, stopWaitNotice } from '../../interrupt.js';
import { closeWhenAnswered } from '../../../core/http-stop.js';
import { forwardPush, handlerUrl } from './forward.js';
import { openMp, type MpSession } from './mp.js';
import { printable, printPushLine, pushRecord } from './print.js';
import { loadKfSetup, requireToken, type KfOptions } from './setup.js';

export interface ListenOptions extends KfOptions {
  port?: string;
  host?: string;
  forwardTo?: string;
  autoReply?: string;
  transfer?: boolean;
  appSecretFile?: string;
}

interface Counts {
  requests: number;
  messages: number;
  retries: number;
  verifications: number;
  rejected: number;
  malformed: number;
  /** Methods other than GET and POST (405), not counted as malformed. */
  other_method: number;
  forwarded: number;
  forward_failed: number;
  /** Forwards whose handler answered something WeChat would not accept. */
  forward_bad_answers: number;
  auto_replies: number;
  auto_reply_failed: number;
}

function parsePort(value: string | undefined): number {
  const port = Number(value ?? '8765');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError('KF_PORT', `--port must be 0..65535, not "${value}".`);
  }
  return port;
}

const EMPTY = Buffer.alloc(0);

function send(response: ServerResponse, answer: KfReceiverAnswer): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
  });
  response.end(answer.body);
}

/** `wxpay kf listen`: a development push receiver. */
export const listenRun: RunFn<ListenOptions> = async (ctx, _args, options) => {
  const port = parsePort(options.port);
  if (options.forwardTo) handlerUrl(options.forwardTo, '--forward-to');
  const setup = await loadKfSetup(ctx, options);
  const token = requireToken(setup);
  const receiver = createKfReceiver({
    token,
    aesKey: setup.aesKey,
    appid: setup.appid,
    transfer: options.transfer,
    now: () => ctx.now().getTime(),
  });
  const mp = options.autoReply ? await openMp(ctx, setup, options) : undefined;
  const counts: Counts = {
    requests: 0,
    messages: 0,
    retries: 0,
    verifications: 0,
    rejected: 0,
    malformed: 0,
    other_method: 0,
    forwarded: 0,
    forward_failed: 0,
    forward_bad_answers: 0,
    auto_replies: 0,
    auto_reply_failed: 0,
  };
  const records: unknown[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    counts.requests += 1;
    const method = request.method ?? '';
    const url = request.url ?? '/';
    if (method !== 'GET' && method !== 'POST') {
      // WeChat sends GET (verification) and POST (pushes) only: the body of
      // anything else is not read, and the connection is not kept.
      const { answer, event } = receiver.handle({ method, url, body: EMPTY });
      send(response, {
        ...answer,
        headers: { ...answer.headers, connection: 'close' },
      });
      report(ctx, event, counts, records, answer);
      return;
    }
    const body = await readRequestBody(request, MAX_PUSH_BYTES);
    if (body === 'aborted') {
      counts.malformed += 1;
      ctx.out.warn('A push ended before its whole body arrived.');
      response.on('finish', () => request.destroy());
      response.writeHead(400, { connection: 'close' }).end('incomplete body');
      return;
    }
    if (body === 'too_large' || body === 'cut') {
      counts.malformed += 1;
      ctx.out.warn(`Refused a body over ${MAX_PUSH_BYTES} bytes.`);
      if (body === 'cut') response.on('finish', () => request.destroy());
      response.writeHead(413, { connection: 'close' }).end('payload too large');
      return;
    }
    const { answer, event } = receiver.handle({
      method,
      url,
      body,
    });
    let reply = answer;
    if (event.type === 'message' && options.forwardTo) {
      reply =
        (await forwardPush(
          ctx,
          options.forwardTo,
          { url, body, contentType: request.headers['content-type'] },
          event,
          { token, aesKey: setup.aesKey, appid: setup.appid ?? '' },
          counts,
        )) ?? answer;
    }
    send(response, reply);
    report(ctx, event, counts, records, reply);
    // After the push is answered; the stop waits for it with the request.
    if (event.type === 'message' && mp && !event.duplicate) {
      await autoReply(
        ctx,
        mp,
        event.push.message.FromUserName ?? '',
        options.autoReply as string,
        counts,
      );
    }
  };

  const server = createServer((request, response) => {
    stopper.track(
      handle(request, response).catch((error: unknown) => {
        ctx.out.warn(`Request failed: ${printable((error as Error).message)}`);
        if (!response.headersSent) response.writeHead(500).end('error');
      }),
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  const stopper = closeWhenAnswered(server);
  await listen(server, port, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  announce(ctx, address, setup, options);

  await new Promise<void>((resolve) => {
    const remove = onInterrupt(() => {
      remove();
      void stopper
        .stop(stopWaitNotice((text) => ctx.out.info(text)))
        .then(resolve);
    });
  });
  summarize(ctx, counts, records);
  return 0;
};

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(
              'KF_PORT_IN_USE',
              `Port ${port} on ${host} is in use.`,
              { hint: 'Pick another with --port (0 picks a free one).' },
            )
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
}

function announce(
  ctx: Context,
  address: AddressInfo,
  setup: Awaited<ReturnType<typeof loadKfSetup>>,
  options: ListenOptions,
): void {
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;
  ctx.out.info(
    `Listening on http://${host}:${address.port}/ for customer-service pushes (Ctrl-C to stop).`,
  );
  if (!['127.0.0.1', '::1'].includes(address.address)) {
    ctx.out.warn(
      `Bound to ${address.address}: other machines can reach this receiver. It only answers signed pushes, but prefer 127.0.0.1 behind a tunnel.`,
    );
  }
  ctx.out.info(
    `  Token ✓  EncodingAESKey ${setup.aesKey ? '✓' : '✗ (safe-mode pushes will be refused)'}  AppID ${setup.appid ?? '✗ (not checked)'}`,
  );
  if (options.transfer)
    ctx.out.info(
      '  User messages are answered with transfer_customer_service (they go to the web/mobile kf tool).',
    );
  if (options.autoReply)
    ctx.out.info(
      '  Each new message gets an automatic reply through the send API.',
    );
  if (options.forwardTo)
    ctx.out.info(
      `  Pushes are forwarded to ${options.forwardTo}; its answer goes back to WeChat.`,
    );
  ctx.out.info(
    ctx.out.errColor.dim(
      '  WeChat only calls ports 80/443: expose this port through a tunnel or reverse proxy. With push enabled, user messages no longer show in the web customer-service tool unless transferred.',
    ),
  );
}

function report(
  ctx: Context,
  event: KfReceiverEvent,
  counts: Counts,
  records: unknown[],
  reply: KfReceiverAnswer,
): void {
  switch (event.type) {
    case 'message': {
      counts.messages += 1;
      if (event.duplicate) counts.retries += 1;
      const replied = reply.body === 'success' ? 'success' : event.reply;
      if (ctx.out.json) {
        if (records.length < 10_000)
          records.push(pushRecord(event.push, event.duplicate, replied));
      } else {
        printPushLine(ctx, event.push, event.duplicate, replied);
      }
      return;
    }
    case 'verified':
      counts.verifications += 1;
      ctx.out.success(
        `URL verification answered with the echostr (${event.echostr.length} bytes).`,
      );
      return;
    case 'verify-rejected':
      counts.rejected += 1;
      ctx.out.warn(
        `URL verification with a wrong signature refused (403): ${printable(event.causes[0] ?? '')}`,
      );
      return;
    case 'rejected':
      counts.rejected += 1;
      ctx.out.warn(`Refused a push (403): ${printable(event.error.message)}`);
      return;
    case 'malformed':
      counts.malformed += 1;
      ctx.out.warn(
        `Refused a malformed request (400): ${printable(event.error.message)}`,
      );
      return;
    case 'method-not-allowed':
      counts.other_method += 1;
      ctx.out.warn(`Refused ${printable(event.method)} (405).`);
  }
}

async function autoReply(
  ctx: Context,
  mp: MpSession,
  openid: string,
  text: string,
  counts: Counts,
): Promise<void> {
  try {
    await mp.client.send(sendPayload(openid, textMessage(text)));
    counts.auto_replies += 1;
    ctx.out.info(
      ctx.out.errColor.green(`  ↳ auto-reply sent to ${printable(openid)}`),
    );
  } catch (error) {
    counts.auto_reply_failed += 1;
    ctx.out.warn(
      `Auto-reply to ${printable(openid)} failed: ${printable((error as Error).message)}`,
    );
  }
}

function summarize(ctx: Context, counts: Counts, records: unknown[]): void {
  if (ctx.out.json) {
    ctx.out.document({ ...counts, messages_list: records });
    return;
  }
  ctx.out.info(
    `\nStopped. ${plural(counts.requests, 'request')}: ${plural(counts.messages, 'push', 'pushes')} (${plural(counts.retries, 'retry', 'retries')}), ${plural(counts.verifications, 'verification')}, ${counts.rejected} refused for signature, ${counts.malformed} malformed, ${counts.other_method} not GET/POST.`,
  );
  if (counts.forwarded || counts.forward_failed) {
    ctx.out.info(
      `Forwarded ${counts.forwarded}${counts.forward_bad_answers ? ` (${counts.forward_bad_answers} answered in a way WeChat would not accept)` : ''}, failed ${counts.forward_failed}.`,
    );
  }
  if (counts.auto_replies || counts.auto_reply_failed) {
    ctx.out.info(
      `Auto-replies sent ${counts.auto_replies}, failed ${counts.auto_reply_failed}.`,
    );
  }
}
