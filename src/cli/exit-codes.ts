import {
  ApiError,
  ConfigError,
  DiscrepancyError,
  InputError,
  InterruptedError,
  NetworkError,
  SignatureError,
  UsageError,
  WxPayError,
} from '../core/errors.js';

/**
 * The one place that turns an outcome into a process exit code. The table is
 * printed by `wxpay --help` and documented in the README.
 */
export const EXIT = {
  OK: 0,
  NEGATIVE: 1,
  USAGE: 2,
  NETWORK: 3,
  CONFIG: 4,
  INTERRUPTED: 130,
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    a negative answer: signature invalid, WeChat business failure,
       discrepancies found
  2    usage error or bad input (including unsafe XML)
  3    network or transport failure
  4    missing or invalid configuration or credentials
  130  interrupted (Ctrl-C); 143 when stopped by SIGTERM`;

export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return EXIT.INTERRUPTED;
  if (isPromptCancel(error)) return EXIT.INTERRUPTED;
  if (error instanceof UsageError || error instanceof InputError) {
    return EXIT.USAGE;
  }
  if (error instanceof ConfigError) return EXIT.CONFIG;
  if (error instanceof NetworkError) return EXIT.NETWORK;
  if (
    error instanceof SignatureError ||
    error instanceof ApiError ||
    error instanceof DiscrepancyError
  ) {
    return EXIT.NEGATIVE;
  }
  if (error instanceof WxPayError) return EXIT.NEGATIVE;
  // An unexpected exception is a failure, not a negative answer; 1 is the
  // only code that does not claim to know its cause.
  return EXIT.NEGATIVE;
}

/** @inquirer/prompts rejects with ExitPromptError on Ctrl-C. */
export function isPromptCancel(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}
