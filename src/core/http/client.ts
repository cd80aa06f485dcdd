import { gunzipSync } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { endpointOf, type PayEndpoint } from '../api/err-codes.js';
import { ConfigError, InputError } from '../errors.js';
import { nonceStr } from '../fields.js';
import {
  appPayParams,
  jsapiPayParams,
  type AppPayParams,
  type RequestPaymentParams,
} from '../paysign.js';
import {
  DEFAULT_BACKUP_BASE_URL,
  DEFAULT_BASE_URL,
  DEFAULT_MP_BASE_URL,
} from '../profile.js';
import { sign, verify, type SignType } from '../sign.js';
import { buildXml, parseXml } from '../xml.js';
import {
  badSignature,
  merchantMismatch,
  refusalOf,
  WeChatApiError,
} from './errors.js';
import { readPayAnswer } from './answer.js';
import { requestCode2Session } from './mp.js';
import { redact } from './redact.js';
import {
  sendWithFailover,
  streamWithFailover,
  joinUrl,
  type HttpAnswer,
  type StreamingAnswer,
} from './transport.js';
import type {
  CallOptions,
  Code2Session,
  PayClientOptions,
  PayEvent,
  PayResult,
  PreparedRequest,
  RawResult,
} from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_XML = 1024 * 1024;
const MAX_BILL_BYTES = 64 * 1024 * 1024;

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'BASE_URL_INVALID',
      `${name} "${value}" is not a URL.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      'BASE_URL_INVALID',
      `${name} "${value}" must be an http(s) URL.`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** The backup host: api2 only behind WeChat's own primary (see options). */
function backupFor(options: PayClientOptions): string | undefined {
  if (options.backupBaseUrl === null || options.backupBaseUrl === '') {
    return undefined;
  }
  if (options.backupBaseUrl !== undefined) {
    return checkUrl('backup_base_url', options.backupBaseUrl);
  }
  return options.baseUrl.replace(/\/+$/, '') === DEFAULT_BASE_URL
    ? DEFAULT_BACKUP_BASE_URL
    : undefined;
}

/**
 * The WeChat Pay v2 client: signs and sends XML requests, and accepts an
 * answer only when it is authentic and positive.
 *
 * - Levels 1-3 of the status model (spec 3): return_code, then result_code
 *   and err_code (a refusal throws WeChatApiError with a stable class), then
 *   trade_state (returned as `tradeState`: NOTPAY is an answer, not an
 *   error).
 * - The answer's sign is verified on every signed endpoint with the
 *   request's sign type (WeChat omits sign_type in answers, spec 2.6); a
 *   missing or wrong sign, or another appid/mch_id, is a SignatureError.
 * - Connection errors, timeouts and 5xx fail over to the backup host.
 * - SYSTEMERROR and BIZERR_NEED_RETRY are retried with backoff, re-sending
 *   the identical signed body (same out_trade_no / out_refund_no).
 */
export class PayClient {
  readonly appid: string;
  readonly mchId: string;
  readonly signType: SignType;
  readonly baseUrl: string;
  readonly backupBaseUrl?: string;
  readonly mpBaseUrl: string;
  readonly timeoutMs: number;
  private readonly options: PayClientOptions;
  private ownAgent?: Agent;
  private certAgent?: Agent;

  constructor(options: PayClientOptions) {
    for (const field of ['appid', 'mchId', 'key'] as const) {
      if (!options[field]) {
        throw new ConfigError('CLIENT_CONFIG', `The client needs ${field}.`, {
          hint: 'Complete the profile with `wxpay config init`.',
        });
      }
    }
    this.options = options;
    this.appid = options.appid;
    this.mchId = options.mchId;
    this.signType = options.signType ?? 'MD5';
    this.baseUrl = checkUrl('base_url', options.baseUrl);
    this.backupBaseUrl = backupFor(options);
    this.mpBaseUrl = checkUrl(
      'mp_base_url',
      options.mpBaseUrl ?? DEFAULT_MP_BASE_URL,
    );
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Builds the signed request without sending it (`--dry-run`). */
  prepare(
    path: string,
    fields: Record<string, string | number | undefined>,
    options: CallOptions = {},
  ): PreparedRequest {
    const signType = options.signType ?? this.signType;
    const params: Record<string, string> = {
      appid: this.appid,
      mch_id: this.mchId,
    };
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && String(value) !== '') {
        params[name] = String(value);
      }
    }
    params.nonce_str ??= (this.options.nonce ?? nonceStr)();
    // MD5 is the default sign type; naming it is not needed and every
    // official example leaves it out, so only HMAC is declared.
    if (signType === 'HMAC-SHA256') params.sign_type = signType;
    else delete params.sign_type;
    delete params.sign;
    params.sign = sign(params, this.options.key, signType);
    return {
      path,
      url: joinUrl(this.baseUrl, path),
      signType,
      params,
      xml: buildXml(params),
    };
  }

  /**
   * Calls a signed v2 endpoint and returns its verified fields. Throws
   * WeChatApiError (a refusal), SignatureError (an unauthentic answer),
   * NetworkError (no answer from any host) or InputError (unreadable XML).
   */
  async call(
    path: string,
    fields: Record<string, string | number | undefined>,
    options: CallOptions = {},
  ): Promise<PayResult> {
    return this.send(this.prepare(path, fields, options), options);
  }

  /** Sends a request built by `prepare` (see `call`). */
  async send(
    request: PreparedRequest,
    options: CallOptions = {},
  ): Promise<PayResult> {
    const endpoint = endpointOf(request.path);
    const maxBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_XML;
    let attempts = 0;
    return this.withRetries(request, options, async () => {
      // An answer that is not a WeChat answer fails over inside transmit
      // and ends as a NetworkError, never as bad input or a refusal.
      const answer = await this.transmit(request, options, maxBytes, (a) =>
        readPayAnswer(a, maxBytes),
      );
      attempts += answer.attempts;
      const parsed = answer.value;
      this.accept(endpoint, parsed, request, answer.url, options);
      return {
        fields: parsed,
        tradeState: parsed.trade_state,
        request,
        baseUrl: answer.baseUrl,
        attempts,
      };
    });
  }

  /**
   * Calls downloadbill / downloadfundflow, whose success body is a text or
   * gzip bill, and whose failure is XML (spec 5.4: a body that starts with
   * `<xml>` is an error even when GZIP was requested).
   */
  async raw(
    path: string,
    fields: Record<string, string | number | undefined>,
    options: CallOptions = {},
  ): Promise<RawResult> {
    const request = this.prepare(path, fields, options);
    const endpoint = endpointOf(path);
    let attempts = 0;
    return this.withRetries(request, options, async () => {
      const answer = await this.transmit(request, options, MAX_BILL_BYTES);
      attempts += answer.attempts;
      const gzip = answer.body[0] === 0x1f && answer.body[1] === 0x8b;
      const plain = gzip ? gunzip(answer.body) : answer.body;
      const text = plain.toString('utf8');
      if (/^\uFEFF?\s*(<\?xml[^>]*>\s*)?<xml[\s>]/.test(text)) {
        const parsed = parseXml(text).fields;
        throw (
          refusalOf(endpoint, parsed) ??
          new InputError(
            'BILL_UNEXPECTED_XML',
            `${endpoint ?? path} answered XML without an error code.`,
          )
        );
      }
      const digest = answer.headers.digest;
      return {
        body: answer.body,
        gzip,
        text,
        digest: Array.isArray(digest) ? digest[0] : digest,
        request,
        baseUrl: answer.baseUrl,
        attempts,
      };
    });
  }

  /**
   * Calls downloadbill / downloadfundflow and hands the answer to `consume`
   * while its body is still arriving, so a bill of any size passes through
   * in bounded memory (see api/bill.ts for what counts as a bill). A
   * refusal thrown by `consume` is retried like any other call.
   */
  async stream<T>(
    path: string,
    fields: Record<string, string | number | undefined>,
    options: CallOptions,
    consume: (
      answer: StreamingAnswer & { request: PreparedRequest; baseUrl: string },
    ) => Promise<T>,
  ): Promise<T> {
    const request = this.prepare(path, fields, options);
    const bases = [this.baseUrl, this.backupBaseUrl].filter(
      (base): base is string => base !== undefined,
    );
    return this.withRetries(request, options, () =>
      streamWithFailover(
        bases,
        request.path,
        this.httpInit(request, options),
        (answer, attempts) =>
          consume({
            ...answer,
            request,
            baseUrl: bases[attempts - 1] ?? this.baseUrl,
          }),
      ),
    );
  }

  /**
   * Exchanges a wx.login code for the openid (spec 9). Never retried: a
   * code works once (case B35), so a second send would only earn 40163.
   */
  async jscode2session(code: string): Promise<Code2Session> {
    if (!this.options.appSecret) {
      throw new ConfigError(
        'APP_SECRET_MISSING',
        'jscode2session needs the mini program AppSecret.',
        {
          hint: 'Set it with `wxpay config set app_secret` (masked prompt), or WXPAY_APP_SECRET.',
        },
      );
    }
    return requestCode2Session({
      baseUrl: this.mpBaseUrl,
      appid: this.appid,
      secret: this.options.appSecret,
      code,
      dispatcher: this.dispatcher(false, this.mpBaseUrl),
      timeoutMs: this.timeoutMs,
      emit: (event) => this.emit(event),
      redact: (text) => this.redact(text),
    });
  }

  /**
   * The `wx.requestPayment` object for a prepay_id, signed with this
   * merchant's key and the order's sign type (spec 2.5).
   */
  requestPayment(
    prepayId: string,
    options: {
      signType?: SignType;
      timeStamp?: string;
      nonceStr?: string;
    } = {},
  ): RequestPaymentParams {
    return jsapiPayParams({
      appid: this.appid,
      prepayId,
      key: this.options.key,
      signType: options.signType ?? this.signType,
      timeStamp: options.timeStamp,
      nonceStr: options.nonceStr,
    });
  }

  /** The APP SDK parameters (PayReq) for a prepay_id. */
  appPayment(
    prepayId: string,
    options: {
      signType?: SignType;
      timestamp?: string;
      noncestr?: string;
    } = {},
  ): AppPayParams {
    return appPayParams({
      appid: this.appid,
      mchId: this.mchId,
      prepayId,
      key: this.options.key,
      signType: options.signType ?? this.signType,
      timestamp: options.timestamp,
      noncestr: options.noncestr,
    });
  }

  /** Replaces signatures and this client's secrets with [REDACTED]. */
  redact(text: string): string {
    const secrets = [this.options.key, this.options.appSecret ?? ''];
    if (this.options.tls?.passphrase) secrets.push(this.options.tls.passphrase);
    return redact(text, secrets);
  }

  /** Closes the connections this client opened itself. */
  async close(): Promise<void> {
    await Promise.all([this.ownAgent?.close(), this.certAgent?.close()]);
  }

  private emit(event: PayEvent): void {
    this.options.onEvent?.(event);
  }

  private dispatcher(cert: boolean, url: string): Dispatcher {
    if (this.options.dispatcher) return this.options.dispatcher;
    const connectTimeout = this.options.connectTimeoutMs ?? this.timeoutMs;
    if (cert && this.options.tls) {
      this.certAgent ??= new Agent({
        connect: { timeout: connectTimeout, ...this.options.tls },
      });
      return this.certAgent;
    }
    if (cert && url.startsWith('https:')) {
      throw new ConfigError(
        'CERT_MISSING',
        'This API needs the merchant API certificate (apiclient_cert).',
        {
          hint: 'Set cert_p12 (and cert_passphrase, default the mch_id) or cert_pem and key_pem in the profile.',
        },
      );
    }
    this.ownAgent ??= new Agent({ connect: { timeout: connectTimeout } });
    return this.ownAgent;
  }

  private async transmit<T = HttpAnswer>(
    request: PreparedRequest,
    options: CallOptions,
    maxBytes: number,
    read?: (answer: HttpAnswer) => T,
  ) {
    const bases = [this.baseUrl, this.backupBaseUrl].filter(
      (base): base is string => base !== undefined,
    );
    return sendWithFailover(
      bases,
      request.path,
      { ...this.httpInit(request, options), maxBytes },
      read,
    );
  }

  private httpInit(request: PreparedRequest, options: CallOptions) {
    return {
      method: 'POST' as const,
      body: request.xml,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      dispatcher: this.dispatcher(options.cert ?? false, this.baseUrl),
      timeoutMs: this.timeoutMs,
      maxBytes: 0,
      onEvent: (event: PayEvent) => this.emit(event),
      redact: (text: string) => this.redact(text),
    };
  }

  /** Levels 1-2 plus authenticity; throws unless the answer is a yes. */
  private accept(
    endpoint: PayEndpoint | undefined,
    fields: Record<string, string>,
    request: PreparedRequest,
    url: string,
    options: CallOptions,
  ): void {
    // return_code=FAIL answers carry no sign (spec 2.6); they only ever
    // refuse, so reading them unsigned cannot turn into a false success.
    if (fields.return_code !== 'SUCCESS') throw refusalOf(endpoint, fields)!;
    if (options.signedResponse !== false) {
      const result = verify(fields, this.options.key, {
        signType: request.signType,
      });
      if (!result.valid) throw badSignature(endpoint, !result.received, url);
    }
    for (const [field, expected] of [
      ['appid', this.appid],
      ['mch_id', this.mchId],
    ] as const) {
      const received = fields[field];
      if (received !== undefined && received !== expected) {
        throw merchantMismatch(field, expected, received, url);
      }
    }
    const refusal = refusalOf(endpoint, fields);
    if (refusal) throw refusal;
  }

  private async withRetries<T>(
    request: PreparedRequest,
    options: CallOptions,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const retries = options.retries ?? this.options.retries ?? 2;
    const base = this.options.retryDelayMs ?? 500;
    const sleep = this.options.sleep ?? delay;
    for (let n = 1; ; n += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (
          !(error instanceof WeChatApiError) ||
          !error.autoRetry ||
          n > retries
        ) {
          throw error;
        }
        const delayMs = base * 2 ** (n - 1);
        this.emit({
          type: 'retry',
          attempt: n + 1,
          delayMs,
          code: error.errCode,
        });
        await sleep(delayMs);
      }
    }
  }
}

function gunzip(body: Buffer): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: MAX_BILL_BYTES * 4 });
  } catch (error) {
    throw new InputError('BILL_GZIP_INVALID', 'The gzip bill is damaged.', {
      hint: 'Download it again, or without --gzip.',
      cause: error,
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
