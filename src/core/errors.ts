/**
 * The error hierarchy shared by the library and the CLI.
 *
 * Every error says what happened (`message`) and, where there is one, what to
 * do next (`hint`). The CLI maps the class to an exit code in one place
 * (`src/cli/exit-codes.ts`); library users can switch on `code`.
 */
export class WxPayError extends Error {
  /** A stable machine-readable identifier, e.g. `XML_DOCTYPE_REFUSED`. */
  readonly code: string;
  /** One sentence on what to do next. */
  readonly hint?: string;
  /** Extra facts for `--verbose` and `--json` (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: {
      hint?: string;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** The caller asked for something malformed: a bad flag, value or file. */
export class UsageError extends WxPayError {}

/**
 * The input data cannot be read safely: malformed, oversize or hostile XML,
 * an invalid amount, a field WeChat would refuse.
 */
export class InputError extends WxPayError {}

/** Missing or invalid configuration or credentials. */
export class ConfigError extends WxPayError {}

/** The request did not get a usable answer: connection, timeout, 5xx. */
export class NetworkError extends WxPayError {}

/** A signature did not verify (response, notification or user input). */
export class SignatureError extends WxPayError {}

/**
 * WeChat (or the simulator) answered, and the answer is a refusal:
 * `return_code=FAIL`, `result_code=FAIL`, or an errcode.
 */
export class ApiError extends WxPayError {}

/** A comparison found differences (reconciliation, summary checks). */
export class DiscrepancyError extends WxPayError {}

/** The user interrupted (Ctrl-C, a cancelled prompt). */
export class InterruptedError extends WxPayError {
  constructor(message = 'Cancelled.') {
    super('INTERRUPTED', message);
  }
}
