/**
 * One progress line per epoch: redrawn in place on a terminal, printed once per epoch when piped
 * (so logs and CI output stay readable).
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly width = 24,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  update(epoch: number, epochs: number, done: number, total: number, text: string): void {
    if (!this.tty) return;
    const now = Date.now();
    if (done < total && now - this.lastDraw < 80) return; // redraws cost more than the batches on tiny sets
    this.lastDraw = now;
    this.out.write(`\r${this.line(epoch, epochs, done, total, text)}\x1b[K`);
  }

  finish(epoch: number, epochs: number, text: string): void {
    const line = this.line(epoch, epochs, 1, 1, text);
    if (this.tty) {
      this.out.write(`\r${line}\x1b[K\n`);
      return;
    }
    // piped: about twenty lines per run, always the first and the last epoch
    const every = Math.ceil(epochs / 20);
    if (epoch === 0 || epoch === epochs - 1 || (epoch + 1) % every === 0) this.out.write(`${line}\n`);
  }

  private line(epoch: number, epochs: number, done: number, total: number, text: string): string {
    const filled = Math.round((done / Math.max(total, 1)) * this.width);
    const bar = '='.repeat(Math.max(filled - 1, 0)) + (filled > 0 ? (done >= total ? '=' : '>') : '') + ' '.repeat(this.width - filled);
    const e = String(epoch + 1).padStart(String(epochs).length);
    return `epoch ${e}/${epochs} [${bar}] ${text}`;
  }
}
