import type { Chalk, ChalkInstance } from 'chalk';
import { escapeControlsInJson } from '../core/safe-text.js';
import type { CliIO } from './io.js';

/**
 * Where every command writes. Data goes to stdout; status, progress,
 * warnings and prompts go to stderr, so `wxpay … | jq` always sees data only.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for stdout text. */
  readonly color: ChalkInstance;
  /** Colours for stderr text (its own TTY check). */
  readonly errColor: ChalkInstance;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  private readonly warned = new Set<string>();

  constructor(
    private readonly io: CliIO,
    options: { json?: boolean; verbose?: boolean; color?: boolean },
    ChalkClass: typeof Chalk,
  ) {
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.stdoutIsTTY = io.stdout.isTTY === true;
    this.stderrIsTTY = io.stderr.isTTY === true;
    this.color = new ChalkClass({
      level: colorLevel(io, this.stdoutIsTTY, options.color),
    });
    this.errColor = new ChalkClass({
      level: colorLevel(io, this.stderrIsTTY, options.color),
    });
  }

  /** Writes data (one line) to stdout. */
  data(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes the one JSON document of a `--json` run to stdout. */
  document(value: unknown): void {
    // Parses back to the same value; only the characters that could drive
    // a terminal when the document is printed raw are written as escapes.
    this.io.stdout.write(`${escapeControlsInJson(value, 2)}\n`);
  }

  /** A status line on stderr. */
  info(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  success(text: string): void {
    this.info(this.errColor.green(`✓ ${text}`));
  }

  warn(text: string): void {
    this.info(this.errColor.yellow(`! ${text}`));
  }

  /**
   * A warning about the input rather than an event: two checks can find the
   * same thing (the key file reader and the profile validator both see a
   * padded key), and it is said once. Listeners use `warn`, one per event.
   */
  warnOnce(text: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.warn(text);
  }

  /** Details shown only with --verbose. */
  debug(text: string): void {
    if (this.verbose) this.info(this.errColor.dim(text));
  }
}

/**
 * Colour only on a TTY, never with NO_COLOR (which chalk's own detection
 * ignores), TERM=dumb or --no-color; FORCE_COLOR turns it on for tests.
 */
export function colorLevel(
  io: CliIO,
  isTTY: boolean,
  flag: boolean | undefined,
): 0 | 1 {
  const env = io.env;
  if (flag === false) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return 1;
  if (env.TERM === 'dumb') return 0;
  return isTTY ? 1 : 0;
}

/** `1 push`, `2 pushes`: a count with its noun in the right number. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
