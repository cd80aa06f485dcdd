import {
  ApiError,
  ConfigError,
  DiscrepancyError,
  InputError,
  NetworkError,
  SignatureError,
  UsageError,
  WxPayError,
} from '../core/errors.js';

type WxPayErrorClass = new (
  ...args: ConstructorParameters<typeof WxPayError>
) => WxPayError;

/** The base classes, most specific first; the exit code follows the class. */
const KINDS: WxPayErrorClass[] = [
  UsageError,
  InputError,
  ConfigError,
  NetworkError,
  SignatureError,
  ApiError,
  DiscrepancyError,
];

/**
 * The same error with more context (a day, a retry hint), keeping its base
 * class so the exit code does not change. Subclasses with their own
 * constructors (WeChatApiError) become their base class; `cause` keeps the
 * original.
 */
export function rewrapError(
  error: WxPayError,
  change: {
    message?: string;
    hint?: string;
    details?: Record<string, unknown>;
  },
): WxPayError {
  const Kind = KINDS.find((kind) => error instanceof kind) ?? WxPayError;
  return new Kind(error.code, change.message ?? error.message, {
    hint: change.hint ?? error.hint,
    details: { ...error.details, ...change.details },
    cause: error,
  });
}
