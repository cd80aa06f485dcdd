import type { Command } from 'commander';
import type { Context, GlobalOptions } from './context.js';
import type { CliIO } from './io.js';

/**
 * A command's behaviour: gets the context, its positional arguments and its
 * own options, and returns an exit code (0 when omitted). Negative answers
 * that were already printed return 1; failures throw and are mapped in
 * `exit-codes.ts`.
 */
export type RunFn<O = Record<string, unknown>> = (
  ctx: Context,
  args: string[],
  options: O,
) => Promise<number | void>;

export interface Kit {
  io: CliIO;
  /** Set by the action that ran. */
  exitCode: number;
  /**
   * Wraps a lazily imported run function as a commander action, so a
   * command's dependencies load only when that command runs.
   */
  action<O>(
    load: () => Promise<RunFn<O>>,
  ): (...all: unknown[]) => Promise<void>;
}

export function createKit(io: CliIO): Kit {
  const kit: Kit = {
    io,
    exitCode: 0,
    action(load) {
      return async (...all: unknown[]) => {
        const command = all[all.length - 1] as Command;
        // A sub-command shares option names with its parent (`sign` and
        // `sign verify` both take --in); commander gives the value to the
        // parent, so a command reads the merged set.
        const globals = command.optsWithGlobals() as GlobalOptions;
        const options = globals;
        const args = command.processedArgs.flatMap((value: unknown) =>
          value === undefined ? [] : Array.isArray(value) ? value : [value],
        ) as string[];
        const { Context } = await import('./context.js');
        const ctx = await Context.create(io, globals);
        const run = await load();
        kit.exitCode = (await run(ctx, args, options as never)) ?? 0;
      };
    },
  };
  return kit;
}

/** Adds an "Examples:" block to a command's help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`,
  );
}
