/** An "Examples:" block for `addHelpText('after', …)`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** How a RUN_ID argument may be written (every command resolves it with `resolveRun`). */
export const RUN_ID_HELP = 'the run: its id, or a unique prefix of it (at least 4 characters)';
