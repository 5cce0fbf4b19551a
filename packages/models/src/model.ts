import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitMlError } from '@git-ml/gitstore';
import { RegistryClient } from '@git-ml/registry';
import { activeRun, getClient, MlClient, downloadArtifactTree, findArtifactEntry } from '@git-ml/tracking';
import { FlavorNotAvailableError, ModelFormatError } from './errors.js';
import { importFlavors, KNOWN_PACKAGES, type Flavor, type Prediction, type Predictor } from './flavor.js';
import { InputSchema, toModelInput, type ModelInput } from './input.js';
import { GENERIC_FLAVOR, GenericFlavorSchema, readMLmodel, writeMLmodel, type MLmodel } from './mlmodel.js';
import { inferSpec, readSignature, signatureToMLmodel, type Signature } from './signature.js';
import { gitOf } from '@git-ml/tracking/internal';

export const GIT_ML_VERSION = '0.1.0';

export interface SaveOptions<M> {
  /** the flavor that saves it; default: the first installed known flavor that `accepts` the model */
  flavor?: Flavor<M>;
  signature?: Signature;
  /** a few input rows, saved beside the model as `input_example.json` (MLflow's format) */
  inputExample?: unknown;
  metadata?: Record<string, unknown>;
  /** extra MLmodel fields (run_id, artifact_path) */
  mlmodel?: Partial<MLmodel>;
}

/** A model loaded from a directory or URI, ready to predict. */
export class LoadedModel {
  readonly schema: InputSchema;
  constructor(
    readonly dir: string,
    readonly mlmodel: MLmodel,
    readonly flavor: string,
    private readonly predictor: Predictor,
  ) {
    this.declared = readSignature(mlmodel);
    this.schema = new InputSchema(this.declared ?? predictor.inputSignature ?? null);
  }

  private readonly declared: Signature | null;

  /** The signature MLmodel declares (null when it has none, even where the flavor describes its input). */
  get signature(): Signature | null {
    return this.declared;
  }

  /** Predicts for rows of objects, `{ column: values }`, `{ columns, data }`, a number matrix, or tensors. */
  predict(input: unknown, params?: Record<string, unknown>): Prediction | Promise<Prediction> {
    return this.predictor.predict(toModelInput(input, this.schema), params);
  }

  /** Class probabilities (columns in `classes` order), or null when the model has none. */
  async predictProba(input: unknown): Promise<number[][] | null> {
    return this.predictor.predictProba ? await this.predictor.predictProba(toModelInput(input, this.schema)) : null;
  }

  get classes(): number[] | undefined {
    return this.predictor.classes;
  }

  /** Predicts for input already in git-ml's form (the scoring server's path). */
  predictInput(input: ModelInput, params?: Record<string, unknown>): Prediction | Promise<Prediction> {
    return this.predictor.predict(input, params);
  }

  async close(): Promise<void> {
    await this.predictor.close?.();
  }
}

async function pickFlavor<M>(model: M, given?: Flavor<M>): Promise<Flavor<M>> {
  if (given) return given;
  for (const pkg of new Set(Object.values(KNOWN_PACKAGES))) {
    try {
      for (const f of await importFlavors(pkg)) if (f.accepts?.(model)) return f as Flavor<M>;
    } catch {
      // not installed
    }
  }
  throw new FlavorNotAvailableError('No installed flavor accepts this model object; pass { flavor } (e.g. the `flavor` export of @git-ml/flavor-linear).');
}

