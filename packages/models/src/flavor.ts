import type { Signature } from './signature.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlavorNotAvailableError } from './errors.js';
import type { ModelInput } from './input.js';
import type { MLmodel } from './mlmodel.js';

/** What a model predicts: one value per row, or named outputs (multi-output models). */
export type Prediction = unknown[] | Record<string, unknown[]>;

/** A loaded model, ready to predict. */
export interface Predictor {
  predict(input: ModelInput, params?: Record<string, unknown>): Prediction | Promise<Prediction>;
  /** class probabilities per row (columns in `classes` order), for classifiers that have them */
  predictProba?(input: ModelInput): number[][] | Promise<number[][]>;
  /** the class labels of `predictProba`'s columns */
  classes?: number[];
  /** frees native resources (ONNX sessions), if any */
  close?(): void | Promise<void>;
  /**
   * The model's own description of its input, used when MLmodel has no signature (MLflow's default
   * for `mlflow.onnx.log_model`): ONNX gives its single graph input's name, type and shape, so rows
   * without column names feed it as one tensor, as MLflow does.
   */
  inputSignature?: Signature;
}

export interface SaveContext {
  /** the model directory being written (MLmodel is written after `save` returns) */
  dir: string;
}

export interface LoadContext {
  dir: string;
  mlmodel: MLmodel;
  /** this flavor's entry of `flavors:` in MLmodel */
  config: Record<string, unknown>;
}

/**
 * A flavor plugin: how one kind of model is saved into a directory and loaded back. Plugins are npm
 * packages that export `flavor` (or a default export) made with `defineFlavor`; git-ml finds them by
 * package name, never by running code stored in the model directory.
 */
export interface Flavor<M = unknown> {
  /** the key under `flavors:` in MLmodel (e.g. `onnx`, `git_ml_linear`) */
  name: string;
  /** the npm package that provides this flavor (written into the model's generic flavor) */
  package: string;
  /** the provider's version, recorded in MLmodel */
  version?: string;
  /** whether `save` accepts this object (lets `saveModel` pick a flavor among several) */
  accepts?(model: unknown): model is M;
  /** writes the model's files into `ctx.dir` and returns this flavor's MLmodel entry */
  save(model: M, ctx: SaveContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  load(ctx: LoadContext): Predictor | Promise<Predictor>;
}

/** Declares a flavor plugin with its typed contract. */
export function defineFlavor<M>(flavor: Flavor<M>): Flavor<M> {
  for (const k of ['name', 'package'] as const) {
    if (typeof flavor[k] !== 'string' || !flavor[k]) throw new TypeError(`defineFlavor: '${k}' must be a non-empty string`);
  }
  if (typeof flavor.save !== 'function' || typeof flavor.load !== 'function') throw new TypeError(`defineFlavor(${flavor.name}): save and load are required`);
  return Object.freeze({ ...flavor });
}

/** Flavors MLflow writes whose git-ml plugin lives in a known package. */
export const KNOWN_PACKAGES: Record<string, string> = {
  onnx: '@git-ml/flavor-onnx',
  git_ml_linear: '@git-ml/flavor-linear',
  git_ml_trees: '@git-ml/flavor-trees',
};

const loaded = new Map<string, Flavor[]>();

/**
 * Imports a plugin package by name: from the user's project (the current directory) first, then
 * from wherever @git-ml/models itself is installed. Returns the flavors it exports.
 */
export async function importFlavors(pkg: string): Promise<Flavor[]> {
  const cached = loaded.get(pkg);
  if (cached) return cached;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(pkg)) throw new FlavorNotAvailableError(`'${pkg}' is not an npm package name.`, { package: pkg });
  let mod: Record<string, unknown> | null = null;
  let path: string | null = null;
  for (const from of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      path = createRequire(from).resolve(pkg);
      break;
    } catch {
      // not found from here; a package without a CommonJS entry resolves through import below
    }
  }
  try {
    mod = (await import(path ? pathToFileURL(path).href : pkg)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const missing = !path && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((cause as Error).message).includes(pkg);
    if (missing) throw new FlavorNotAvailableError(`This model needs the flavor plugin '${pkg}', which is not installed. Install it: npm install ${pkg}`, { package: pkg }, { cause });
    throw new FlavorNotAvailableError(
      `The flavor plugin '${pkg}' is installed${path ? ` (${path})` : ''} but failed to load: ${(cause as Error).message}. Reinstall it (npm install ${pkg}) or check that its version matches @git-ml/models.`,
      { package: pkg, path },
      { cause },
    );
  }
  const flavors = [mod.flavor, mod.default, ...(Array.isArray(mod.flavors) ? mod.flavors : [])].filter(isFlavor);
  if (flavors.length === 0) throw new FlavorNotAvailableError(`Package '${pkg}' does not export a flavor (export const flavor = defineFlavor({...})).`, { package: pkg });
  loaded.set(pkg, flavors);
  return flavors;
}

function isFlavor(x: unknown): x is Flavor {
  return !!x && typeof x === 'object' && typeof (x as Flavor).name === 'string' && typeof (x as Flavor).load === 'function';
}
