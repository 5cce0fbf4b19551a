import { readFileSync, writeFileSync } from 'node:fs';
import { loadModel, parseCsvPayload, parseJsonPayload, predictionsBody, serveModel, BadInputError, DEFAULT_INPUT_LIMITS, type LoadedModel } from '@git-ml/models';
import { Command, Option } from 'commander';
import { GitMlError } from '@git-ml/tracking';
import type { CliContext } from '../context.js';
import { examples } from './help.js';

const MODEL_URI = 'the model: a directory, runs:/RUN_ID/PATH, models:/NAME/VERSION, models:/NAME/latest or models:/NAME@ALIAS';

async function load(ctx: CliContext, cmd: Command, uri: string): Promise<LoadedModel> {
  // a local model directory needs no repository; runs:/ and models:/ URIs are resolved in one
  if (!/^(runs|models):\//.test(uri)) return loadModel(uri);
  return ctx.withClient(cmd, (client) => loadModel(uri, { client }));
}

function limit(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new BadInputError(`Invalid ${flag} '${v}': a positive whole number.`);
  return n;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new BadInputError(`Invalid --port '${v}': a number from 0 to 65535.`);
  return n;
}

/** What to do when the server cannot listen: the port is taken, or binding it needs privileges; null for other errors. */
function listenError(err: unknown, host: string, p: number): GitMlError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new GitMlError(
      'PORT_IN_USE',
      `Port ${p} on ${host} is already in use (another \`git-ml models serve\`, or another server). ` +
        `Pick another with --port (e.g. --port ${p === 65535 ? 5001 : p + 1}, or --port 0 for any free port), or stop what listens there (\`lsof -i :${p}\` shows it).`,
      { host, port: p },
    );
  }
  if (code === 'EACCES') return new GitMlError('PORT_NOT_ALLOWED', `Not allowed to listen on port ${p} on ${host} (ports below 1024 need privileges). Use --port 5000 or another port above 1023.`, { host, port: p });
  if (code === 'EADDRNOTAVAIL') return new GitMlError('HOST_NOT_AVAILABLE', `Cannot listen on --host ${host}: no network interface of this machine has that address. Use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).`, { host });
  return null;
}

/** `git-ml models serve` and `git-ml models predict`: MLflow's scoring protocol over HTTP and for files. */
export function addScoringCommands(group: Command, ctx: CliContext): void {
  const { io } = ctx;
  group
    .command('serve')
    .description("serve a model over HTTP with MLflow's scoring protocol (POST /invocations)")
    .requiredOption('-m, --model-uri <URI>', MODEL_URI)
    .option('--host <HOST>', 'address to bind; other machines can reach it only if you say so (e.g. 0.0.0.0)', '127.0.0.1')
    .option('-p, --port <PORT>', 'port to listen on', '5000')
    .option('--body-limit <BYTES>', 'largest request body accepted (bigger ones get 413)', String(20 * 1024 * 1024))
    .option('--max-rows <N>', 'most data rows per request (more get 400 INVALID_PARAMETER_VALUE)', String(DEFAULT_INPUT_LIMITS.maxRows))
    .option('--max-cells <N>', 'most values per request, every number, string, boolean or null (more get 400)', String(DEFAULT_INPUT_LIMITS.maxCells))
    .option('--max-depth <N>', 'deepest nesting of lists and objects in a JSON body (deeper gets 400)', String(DEFAULT_INPUT_LIMITS.maxDepth))
    .addHelpText(
      'after',
      `
Endpoints: GET /ping, GET /health, GET /version, POST /invocations with JSON (dataframe_split,
dataframe_records, instances or inputs, optional params) or CSV with a header row. Answers
{"predictions": …}; bad input gets 400 {"error_code": "BAD_REQUEST", "message": …}, input past
--max-rows, --max-cells or --max-depth 400 {"error_code": "INVALID_PARAMETER_VALUE", …}. Ctrl-C stops it.
${examples(
  'git-ml models serve -m models:/iris@champion --port 5001',
  `curl -s localhost:5001/invocations -H 'content-type: application/json' -d '{"dataframe_split": {"columns": ["f0","f1"], "data": [[0.1, 2.3]]}}'`,
)}`,
    )
    .action(async (opts: { modelUri: string; host: string; port: string; bodyLimit: string; maxRows: string; maxCells: string; maxDepth: string }, cmd: Command) => {
      const limits = { maxRows: limit('--max-rows', opts.maxRows), maxCells: limit('--max-cells', opts.maxCells), maxDepth: limit('--max-depth', opts.maxDepth) };
      const p = port(opts.port);
      const model = await load(ctx, cmd, opts.modelUri);
      let served: Awaited<ReturnType<typeof serveModel>>;
      try {
        served = await serveModel(model, { host: opts.host, port: p, bodyLimit: Number(opts.bodyLimit), ...limits });
      } catch (err) {
        await model.close();
        throw listenError(err, opts.host, p) ?? err;
      }
      const { app, url } = served;
      io.err(`git-ml: serving ${opts.modelUri} (flavor ${model.flavor}) at ${url} — POST ${url}/invocations; Ctrl-C stops.\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void app.close().then(() => model.close()).then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  group
    .command('predict')
    .description('predict for a JSON or CSV file, with the same input formats and output as /invocations')
    .requiredOption('-m, --model-uri <URI>', MODEL_URI)
    .requiredOption('-i, --input-path <FILE>', 'the input file (- for standard input)')
    .option('-o, --output-path <FILE>', 'write {"predictions": …} here instead of standard output')
    .addOption(new Option('-t, --content-type <TYPE>', 'the input format (default: from the file name, else json)').choices(['json', 'csv']))
    .addHelpText('after', examples('git-ml models predict -m models:/iris/2 -i rows.json', 'git-ml models predict -m ./model -i test.csv -o predictions.json'))
    .action(async (opts: { modelUri: string; inputPath: string; outputPath?: string; contentType?: 'json' | 'csv' }, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(opts.inputPath === '-' ? 0 : opts.inputPath, 'utf8');
      } catch (err) {
        throw new BadInputError(`Cannot read ${opts.inputPath}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
      }
      const type = opts.contentType ?? (opts.inputPath.toLowerCase().endsWith('.csv') ? 'csv' : 'json');
      const model = await load(ctx, cmd, opts.modelUri);
      try {
        let parsed;
        if (type === 'csv') parsed = { input: parseCsvPayload(text, model.schema) };
        else {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (err) {
            throw new BadInputError(`${opts.inputPath} is not valid JSON: ${(err as Error).message}`);
          }
          parsed = parseJsonPayload(json, model.schema);
        }
        const out = `${predictionsBody(await model.predictInput(parsed.input, parsed.params))}\n`;
        if (opts.outputPath) writeFileSync(opts.outputPath, out);
        else io.out(out);
      } finally {
        await model.close();
      }
    });
}
