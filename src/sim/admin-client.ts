import {
  ApiError,
  InputError,
  NetworkError,
  UsageError,
} from '../core/errors.js';
import type { Fault, FaultSpec } from './faults.js';
import type { MarkPaidResult } from './payer.js';

/**
 * Talks to a running simulator's admin endpoints (/__wxpay/...), for
 * `wxpay mock pay|fault|reset --url` and for merchants' test suites that
 * run `wxpay mock serve` in another process.
 */
export class SimulatorAdminClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UsageError('URL_INVALID', `"${baseUrl}" is not a URL.`, {
        hint: 'Give the base URL `wxpay mock serve` printed, e.g. http://127.0.0.1:8787',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError('URL_INVALID', `"${baseUrl}" is not an http URL.`);
    }
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Marks an order paid; the caller delivers the notification. */
  pay(
    outTradeNo: string,
    options: { mchId?: string; sandbox?: boolean } = {},
  ): Promise<MarkPaidResult> {
    return this.call('POST', '/__wxpay/pay', {
      out_trade_no: outTradeNo,
      mch_id: options.mchId,
      sandbox: options.sandbox,
      notify: false,
    });
  }

  async addFaults(specs: readonly FaultSpec[]): Promise<Fault[]> {
    const { added } = await this.call<{ added: Fault[] }>(
      'POST',
      '/__wxpay/faults',
      specs,
    );
    return added;
  }

  async listFaults(): Promise<Fault[]> {
    const { faults } = await this.call<{ faults: Fault[] }>(
      'GET',
      '/__wxpay/faults',
    );
    return faults;
  }

  async clearFaults(id?: string): Promise<number> {
    const { cleared } = await this.call<{ cleared: number }>(
      'POST',
      '/__wxpay/faults/clear',
      { id },
    );
    return cleared;
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__wxpay/reset', {});
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new NetworkError(
        'SIMULATOR_UNREACHABLE',
        `Cannot reach the simulator at ${this.baseUrl}.`,
        {
          hint: 'Is `wxpay mock serve` running there? Check the URL it printed, or drop --url to use the state file.',
          cause: error,
        },
      );
    }
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new NetworkError(
        'SIMULATOR_BAD_ANSWER',
        `${url} answered HTTP ${response.status} without JSON: is this a wxpay simulator?`,
      );
    }
    if (!response.ok) throw answerError(response.status, parsed);
    return parsed as T;
  }
}

function answerError(status: number, answer: Record<string, unknown>): Error {
  const code = String(answer.code ?? 'SIMULATOR_ERROR');
  const message = String(
    answer.error ?? `The simulator answered HTTP ${status}.`,
  );
  const hint = typeof answer.hint === 'string' ? answer.hint : undefined;
  if (status === 404 || status === 400 || status === 413) {
    return new InputError(code, message, { hint });
  }
  return new ApiError(code, message, { hint });
}
