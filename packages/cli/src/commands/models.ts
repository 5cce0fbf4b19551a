import { NotFoundError, type MlClient } from '@git-ml/tracking';
import type { ModelVersion, RegisteredModel, RegisteredModelAlias, RegistryClient } from '@git-ml/registry';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addScoringCommands } from './models-serve.js';
import { UsageError } from '../errors.js';
import { formatTime } from '../output/format.js';
import { toJson } from '../output/json.js';
import { shellQuote } from '../output/shell.js';
import { formatPairs, formatTable } from '../output/table.js';
import { parseKeyValue, parsePositiveInt, repeatable } from '../parse/flags.js';
import { examples } from './help.js';
import { registerModelsAlias, registerModelsHistory } from './models-alias.js';
import { resolveRun } from '../resolve-run.js';

/** An MLflow registry filter that matches exactly this model name (a single quote is escaped by doubling it). */
export function nameFilter(name: string): string {
  return `name = '${name.replace(/'/g, "''")}'`;
}

/** `champion=3, challenger=2`: the form `git-ml models alias NAME champion=3` takes. */
export function formatAliases(aliases: RegisteredModelAlias[]): string {
  return aliases.map((a) => `${a.alias}=${a.version}`).join(', ');
}

const tagsOf = (pairs: [string, string][] | undefined) => Object.fromEntries(pairs ?? []);
const kvText = (tags: { key: string; value: string }[]) => tags.map((t) => `${t.key}=${t.value}`).join(', ');

/** Every live version of a model, newest first. */
export function allVersions(registry: RegistryClient, name: string): ModelVersion[] {
  return registry.searchModelVersions({ filter: nameFilter(name), maxResults: 50_000 }).model_versions;
}

const TAG_OPTION = ['--tag <KEY=VALUE>', 'set a tag; repeat for more'] as const;
const parseTag = repeatable((t) => parseKeyValue(t, 'team=vision'));

