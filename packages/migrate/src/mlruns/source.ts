import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadSourceError, MigrateError } from '../errors.js';
import type { ImportSource, Item, SourceExperiment, SourceModel } from '../source.js';
import { META, MODELS, TRASH } from './layout.js';
import { modelDirs, readModel } from './read-registry.js';
import { experimentDirs, readExperiment, readRun, runDirs } from './read-tracking.js';

/** Finds the FileStore root: PATH itself, a `file:` URI, or a folder holding `mlruns/`. */
export function resolveMlrunsRoot(path: string): string {
  const p = path.startsWith('file:') ? fileURLToPath(path.startsWith('file://') ? path : `file://${resolve(path.slice(5))}`) : resolve(path);
  if (!existsSync(p) || !statSync(p).isDirectory()) throw new MigrateError(`${p} is not a folder. Pass the MLflow FileStore folder (the one usually called mlruns/).`, { path: p });
  const looksLike = (d: string) =>
    existsSync(join(d, TRASH)) || existsSync(join(d, MODELS)) || readdirSync(d, { withFileTypes: true }).some((e) => e.isDirectory() && existsSync(join(d, e.name, META)));
  if (looksLike(p)) return p;
  if (existsSync(join(p, 'mlruns')) && looksLike(join(p, 'mlruns'))) return join(p, 'mlruns');
  throw new MigrateError(`${p} does not look like an MLflow FileStore tree (no <experiment-id>/meta.yaml, .trash/ or models/ in it). Pass the mlruns/ folder itself.`, { path: p });
}

function attempt<T>(where: string, read: () => T): Item<T> {
  try {
    return { where, value: read() };
  } catch (error) {
    return { where, error };
  }
}

/** An MLflow FileStore tree (`mlruns/`) as an import source; `where` is a path in it. */
export function mlrunsSource(path: string): ImportSource {
  const root = resolveMlrunsRoot(path);
  return {
    location: root,
    readAhead: 1,
    async experiments() {
      return experimentDirs(root).map((dir) =>
        attempt(dir, () => {
          const exp = readExperiment(dir);
          if (basename(dir) !== exp.experiment_id) throw new BadSourceError(join(dir, META), `experiment_id '${exp.experiment_id}' does not match its folder name`);
          return exp;
        }),
      );
    },
    async runs(_exp: SourceExperiment, dir: string) {
      return runDirs(dir).map((d) => ({ where: d, run_id: basename(d) }));
    },
    async readRun(exp, run) {
      const read = readRun(run.where, exp.experiment_id);
      if (read.record.info.run_id !== run.run_id) throw new BadSourceError(join(run.where, META), `run_id '${read.record.info.run_id}' does not match the folder name`);
      return read;
    },
    async models(): Promise<Item<SourceModel>[]> {
      return modelDirs(join(root, MODELS)).map((dir) => attempt(dir, () => readModel(dir)));
    },
    async close() {},
  };
}
