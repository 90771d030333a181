import type { Progress } from './sweep.js';

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
};

/**
 * Shows a sweep's progress: on a terminal one line per part, redrawn in place (count, rate, ETA); else a
 * plain line per part every `everyMs` and when it ends.
 */
export class ProgressDisplay {
  private part: string | null = null;
  private partStart = 0;
  private lastLine = 0;

  constructor(
    private readonly out: { write(s: string): unknown },
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 5000,
  ) {}

  update(p: Progress): void {
    const t = this.now();
    if (p.part !== this.part) {
      this.part = p.part;
      this.partStart = t;
      this.lastLine = 0;
    }
    const elapsed = Math.max(1, t - this.partStart);
    const rate = (p.done * 1000) / elapsed;
    const total = p.total === null ? '' : `/${p.total}`;
    const eta =
      p.finished || p.total === null || rate === 0
        ? ''
        : `  ETA ${duration(((p.total - p.done) / rate) * 1000)}`;
    const line = `${p.part.padEnd(10)} ${p.done}${total}  ${rate.toFixed(1)}/s${eta}${p.finished ? `  done in ${duration(elapsed)}` : ''}`;
    if (this.tty) {
      this.out.write(`\r\u001b[2K${line}${p.finished ? '\n' : ''}`);
    } else if (p.finished || t - this.lastLine >= this.everyMs) {
      this.lastLine = t;
      this.out.write(`${line}\n`);
    }
  }
}
