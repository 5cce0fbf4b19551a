import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidParameterError, type MlClient } from '@git-ml/tracking';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { walkArtifacts } from '../artifact-walk.js';
import { formatBytes } from '../output/format.js';
import { byteProgress } from '../output/progress.js';
import { toJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { examples, RUN_ID_HELP } from './help.js';
import { resolveRun } from '../resolve-run.js';

/** `git-ml artifacts …`: log, list, get. */
export function artifactsCommand(ctx: CliContext): Command {
  const { io } = ctx;
  const group = new Command('artifacts')
    .description('store files in a run, list them, and copy them back out')
    .addHelpText('after', examples('git-ml artifacts log "$RUN" outputs/ --artifact-path outputs', 'git-ml artifacts get "$RUN" outputs -o restored'));

  group
    .command('log')
    .description('store a file or a directory (recursively) in a run\'s artifacts')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .argument('<PATH>', 'a local file or directory')
    .option('--artifact-path <DIR>', "directory inside the run's artifacts (default: the root)")
    .addHelpText(
      'after',
      `\nA file keeps its name (DIR/name); a directory's contents go under DIR.${examples('git-ml artifacts log "$RUN" model.onnx --artifact-path model', 'git-ml artifacts log "$RUN" plots/ --artifact-path plots')}`,
    )
    .action((prefix: string, path: string, opts: { artifactPath?: string }, cmd: Command) =>
      ctx.withClient(cmd, async (client) => {
        const runId = resolveRun(client, prefix);
        const st = statSync(path, { throwIfNoEntry: false });
        if (!st) throw new InvalidParameterError(`Cannot log ${path}: no such file or directory.`, { path });
        const dir = (opts.artifactPath ?? '').replace(/^\.?\/+|\/+$/g, '');
        const bar = byteProgress(io, `Logging ${basename(path)}`, st.isDirectory() ? localBytes(path) : st.size);
        try {
          if (st.isDirectory()) await client.logArtifacts(runId, path, opts.artifactPath, bar);
          else await client.logArtifact(runId, path, opts.artifactPath, bar);
        } finally {
          bar.stop();
        }
        io.out(st.isDirectory() ? `Logged ${path} to runs:/${runId}/${dir}\n` : `Logged ${path} to runs:/${runId}/${dir ? `${dir}/` : ''}${basename(path)}\n`);
      }),
    );

  group
    .command('list')
    .description("list a run's artifacts (one directory level)")
    .argument('<RUN_ID>', RUN_ID_HELP)
    .argument('[PATH]', 'a directory inside the run\'s artifacts (default: the root)')
    .option('--json', 'print {"root_uri": "...", "files": [{"path", "is_dir", "file_size"}]} as MLflow does')
    .addHelpText('after', examples('git-ml artifacts list "$RUN"', 'git-ml artifacts list "$RUN" model --json'))
    .action((prefix: string, path: string | undefined, opts: { json?: boolean }, cmd: Command) =>
      ctx.withClient(cmd, (client) => {
        const runId = resolveRun(client, prefix);
        const files = client.listArtifacts(runId, path);
        if (opts.json) {
          io.out(toJson({ root_uri: client.getRun(runId).info.artifact_uri, files }));
          return;
        }
        if (files.length === 0) {
          io.err(`No artifacts${path ? ` under '${path}'` : ''} in run ${runId}.\n`);
          return;
        }
        const rows = files.map((f) => [f.is_dir ? `${f.path}/` : f.path, f.is_dir ? 'dir' : formatBytes(f.file_size)]);
        io.out(`${formatTable([{ header: 'PATH', minWidth: 20 }, { header: 'SIZE', align: 'right' }], rows, io.columns).join('\n')}\n`);
      }),
    );

  group
    .command('get')
    .description('copy an artifact file or directory out of a run; prints the path written')
    .argument('<RUN_ID>', RUN_ID_HELP)
    .argument('<PATH>', "a file or directory inside the run's artifacts ('.' for all)")
    .option('-o, --output <DEST>', 'local directory to write into; PATH is recreated under it', '.')
    .addHelpText('after', examples('git-ml artifacts get "$RUN" model -o /tmp/out   # writes /tmp/out/model', 'git-ml artifacts get "$RUN" . -o restored'))
    .action((runId: string, path: string, opts: { output: string }, cmd: Command) =>
      ctx.withClient(cmd, async (client) => {
        const run = resolveRun(client, runId);
        const bar = byteProgress(io, `Copying ${basename(path) || 'artifacts'}`, io.errIsTty ? artifactBytes(client, run, path) : 0);
        let written: string;
        try {
          written = await client.downloadArtifacts(run, path, opts.output, bar);
        } finally {
          bar.stop();
        }
        io.out(`${written}\n`);
      }),
    );

  return group;
}

/** Bytes of the files under a local directory (links followed, as logging does), for the progress bar. */
function localBytes(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name === '.git') continue;
    const st = statSync(join(dir, d.name), { throwIfNoEntry: false });
    if (st?.isDirectory()) n += localBytes(join(dir, d.name));
    else if (st?.isFile()) n += st.size;
  }
  return n;
}

/** Bytes of an artifact file or directory (sizes from object headers, nothing is read), for the progress bar. */
function artifactBytes(client: MlClient, runId: string, path: string): number {
  const clean = path.replace(/^\.?\/*|\/+$/g, '');
  const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
  const self = clean ? client.listArtifacts(runId, parent).find((f) => f.path === clean) : undefined;
  if (self && !self.is_dir) return self.file_size ?? 0;
  return walkArtifacts(client, runId, clean).files.reduce((n, f) => n + (f.is_dir ? 0 : (f.file_size ?? 0)), 0);
}
