import { createContext } from './context.js';
import { reportError } from './errors.js';
import { processIo, type Io } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the `git-ml` command line with `argv` (the words after the program name) and resolves to the
 * exit code; it never calls `process.exit`, so it can be embedded.
 *
 * ```ts
 * import { run } from 'git-ml';
 * process.exitCode = await run(['runs', 'list', '--json']);
 * ```
 */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(createContext(io));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}