/** Saves a model into `dir` (which must not exist or be empty): the flavor's files, MLmodel, input example. */
export async function saveModel<M>(model: M, dir: string, options: SaveOptions<M> = {}): Promise<MLmodel> {
  const out = resolve(dir);
  if (existsSync(out) && readdirSync(out).length > 0) throw new ModelFormatError(`${out} is not empty; save a model into a new directory.`, { path: out });
  mkdirSync(out, { recursive: true });
  const flavor = await pickFlavor(model, options.flavor);
  const config = await flavor.save(model, { dir: out });
  const mlmodel: MLmodel = {
    ...options.mlmodel,
    flavors: {
      [flavor.name]: config,
      [GENERIC_FLAVOR]: GenericFlavorSchema.parse({ loader_package: flavor.package, flavor: flavor.name, ...(flavor.version ? { package_version: flavor.version } : {}) }),
    },
    model_uuid: randomUUID().replace(/-/g, ''),
    utc_time_created: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    git_ml_version: GIT_ML_VERSION,
  };
  if (options.signature) mlmodel.signature = signatureToMLmodel(options.signature);
  if (options.inputExample !== undefined) {
    const ex = options.inputExample;
    const tensor = Array.isArray(ex) && Array.isArray(ex[0]) && !options.signature?.inputs.some((s) => s.type !== 'tensor');
    if (tensor) {
      writeFileSync(join(out, 'input_example.json'), JSON.stringify({ inputs: ex }));
      mlmodel.saved_input_example_info = { artifact_path: 'input_example.json', type: 'ndarray', format: 'tf-serving' };
    } else {
      const frame = toModelInput(ex, new InputSchema(options.signature ?? { inputs: inferSpec(ex) }));
      if (frame.kind === 'frame') writeFileSync(join(out, 'input_example.json'), JSON.stringify({ columns: frame.frame.columns, data: frame.frame.data }));
      mlmodel.saved_input_example_info = { artifact_path: 'input_example.json', type: 'dataframe', pandas_orient: 'split' };
    }
  }
  if (options.metadata) mlmodel.metadata = options.metadata;
  mlmodel.model_size_bytes = dirSize(out);
  writeMLmodel(out, mlmodel);
  return mlmodel;
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

export interface LoadOptions {
  /** the repository for runs:/ and models:/ URIs (default: as MlClient finds it) */
  repo?: string;
  client?: MlClient;
}

/** The local directory of a model URI: paths as they are; runs:/ and models:/ copied out of git once, cached by tree. */
export async function modelDir(uri: string, options: LoadOptions = {}): Promise<string> {
  if (!/^(runs|models):\//.test(uri)) return uri.startsWith('file:') ? fileURLToPath(uri) : resolve(uri);
  const client = options.client ?? new MlClient({ repo: options.repo });
  try {
    const reg = new RegistryClient({ tracking: client });
    const r = reg.resolve(uri);
    const git = gitOf(client);
    const tree = git.objects.readTree(git.objects.readCommit(r.commit).tree).find((e) => e.name === 'artifacts')?.oid ?? null;
    const entry = findArtifactEntry(git, tree, r.artifact_path);
    if (!entry) throw new ModelFormatError(`${uri}: the run has no artifact '${r.artifact_path}'.`, { uri });
    // checked in git, before any copy, so the error names the URI and the run's artifact, not a cache path
    const mlmodelEntry = entry.mode === '40000' ? git.objects.readTree(entry.oid).find((e) => e.name === 'MLmodel') : undefined;
    if (!mlmodelEntry || mlmodelEntry.mode === '40000') {
      const what = entry.mode === '40000' ? 'a directory without an MLmodel file' : 'a file, not a model directory';
      throw new ModelFormatError(
        `${uri}: artifact '${r.artifact_path}' of run ${r.run_id} is ${what}, so it is not a saved model. ` +
          `See what the run holds with \`git ml artifacts list ${r.run_id} ${r.artifact_path}\`; a model is logged with logModel (or saveModel into the run's artifacts), which writes the MLmodel file.`,
        { uri, run_id: r.run_id, artifact_path: r.artifact_path },
      );
    }
    const cache = join(git.area('cache/models'), entry.oid);
    if (!existsSync(join(cache, 'MLmodel'))) {
      await fillCache(cache, (tmp) => downloadArtifactTree(git, tree, r.artifact_path, tmp, r.run_id)).catch((err: unknown) => {
        // git-ml's own errors pass through, except damage to the repository: that one names the URI
        if (err instanceof GitMlError && !['CORRUPT_OBJECT', 'CORRUPT_PACK', 'OBJECT_NOT_FOUND'].includes(err.code)) throw err;
        throw new ModelFormatError(
          `${uri}: copying artifact '${r.artifact_path}' of run ${r.run_id} out of git failed (${err instanceof Error ? err.message : String(err)}). The repository may be damaged: run \`git fsck\` and fetch the missing or broken objects again.`,
          { uri },
          err,
        );
      });
    }
    return cache;
  } finally {
    if (!options.client) client.close();
  }
}

/** A `.tmp-*` copy older than this was left by a process that died mid-copy. */
const STALE_TMP_MS = 24 * 3600 * 1000;

/**
 * Copies a model into `cache` through a `.tmp-*` sibling renamed into place, so the cache entry
 * appears whole or not at all. The copy is removed on every failure; an entry without an MLmodel
 * (left by an older git-ml or by hand) is replaced, and copies that dead processes left are swept.
 */
async function fillCache(cache: string, copy: (tmp: string) => Promise<string>): Promise<void> {
  const parent = dirname(cache);
  mkdirSync(parent, { recursive: true });
  sweepStaleCopies(parent);
  const tmp = mkdtempSync(join(parent, '.tmp-'));
  try {
    const from = await copy(tmp);
    try {
      renameSync(from, cache);
    } catch (err) {
      if (existsSync(join(cache, 'MLmodel'))) return; // another process cached it first
      if (!existsSync(cache)) throw err;
      rmSync(cache, { recursive: true, force: true });
      try {
        renameSync(from, cache);
      } catch (again) {
        if (!existsSync(join(cache, 'MLmodel'))) throw again;
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function sweepStaleCopies(parent: string): void {
  const now = Date.now();
  for (const name of readdirSync(parent)) {
    if (!name.startsWith('.tmp-')) continue;
    try {
      if (now - statSync(join(parent, name)).mtimeMs > STALE_TMP_MS) rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // another process removed it
    }
  }
}

/** Loads a model from a path, `runs:/…`, `models:/name/N`, `models:/name/latest` or `models:/name@alias`. */
export async function loadModel(uri: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const dir = await modelDir(uri, options);
  const mlmodel = readMLmodel(dir);
  const flavors = mlmodel.flavors;
  const generic = flavors[GENERIC_FLAVOR] ? GenericFlavorSchema.safeParse(flavors[GENERIC_FLAVOR]) : null;
  let pkg: string | undefined;
  let name: string | undefined;
  if (generic?.success) {
    pkg = generic.data.loader_package;
    name = generic.data.flavor;
  } else {
    name = Object.keys(flavors).find((f) => KNOWN_PACKAGES[f]);
    pkg = name ? KNOWN_PACKAGES[name] : undefined;
  }
  if (!pkg || !name) {
    const known = Object.keys(KNOWN_PACKAGES).join(', ');
    if (flavors.python_function) {
      const loader = (flavors.python_function as Record<string, unknown>).loader_module ?? 'a Python module';
      throw new FlavorNotAvailableError(
        `${uri} was saved by MLflow in Python (python_function, loader ${String(loader)}) with no flavor git-ml can load; it needs Python (mlflow.pyfunc.load_model). ` +
          `git-ml loads these flavors: ${known}, and any model saved by a git-ml flavor plugin. Re-export it as ONNX to use it here.`,
        { uri, flavors: Object.keys(flavors) },
      );
    }
    throw new FlavorNotAvailableError(`${uri} has flavors ${Object.keys(flavors).join(', ') || '(none)'}; git-ml loads ${known} and models saved by git-ml flavor plugins.`, { uri });
  }
  const flavor = (await importFlavors(pkg)).find((f) => f.name === name);
  if (!flavor) throw new FlavorNotAvailableError(`Package '${pkg}' has no flavor '${name}'; update it (npm install ${pkg}@latest).`, { package: pkg, flavor: name });
  const predictor = await flavor.load({ dir, mlmodel, config: (flavors[name] ?? {}) as Record<string, unknown> });
  return new LoadedModel(dir, mlmodel, name, predictor);
}

/** The saved input example of a model directory, or null. */
export async function readInputExample(dir: string, mlmodel: MLmodel): Promise<unknown> {
  const info = mlmodel.saved_input_example_info as { artifact_path?: string } | undefined;
  if (!info?.artifact_path) return null;
  return JSON.parse(await readFile(join(dir, info.artifact_path), 'utf8'));
}

export interface LogModelOptions<M> extends SaveOptions<M> {
  /** register the logged model as a new version of this registered model */
  registeredModelName?: string;
  /** default: the active run (startRun) */
  runId?: string;
  client?: MlClient;
}

/** Saves a model into the run's artifacts at `artifactPath`, optionally registering it. */
export async function logModel<M>(model: M, artifactPath: string, options: LogModelOptions<M> = {}): Promise<{ model_uri: string; run_id: string; artifact_path: string; registered_model_version?: string }> {
  const client = options.client ?? getClient();
  const runId = options.runId ?? activeRun()?.runId;
  if (!runId) throw new ModelFormatError('logModel needs a run: call startRun() first, or pass { runId }.', {});
  const tmp = mkdtempSync(join(tmpdir(), 'git-ml-model-'));
  try {
    const dir = join(tmp, 'model');
    await saveModel(model, dir, { ...options, mlmodel: { ...options.mlmodel, run_id: runId, artifact_path: artifactPath } });
    await client.logArtifacts(runId, dir, artifactPath);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const result: { model_uri: string; run_id: string; artifact_path: string; registered_model_version?: string } = { model_uri: `runs:/${runId}/${artifactPath}`, run_id: runId, artifact_path: artifactPath };
  if (options.registeredModelName) {
    result.registered_model_version = new RegistryClient({ tracking: client }).createModelVersion(options.registeredModelName, result.model_uri).version;
  }
  return result;
}
