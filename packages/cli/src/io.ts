/** Where a command writes, and how wide the terminal is; `run()` uses the process's streams unless given others. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** columns to fit tables in: the terminal's; else $COLUMNS; else 120 when stdout is not a terminal, 80 when it reports no size; at least 40 */
  readonly columns: number;
  /** true when stderr is a terminal (progress lines are redrawn in place) */
  readonly errIsTty: boolean;
  /** the stream behind `err`, for progress bars that redraw in place (none: no bars) */
  readonly errStream?: NodeJS.WriteStream;
}

/** Tables narrower than this would cut every cell to nothing; a smaller report is taken as wrong. */
const MIN_COLUMNS = 40;

/**
 * The width to lay tables out in: the terminal's, else $COLUMNS, else 120 when stdout is not a
 * terminal (a pipe, a file, CI) and 80 when it is one that reports no size (some report 0).
 */
export function terminalColumns(stdout: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number {
  const reported = stdout.isTTY ? (stdout.columns ?? 0) : 0;
  const fromEnv = Number(env.COLUMNS);
  const width = reported > 0 ? reported : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : stdout.isTTY ? 80 : 120;
  return Math.max(MIN_COLUMNS, width);
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    get columns() {
      return terminalColumns(process.stdout);
    },
    get errIsTty() {
      return process.stderr.isTTY === true;
    },
    errStream: process.stderr,
  };
}
