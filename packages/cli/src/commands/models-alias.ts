import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { toJson } from '../output/json.js';
import { shellQuote } from '../output/shell.js';
import { formatTable } from '../output/table.js';
import { examples } from './help.js';

export type AliasRequest = { kind: 'delete'; alias: string } | { kind: 'set'; aliases: Record<string, string> };

/**
 * The words after NAME in `git-ml models alias`: `ALIAS VERSION`, or `ALIAS=VERSION…` (several, moved
 * together), or with --delete one `ALIAS`. An alias cannot contain '=' (MLflow allows only letters,
 * digits, '_' and '-'), so the '=' tells the forms apart.
 */
export function parseAliasArgs(name: string, words: string[], del: boolean): AliasRequest {
  const n = shellQuote(name);
  if (del) {
    if (words.length !== 1 || words[0].includes('=')) throw new UsageError(`--delete takes the model and one alias, e.g. \`git-ml models alias --delete ${n} challenger\`.`);
    return { kind: 'delete', alias: words[0] };
  }
  if (words.every((w) => w.includes('='))) {
    const aliases: Record<string, string> = {};
    for (const w of words) {
      const at = w.indexOf('=');
      const [alias, version] = [w.slice(0, at), w.slice(at + 1)];
      if (!alias || !version) throw new UsageError(`'${w}' is not ALIAS=VERSION, e.g. champion=3.`);
      if (alias in aliases) throw new UsageError(`alias '${alias}' is given twice (=${aliases[alias]} and =${version}); give each alias one version.`);
      aliases[alias] = version;
    }
    return { kind: 'set', aliases };
  }
  if (words.length === 2 && !words.some((w) => w.includes('='))) return { kind: 'set', aliases: { [words[0]]: words[1] } };
  throw new UsageError(`expected ALIAS VERSION or ALIAS=VERSION pairs after the model name, e.g. \`git-ml models alias ${n} champion 3\` or \`git-ml models alias ${n} champion=3 challenger=2\`.`);
}

/** `git-ml models alias`: set, move (several at once, atomically) and delete aliases. */
export function registerModelsAlias(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('alias')
    .usage('[options] NAME ALIAS VERSION | NAME ALIAS=VERSION... | --delete NAME ALIAS')
    .description('point an alias (champion, challenger, …) at a version, move several at once, or delete one')
    .argument('<NAME>', 'model name')
    .argument('<ALIAS...>', 'ALIAS and VERSION as two words; or ALIAS=VERSION pairs, moved in one atomic change; or, with --delete, the ALIAS alone')
    .option('--delete', 'delete the alias instead')
    .addHelpText(
      'after',
      `
Forms:
  git-ml models alias NAME ALIAS VERSION              point ALIAS at VERSION (moving it if set)
  git-ml models alias NAME ALIAS=VERSION...           point several aliases at once: all or none
  git-ml models alias --delete NAME ALIAS             delete ALIAS

An alias has letters, digits, '_' and '-' only (at most 255); 'latest' and 'v<digits>' are
reserved. Every move is recorded: see \`git-ml models history NAME\`. Use the alias in URIs:
models:/NAME@ALIAS.
${examples('git-ml models alias iris champion 3', 'git-ml models alias iris champion=3 challenger=2', 'git-ml models alias --delete iris challenger')}`,
    )
    .action((name: string, words: string[], opts: { delete?: boolean }, cmd: Command) => {
      const req = parseAliasArgs(name, words, opts.delete === true);
      return ctx.withRegistry(cmd, (registry) => {
        const before = new Map(registry.getRegisteredModel(name).aliases.map((a) => [a.alias, a.version]));
        if (req.kind === 'delete') {
          registry.deleteRegisteredModelAlias(name, req.alias);
          io.out(`Deleted alias ${req.alias} of '${name}' (it pointed at v${before.get(req.alias)}).\n`);
          return;
        }
        registry.setRegisteredModelAliases(name, req.aliases);
        for (const [alias, version] of Object.entries(req.aliases)) {
          const was = before.get(alias);
          const v = String(Number(version));
          io.out(`Pointed ${alias} of '${name}' at v${v}${was === undefined ? '' : was === v ? ' (unchanged)' : ` (was v${was})`}.\n`);
        }
      });
    });
}

/** `2024-05-01T12:00:00Z`: ISO 8601 in UTC, to the second. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `git-ml models history NAME`: every registration, alias move, edit and deletion, oldest first. */
export function registerModelsHistory(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('history')
    .description('show every registration, alias move, edit and deletion of a model, oldest first')
    .argument('<NAME>', 'model name (deleted models have a history too)')
    .option('--json', 'print {"history": [{"timestamp", "user", "action", "version"?, "alias"?, "detail", "object"}]}; timestamp in ms, object the git tag or commit that records it')
    .addHelpText('after', `\nEach entry is a git object: a version tag (\`git show iris@v2\`) or a record commit (\`git log refs/ml/registry/iris\`).${examples('git-ml models history iris', 'git-ml models history iris --json | jq \'.history[] | select(.alias == "champion")\'')}`)
    .action((name: string, opts: { json?: boolean }, cmd: Command) =>
      ctx.withRegistry(cmd, (registry) => {
        const history = registry.history(name);
        if (opts.json) {
          io.out(toJson({ history }));
          return;
        }
        const rows = history.map((e) => [isoTime(e.timestamp), e.user, e.action, e.version ?? '', e.alias ?? '', e.detail]);
        const columns = [{ header: 'TIME' }, { header: 'USER', minWidth: 6 }, { header: 'ACTION' }, { header: 'VERSION', align: 'right' as const }, { header: 'ALIAS', minWidth: 8 }, { header: 'DETAIL', minWidth: 20 }];
        io.out(`${formatTable(columns, rows, io.columns).join('\n')}\n`);
      }),
    );
}
