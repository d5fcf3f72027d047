/**
 * A progress bar on stderr for scans that take more than a second, with the elapsed time and the
 * files analysed per second (`██████░░░░ 1200/4000 files · 14s · 86 files/s`). Only on a terminal, never when
 * `CI` is set, never with `--no-progress`; it writes to stderr only, so machine-readable output on
 * stdout is never mixed with it, and it erases itself before the report is written.
 */
import type { WritableLike } from './io.js';

export interface Progress {
  update(done: number, total: number): void;
  /** Erases the bar (if it was drawn). */
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

export interface ProgressOptions {
  stream: WritableLike;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  enabled: boolean;
  /** Milliseconds before the bar appears (default 1000). */
  delay?: number;
  /** Clock, for tests. */
  now?: () => number;
  width?: number;
}

export function progressEnabled(options: Pick<ProgressOptions, 'isTTY' | 'env' | 'enabled'>): boolean {
  const ci = options.env['CI'];
  return options.enabled && options.isTTY && (ci === undefined || ci === '' || ci === '0' || ci === 'false');
}

/** `9s`, `1m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Files per second: whole numbers from 10 up, one decimal below. */
export function formatRate(done: number, ms: number): string {
  const rate = ms > 0 ? (done * 1000) / ms : 0;
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} files/s`;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!progressEnabled(options)) return NO_PROGRESS;
  const now = options.now ?? Date.now;
  const start = now();
  const delay = options.delay ?? 1000;
  const width = options.width ?? 30;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - start < delay || (t - last < 100 && done < total)) return;
      last = t;
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const elapsed = t - start;
      options.stream.write(`\r\x1b[2K${bar} ${done}/${total} files · ${formatElapsed(elapsed)} · ${formatRate(done, elapsed)}`);
      drawn = true;
    },
    done() {
      if (drawn) options.stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
