import { run } from './run.js';

// `git-ml runs list | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

// exitCode, not process.exit(): lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2));
