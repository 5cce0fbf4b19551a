/** Where a command writes, and how wide the terminal is; `run()` uses the process's streams unless given others. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** columns of the terminal (used to fit tables); $COLUMNS, else 120, when stdout is not a terminal */
  readonly columns: number;
  /** true when stderr is a terminal (progress lines are redrawn in place) */
  readonly errIsTty: boolean;
  /** the stream behind `err`, for progress bars that redraw in place (none: no bars) */
  readonly errStream?: NodeJS.WriteStream;
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    get columns() {
      return process.stdout.columns ?? (Number(process.env.COLUMNS) || 120);
    },
    get errIsTty() {
      return process.stderr.isTTY === true;
    },
    errStream: process.stderr,
  };
}