/** `git-ml models …`: the model registry (versions are git tags `NAME@vN`, records under refs/ml/registry/). */
export function modelsCommand(ctx: CliContext): Command {
  const { io } = ctx;
  const group = new Command('models')
    .description('register model versions, point aliases at them, and see who did what, when')
    .addHelpText(
      'after',
      `
A model version is an annotated git tag NAME@vN on the run commit that holds the model; the
model's description, tags and aliases are a commit chain on refs/ml/registry/NAME, one commit per
change. \`git-ml push\` and \`git-ml pull\` carry both.
${examples(
  'V=$(git-ml models register iris --source "runs:/$RUN/model")',
  'git-ml models alias iris champion "$V"',
  'git-ml models resolve models:/iris@champion',
  'git-ml models history iris',
)}`,
    );

  group
    .command('create')
    .description('create a registered model (with no versions yet) and print its name')
    .argument('<NAME>', 'model name (any printable text)')
    .option('--description <TEXT>', 'what the model is for')
    .option(...TAG_OPTION, parseTag)
    .option('--json', 'print {"registered_model": {...}} in MLflow\'s JSON shape')
    .addHelpText('after', examples('git-ml models create iris --description "Iris classifier" --tag team=vision'))
    .action((name: string, opts: { description?: string; tag?: [string, string][]; json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        const model = registry.createRegisteredModel(name, { description: opts.description, tags: tagsOf(opts.tag) });
        io.out(opts.json ? toJson({ registered_model: model }) : `${model.name}\n`);
      }),
    );

  group
    .command('register')
    .description('register a model from a run as the next version and print only its number')
    .argument('<NAME>', 'model name; created if it does not exist')
    .requiredOption('--source <URI>', "the model: runs:/RUN_ID/PATH, models:/NAME/VERSION, or a path inside --run-id's artifacts")
    .option('--run-id <ID>', 'the run the model belongs to (needed when --source is a plain path); a unique prefix of its id will do')
    .option('--description <TEXT>', 'what this version is')
    .option(...TAG_OPTION, parseTag)
    .option('--json', 'print {"model_version": {...}} in MLflow\'s JSON shape instead of the number')
    .addHelpText(
      'after',
      `
The path must exist in the run's artifacts (log it first with \`git-ml artifacts log\`). The
version is the tag NAME@vN on the run's commit: \`git show iris@v1\` prints its record.
${examples(
  'git-ml artifacts log "$RUN" out/model --artifact-path model',
  'V=$(git-ml models register iris --source "runs:/$RUN/model" --description "first try")',
  'git-ml models register iris --source model --run-id "$RUN" --tag stage=ci',
)}`,
    )
    .action((name: string, opts: { source: string; runId?: string; description?: string; tag?: [string, string][]; json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry, client) => {
        const isNew = !modelExists(registry, name);
        const mv = registry.createModelVersion(name, fullRunsUri(client, opts.source), opts.runId === undefined ? undefined : fullRunId(client, opts.runId), { description: opts.description, tags: tagsOf(opts.tag) });
        if (isNew) io.err(`git-ml: created registered model '${name}'\n`);
        io.out(opts.json ? toJson({ model_version: mv }) : `${mv.version}\n`);
      }),
    );

  group
    .command('list')
    .description('list registered models with their latest version and aliases')
    .option('--filter <EXPR>', `MLflow's registry filter on name or tags.KEY with =, !=, LIKE, ILIKE, e.g. "name LIKE 'iris%'"`)
    .option('--order-by <EXPR>', 'name, creation_timestamp or last_updated_timestamp, with ASC/DESC; repeat for ties (default: name ASC)', repeatable(String))
    .option('--max-results <N>', 'models per page (default 100, at most 50000)', parsePositiveInt)
    .option('--page-token <T>', 'continue where the previous page ended (its next_page_token)')
    .option('--json', 'print {"registered_models": [...], "next_page_token"?: "..."} in MLflow\'s JSON shape')
    .addHelpText('after', examples('git-ml models list', `git-ml models list --filter "name ILIKE '%iris%'" --order-by "last_updated_timestamp DESC"`, 'git-ml models list --json | jq -r ".registered_models[].name"'))
    .action((opts: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        const page = registry.searchRegisteredModels({ filter: opts.filter, orderBy: opts.orderBy, maxResults: opts.maxResults, pageToken: opts.pageToken });
        if (opts.json) {
          io.out(toJson(page.nextPageToken ? { registered_models: page.registered_models, next_page_token: page.nextPageToken } : { registered_models: page.registered_models }));
          return;
        }
        if (page.registered_models.length === 0) {
          io.err(opts.filter || opts.pageToken ? 'No registered models found.\n' : 'No registered models. Register one with `git-ml models register NAME --source runs:/RUN_ID/PATH`.\n');
          return;
        }
        const rows = page.registered_models.map((m) => [m.name, m.latest_versions[0]?.version ?? '-', formatAliases(m.aliases), formatTime(m.last_updated_timestamp), m.description]);
        const columns = [{ header: 'NAME', minWidth: 12 }, { header: 'LATEST', align: 'right' as const }, { header: 'ALIASES', minWidth: 12 }, { header: 'LAST UPDATED' }, { header: 'DESCRIPTION', minWidth: 12 }];
        io.out(`${formatTable(columns, rows, io.columns).join('\n')}\n`);
        if (page.nextPageToken) io.err(`More models follow: repeat the command with --page-token ${page.nextPageToken}\n`);
      }),
    );

  group
    .command('show')
    .description('show a registered model: description, tags, aliases and every version')
    .argument('<NAME>', 'model name')
    .option('--json', 'print {"registered_model": {...}, "model_versions": [...]} in MLflow\'s JSON shape (versions newest first)')
    .addHelpText('after', examples('git-ml models show iris', 'git-ml models show iris --json | jq ".model_versions[0].source"'))
    .action((name: string, opts: { json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        const model = registry.getRegisteredModel(name);
        const versions = allVersions(registry, name);
        if (opts.json) {
          io.out(toJson({ registered_model: model, model_versions: versions }));
          return;
        }
        io.out(showModel(model, versions, io.columns));
      }),
    );

  group
    .command('update')
    .description("change the description of a model, or of one of its versions")
    .argument('<NAME>', 'model name')
    .option('--version <N>', 'change this version instead of the model', parsePositiveInt)
    .requiredOption('--description <TEXT>', 'the new description ("" clears it)')
    .addHelpText('after', examples('git-ml models update iris --description "Iris classifier, sklearn"', 'git-ml models update iris --version 3 --description "retrained on 2024 data"'))
    .action((name: string, opts: { version?: number; description: string }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        if (opts.version === undefined) registry.updateRegisteredModel(name, { description: opts.description });
        else registry.updateModelVersion(name, opts.version, { description: opts.description });
        io.out(`Updated the description of ${what(name, opts.version)}.\n`);
      }),
    );

  group
    .command('tag')
    .description('set or delete tags of a model, or of one of its versions')
    .argument('<NAME>', 'model name')
    .argument('[KEY=VALUE...]', 'tags to set')
    .option('--version <N>', 'tag this version instead of the model', parsePositiveInt)
    .option('--delete <KEY>', 'delete this tag; repeat for more', repeatable(String))
    .addHelpText('after', examples('git-ml models tag iris team=vision owner=alice', 'git-ml models tag iris --version 3 validated=true', 'git-ml models tag iris --delete owner'))
    .action((name: string, pairs: string[], opts: { version?: number; delete?: string[] }, cmd: Command) => {
      const set = pairs.map((p) => {
        const at = p.indexOf('=');
        if (at <= 0) throw new UsageError(`tag '${p}' is not KEY=VALUE; e.g. \`git-ml models tag ${shellQuote(name)} team=vision\`.`);
        return [p.slice(0, at), p.slice(at + 1)] as const;
      });
      if (set.length === 0 && !opts.delete?.length) throw new UsageError(`nothing to do: give KEY=VALUE tags to set or --delete KEY, e.g. \`git-ml models tag ${shellQuote(name)} team=vision\`.`);
      return ctx.withRegistry(cmd, (registry) => {
        for (const [key, value] of set) {
          if (opts.version === undefined) registry.setRegisteredModelTag(name, key, value);
          else registry.setModelVersionTag(name, opts.version, key, value);
          io.out(`Set tag ${key}=${value} on ${what(name, opts.version)}.\n`);
        }
        for (const key of opts.delete ?? []) {
          if (opts.version === undefined) registry.deleteRegisteredModelTag(name, key);
          else registry.deleteModelVersionTag(name, opts.version, key);
          io.out(`Deleted tag ${key} of ${what(name, opts.version)}.\n`);
        }
      });
    });

  registerModelsAlias(group, ctx);
  registerModelsHistory(group, ctx);

  group
    .command('resolve')
    .description('say which run, commit and artifact path a model URI points at')
    .argument('<URI>', 'models:/NAME/VERSION, models:/NAME/latest, models:/NAME@ALIAS or runs:/RUN_ID/PATH')
    .option('--json', 'print {"uri", "name", "version", "alias"?, "run_id", "commit", "artifact_path", "tag"}')
    .addHelpText('after', examples('git-ml models resolve models:/iris@champion', 'git-ml models resolve models:/iris/latest --json | jq -r .commit'))
    .action((uri: string, opts: { json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        const r = registry.resolve(uri);
        if (opts.json) {
          io.out(toJson(r));
          return;
        }
        const pairs: [string, string][] = [];
        if (r.name !== undefined) pairs.push(['name', r.name]);
        if (r.version !== undefined) pairs.push(['version', r.version]);
        if (r.alias !== undefined) pairs.push(['alias', r.alias]);
        pairs.push(['run id', r.run_id], ['commit', r.commit], ['artifact path', r.artifact_path || '(the whole artifact root)']);
        if (r.tag) pairs.push(['tag', r.tag.replace(/^refs\/tags\//, '')]);
        io.out(`${r.uri}\n${formatPairs(pairs, io.columns).join('\n')}\n`);
      }),
    );

  group
    .command('download')
    .description("copy a model's files out of git and print the path written")
    .argument('<URI>', 'models:/NAME/VERSION, models:/NAME/latest, models:/NAME@ALIAS or runs:/RUN_ID/PATH')
    .option('-o, --output <DEST>', "local directory to write into; the model's artifact path is recreated under it", '.')
    .addHelpText('after', examples('git-ml models download models:/iris@champion -o /tmp/serve   # writes /tmp/serve/model'))
    .action((uri: string, opts: { output: string }, cmd: Command) =>
      ctx.withRegistry(cmd, async (registry) => {
        io.out(`${await registry.downloadArtifacts(uri, opts.output)}\n`);
      }),
    );

  addScoringCommands(group, ctx);

  group
    .command('delete')
    .description('delete a model version, or a whole registered model with its versions')
    .argument('<NAME>', 'model name')
    .option('--version <N>', 'delete only this version (its aliases go with it)', parsePositiveInt)
    .addHelpText(
      'after',
      `
Deleting is recorded, not erased: the version tags stay in git and \`git-ml models history\` shows
who deleted what, when. Deleted version numbers are never reused.
${examples('git-ml models delete iris --version 2', 'git-ml models delete scratch-model')}`,
    )
    .action((name: string, opts: { version?: number }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        if (opts.version !== undefined) {
          const aliases = registry.getModelVersion(name, opts.version).aliases;
          registry.deleteModelVersion(name, opts.version);
          io.out(`Deleted version ${opts.version} of '${name}'${aliases.length ? ` and its alias${aliases.length === 1 ? '' : 'es'} ${aliases.join(', ')}` : ''}.\n`);
          return;
        }
        const count = allVersions(registry, name).length;
        registry.deleteRegisteredModel(name);
        io.out(`Deleted registered model '${name}' with its ${count} version${count === 1 ? '' : 's'}. Its history stays: \`git-ml models history ${shellQuote(name)}\`.\n`);
      }),
    );

  return group;
}

function modelExists(registry: RegistryClient, name: string): boolean {
  try {
    registry.getRegisteredModel(name);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** `'iris'` or `'iris' v3`, for messages. */
function what(name: string, version: number | undefined): string {
  return version === undefined ? `'${name}'` : `'${name}' v${version}`;
}

function showModel(model: RegisteredModel, versions: ModelVersion[], width: number): string {
  const pairs: [string, string][] = [
    ['description', model.description || '-'],
    ['created', `${formatTime(model.creation_timestamp)}${model.user_id ? ` by ${model.user_id}` : ''}`],
    ['last updated', formatTime(model.last_updated_timestamp)],
    ['tags', kvText(model.tags) || '-'],
    ['aliases', formatAliases(model.aliases) || '-'],
  ];
  const out = [`Registered model ${model.name}`, ...formatPairs(pairs, width), ''];
  if (versions.length === 0) {
    out.push(`No versions. Register one with \`git-ml models register ${shellQuote(model.name)} --source runs:/RUN_ID/PATH\`.`);
  } else {
    const rows = versions.map((v) => [v.version, v.aliases.join(', '), formatTime(v.creation_timestamp), v.user_id, v.source, v.description, kvText(v.tags)]);
    const columns = [
      { header: 'VERSION', align: 'right' as const },
      { header: 'ALIASES', minWidth: 10 },
      { header: 'CREATED' },
      { header: 'USER', minWidth: 6 },
      { header: 'SOURCE', minWidth: 20 },
      { header: 'DESCRIPTION', minWidth: 12, optional: true },
      { header: 'TAGS', minWidth: 12, optional: true },
    ];
    out.push(...formatTable(columns, rows, width));
  }
  return `${out.join('\n')}\n`;
}

/** `runs:/PREFIX/path` with the run's full id, so the version records the id (a prefix may become ambiguous later). */
function fullRunsUri(client: MlClient, source: string): string {
  const m = /^runs:\/([^/]+)(\/.*)?$/.exec(source);
  return m ? `runs:/${fullRunId(client, m[1])}${m[2] ?? ''}` : source;
}

/** A shortened run id made whole; a full-length one is left for the registry to check (its errors say more). */
function fullRunId(client: MlClient, id: string): string {
  return /^[0-9a-f]{32}$/.test(id) ? id : resolveRun(client, id);
}
