/**
 * Where a project's output goes: the child's stdout and stderr, and the output of environment
 * builds (npm, pip, conda) on `err`. The CLI's `Io` fits; `'inherit'` gives the child the
 * launcher's own stdout and stderr (colours and progress bars keep working in a terminal).
 */
export interface OutputSink {
  out(text: string): void;
  err(text: string): void;
}

export type Output = OutputSink | 'inherit';

/** The sink for text git-ml itself writes (environment builds): the process's streams for 'inherit'. */
export function textSink(output: Output): OutputSink {
  if (output !== 'inherit') return output;
  return { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
}
