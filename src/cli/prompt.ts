import { InterruptedError, UsageError } from '../core/errors.js';
import type { Context } from './context.js';

/**
 * Every interactive question goes through this module, so tests mock one
 * place and nothing prompts unless a person can answer (ctx.canPrompt).
 * Prompts write to stderr: stdout stays data only.
 */

interface AskOptions {
  /** The flag that gives this value non-interactively, named in errors. */
  flag: string;
  message: string;
  default?: string;
  validate?: (value: string) => string | true;
}

function ensureInteractive(ctx: Context, flag: string, what: string): void {
  if (!ctx.canPrompt) {
    const label = what.replace(/[:：\s]+$/, '');
    throw new UsageError('VALUE_MISSING', `Missing ${label}: pass ${flag}.`, {
      hint: 'Prompts appear only when stdin and stdout are terminals.',
    });
  }
}

async function guard<T>(question: Promise<T>): Promise<T> {
  try {
    return await question;
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new InterruptedError();
    }
    throw error;
  }
}

function promptContext(ctx: Context) {
  return {
    input: ctx.io.stdin as NodeJS.ReadableStream,
    output: ctx.io.stderr as NodeJS.WritableStream,
  };
}

/** Asks for a plain value. */
export async function ask(ctx: Context, options: AskOptions): Promise<string> {
  ensureInteractive(ctx, options.flag, options.message);
  const { input } = await import('@inquirer/prompts');
  return guard(
    input(
      {
        message: options.message,
        default: options.default,
        validate: options.validate,
      },
      promptContext(ctx),
    ),
  );
}

/** Asks for a secret with masked input; it is never echoed or logged. */
export async function askSecret(
  ctx: Context,
  options: AskOptions,
): Promise<string> {
  ensureInteractive(ctx, options.flag, options.message);
  const { password } = await import('@inquirer/prompts');
  return guard(
    password(
      { message: options.message, mask: '*', validate: options.validate },
      promptContext(ctx),
    ),
  );
}

/** Asks yes/no; without a terminal the answer must come from `flag`. */
export async function confirm(
  ctx: Context,
  options: { flag: string; message: string; default?: boolean },
): Promise<boolean> {
  ensureInteractive(ctx, options.flag, 'confirmation');
  const prompts = await import('@inquirer/prompts');
  return guard(
    prompts.confirm(
      { message: options.message, default: options.default ?? false },
      promptContext(ctx),
    ),
  );
}

/** Asks to pick one of several values. */
export async function choose<T extends string>(
  ctx: Context,
  options: { flag: string; message: string; choices: T[]; default?: T },
): Promise<T> {
  ensureInteractive(ctx, options.flag, options.message);
  const { select } = await import('@inquirer/prompts');
  return guard(
    select(
      {
        message: options.message,
        choices: options.choices.map((value) => ({ value })),
        default: options.default,
      },
      promptContext(ctx),
    ),
  );
}
