import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { examples } from './help.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`Invalid --port '${v}': a number from 0 to 65535.`);
  return n;
}

interface ServeOptions {
  host: string;
  port: string;
  defaultArtifactRoot?: string;
  bodyLimit: string;
}

async function serve(ctx: CliContext, opts: ServeOptions, cmd: Command, announce: (url: string, repo: string) => string): Promise<void> {
  const { io } = ctx;
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
  io.err(announce(server.url, server.client.repoPath));
  await closeOnSignals(server, () => io.err('git-ml: stopping; folding pending changes…\n'));
}

function serverOptions(cmd: Command): Command {
  return cmd
    .option('--host <HOST>', 'address to bind; anyone who can reach it can read and write the repository', '127.0.0.1')
    .option('-p, --port <PORT>', 'port to listen on', '5000')
    .option('--default-artifact-root <URI>', 'hand out file: artifact locations under this directory instead of proxying uploads into git (MLflow --no-serve-artifacts)')
    .option('--body-limit <BYTES>', 'largest JSON request body (artifact uploads are streamed and not limited by it)', String(16 * 1024 * 1024));
}

/** `git-ml server`: MLflow's tracking, registry and artifact REST API on the repository, and the web UI. */
export function serverCommand(ctx: CliContext): Command {
  return serverOptions(new Command('server').description("serve MLflow's REST API (tracking, model registry, artifact proxy) and the web UI, so MLflow clients log into git"))
    .addHelpText(
      'after',
      `
Point any MLflow client at it: MLFLOW_TRACKING_URI=http://127.0.0.1:5000. Runs, metrics, params, tags,
artifacts (uploaded through /api/2.0/mlflow-artifacts/) and registered models all land in the repository
as git-ml writes them (see docs/server.md). The web UI is at the same address (docs/ui.md).
Ctrl-C (or SIGTERM) stops it after folding everything.
${examples('git-ml server', 'git-ml server --repo ~/work/churn --port 5001', 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py')}`,
    )
    .action((opts: ServeOptions, cmd: Command) =>
      serve(ctx, opts, cmd, (url, repo) => `git-ml: serving MLflow's REST API for ${repo} at ${url} — MLFLOW_TRACKING_URI=${url}; web UI at ${url}/ ; Ctrl-C stops.\n`),
    );
}

/** `git-ml ui`: the same server, announced as the web UI. */
export function uiCommand(ctx: CliContext): Command {
  return serverOptions(new Command('ui').description('open the web UI: experiments, runs, charts, compare, registry (starts git-ml server and prints its URL)'))
    .addHelpText(
      'after',
      `
The UI reads the repository live: runs logged by any process, clone or MLflow client show up as they
are written, and every view's state is in its URL, so links can go into pull requests (docs/ui.md).
It is the same server as \`git-ml server\`, so MLflow clients can log to it at the same time.
${examples('git-ml ui', 'git-ml ui --repo ~/work/churn --port 5001')}`,
    )
    .action((opts: ServeOptions, cmd: Command) => serve(ctx, opts, cmd, (url, repo) => `git-ml: web UI for ${repo}: ${url}/  (MLflow clients: MLFLOW_TRACKING_URI=${url}); Ctrl-C stops.\n`));
}
