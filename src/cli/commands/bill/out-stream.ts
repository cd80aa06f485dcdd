import type { Context } from '../../context.js';

/**
 * Writes large outputs to stdout with back-pressure: the reader waits while
 * stdout is full, so memory stays flat however big the bill. A closed pipe
 * (`| head`) stops the run quietly instead of failing.
 */
export class StdoutWriter {
  private closed = false;
  private readonly onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') this.closed = true;
  };

  constructor(private readonly ctx: Context) {
    ctx.io.stdout.on('error', this.onError);
  }

  /** True once the reader of stdout went away. */
  get stopped(): boolean {
    return this.closed;
  }

  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    const stdout = this.ctx.io.stdout;
    if (!stdout.write(text)) await drained(stdout);
  }

  end(): void {
    this.ctx.io.stdout.off('error', this.onError);
  }
}

/** Waits until a full stream drains, closes or fails, whichever is first. */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
