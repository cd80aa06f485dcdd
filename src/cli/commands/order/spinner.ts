import type { Context } from '../../context.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line spinner on stderr, only when stderr is a terminal; otherwise
 * updates are silent (piped runs get the final result only).
 */
export class Spinner {
  private frame = 0;
  private text = '';
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly ctx: Context) {}

  private get enabled(): boolean {
    return this.ctx.out.stderrIsTTY;
  }

  update(text: string): void {
    this.text = text;
    if (!this.enabled) return;
    this.timer ??= setInterval(() => this.draw(), 80);
    this.draw();
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    const mark = this.ctx.out.errColor.cyan(FRAMES[this.frame]);
    this.ctx.io.stderr.write(`\r${mark} ${this.text}\x1b[K`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.timer) this.ctx.io.stderr.write('\r\x1b[K');
    this.timer = undefined;
  }
}
