import { run } from './run.js';

// exitCode, not process.exit(): lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2));
