import type { Context } from '../../context.js';

/**
 * A one-line progress bar on stderr, redrawn in place; only on a terminal
 * and only when there is more than one step, so logs and pipes stay clean.
 */
export interface Progress {
  step(label: string): void;
  /** Prints a line above the bar (the bar is redrawn under it). */
  note(print: () => void): void;
  done(): void;
}

const WIDTH = 24;

export function progressBar(ctx: Context, total: number): Progress {
  const stderr = ctx.io.stderr;
  if (!ctx.out.stderrIsTTY || total < 2 || ctx.out.json) {
    return {
      step: () => undefined,
      note: (print) => print(),
      done: () => undefined,
    };
  }
  let count = 0;
  let last = '';
  const draw = (label: string) => {
    last = label;
    const filled = Math.round((count / total) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    stderr.write(
      `\r${ctx.out.errColor.cyan(bar)} ${count}/${total} ${label}\u001b[K`,
    );
  };
  draw('');
  return {
    step(label) {
      count += 1;
      draw(label);
    },
    note(print) {
      stderr.write('\r\u001b[K');
      print();
      draw(last);
    },
    done() {
      stderr.write('\r\u001b[K');
    },
  };
}
