import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { examples } from './help.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`Invalid --port '${v}': a number from 0 to 65535.`);
  return n;
}

/** `git-ml server`: MLflow's tracking, registry and artifact REST API on the repository. */
export function serverCommand(ctx: CliContext): Command {
  const { io } = ctx;
  return new Command('server')
    .description("serve MLflow's REST API (tracking, model registry, artifact proxy) so MLflow clients log into git")
    .option('--host <HOST>', 'address to bind; anyone who can reach it can read and write the repository', '127.0.0.1')
    .option('-p, --port <PORT>', 'port to listen on', '5000')
    .option('--default-artifact-root <URI>', 'hand out file: artifact locations under this directory instead of proxying uploads into git (MLflow --no-serve-artifacts)')
    .option('--body-limit <BYTES>', 'largest JSON request body (artifact uploads are streamed and not limited by it)', String(16 * 1024 * 1024))
    .addHelpText(
      'after',
      `
Point any MLflow client at it: MLFLOW_TRACKING_URI=http://127.0.0.1:5000. Runs, metrics, params, tags,
artifacts (uploaded through /api/2.0/mlflow-artifacts/) and registered models all land in the repository
as git-ml writes them (see docs/server.md). Ctrl-C (or SIGTERM) stops it after folding everything.
${examples('git-ml server', 'git-ml server --repo ~/work/churn --port 5001', 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py')}`,
    )
    .action(async (opts: { host: string; port: string; defaultArtifactRoot?: string; bodyLimit: string }, cmd: Command) => {
      const { repo } = cmd.optsWithGlobals<{ repo?: string }>();
      const bodyLimit = Number(opts.bodyLimit);
      if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new UsageError(`Invalid --body-limit '${opts.bodyLimit}': a number of bytes.`);
      // loaded here, not at the top: fastify is a fifth of every other command's start-up time
      const { closeOnSignals, startServer } = await import('@git-ml/server');
      const server = await startServer({ repo, host: opts.host, port: port(opts.port), defaultArtifactRoot: opts.defaultArtifactRoot, bodyLimit }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new UsageError(`Port ${opts.port} on ${opts.host} is already in use (another server?). Stop that one or pick another port with --port.`);
        throw err;
      });
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
        io.err(`git-ml: warning: listening on ${opts.host}; anyone who can reach this address can read and write the repository (there is no authentication).\n`);
      }
      io.err(`git-ml: serving MLflow's REST API for ${server.client.repoPath} at ${server.url} — MLFLOW_TRACKING_URI=${server.url}; Ctrl-C stops.\n`);
      await closeOnSignals(server, () => io.err('git-ml: stopping; folding pending changes…\n'));
    });
}
