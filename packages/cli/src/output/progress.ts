import cliProgress from 'cli-progress';
import type { Io } from '../io.js';
import { formatBytes } from './format.js';

/** Transfers smaller than this finish before a bar would be worth drawing. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

export interface ByteProgress {
  /** count `n` more bytes done */
  readonly onBytes: (n: number) => void;
  /** finish the line (the bar stays, at 100%, when it was drawn) */
  stop(): void;
}

const QUIET: ByteProgress = { onBytes: () => undefined, stop: () => undefined };

/**
 * A progress bar for a byte transfer on stderr (cli-progress: redrawn in place, throttled, with an
 * ETA), drawn only when stderr is a terminal and the transfer is large. Piped or redirected output,
 * and CI logs, get nothing from it.
 */
export function byteProgress(io: Io, label: string, total: number): ByteProgress {
  if (!io.errIsTty || !io.errStream || total < PROGRESS_MIN_BYTES) return QUIET;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.errStream,
      format: `${label} [{bar}] {percentage}% {done}/{size} {rate}/s ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 40,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  const payload = () => ({ done: formatBytes(done), size: formatBytes(total), rate: formatBytes(Math.round(done / Math.max(0.001, (Date.now() - started) / 1000))) });
  bar.start(total, 0, payload());
  return {
    onBytes(n) {
      done += n;
      bar.update(Math.min(done, total), payload());
    },
    stop() {
      bar.update(Math.min(done, total), payload());
      bar.stop();
    },
  };
}
