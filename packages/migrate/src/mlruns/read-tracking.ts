import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunImportRecord } from '@git-ml/tracking';
import { parse as parseYaml } from 'yaml';
import { BadSourceError } from '../errors.js';
import type { SourceExperiment } from '../source.js';
import { META, MODELS, RUN_DIRS, STATUS_BY_NUMBER, TRASH } from './layout.js';

/** meta.yaml as a mapping; a file that is missing or not a YAML mapping is a BadSourceError naming it. */
export function readMeta(dir: string): Record<string, unknown> {
  const path = join(dir, META);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new BadSourceError(path, 'the file is missing or unreadable');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new BadSourceError(path, `not valid YAML (${(cause as Error).message.split('\n')[0]})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new BadSourceError(path, 'expected a YAML mapping of run or experiment fields');
  return doc as Record<string, unknown>;
}

function field<T>(path: string, doc: Record<string, unknown>, name: string, check: (v: unknown) => T | undefined, fallback?: T): T {
  const v = check(doc[name]);
  if (v !== undefined) return v;
  if (fallback !== undefined) return fallback;
  throw new BadSourceError(join(path, META), `field '${name}' is missing or invalid (${JSON.stringify(doc[name]) ?? 'absent'})`);
}
const asString = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const asInt = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const asStage = (v: unknown) => (v === 'active' || v === 'deleted' ? v : undefined);

/** Every file under `dir` as key (path with `/`) → content: FileStore's params/, tags/ and metrics/ folders. */
export function readKeyFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const key = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), key);
      else if (e.isFile()) out.set(key, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

/** The experiment folders of a tree: `<root>/<id>/` and deleted ones under `<root>/.trash/<id>/`. */
export function experimentDirs(root: string): string[] {
  const dirs: string[] = [];
  const list = (d: string) =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !(d === root && e.name === MODELS))
      .map((e) => join(d, e.name))
      .sort();
  dirs.push(...list(root));
  if (existsSync(join(root, TRASH))) dirs.push(...list(join(root, TRASH)));
  return dirs;
}

export function readExperiment(dir: string): SourceExperiment {
  const doc = readMeta(dir);
  const creation = field(dir, doc, 'creation_time', asInt, 0);
  const tags = [...readKeyFiles(join(dir, RUN_DIRS.tags))].map(([key, value]) => ({ key, value }));
  return {
    experiment_id: field(dir, doc, 'experiment_id', asString),
    name: field(dir, doc, 'name', asString),
    lifecycle_stage: field(dir, doc, 'lifecycle_stage', asStage, 'active'),
    creation_time: creation,
    last_update_time: field(dir, doc, 'last_update_time', asInt, creation),
    tags,
  };
}

/** Run folders of an experiment folder (every sub-folder but `tags/`). */
export function runDirs(expDir: string): string[] {
  return readdirSync(expDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== RUN_DIRS.tags && !e.name.startsWith('.'))
    .map((e) => join(expDir, e.name))
    .sort();
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A value as Python's float() wrote it: digits, or nan / inf / -inf (any case). */
export function parseMetricValue(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** One metric file: lines `<timestamp> <value> <step>` (old MLflow: no step, meaning 0). */
export function parseMetricFile(path: string, text: string): { value: number; timestamp: number; step: number }[] {
  const points = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const timestamp = parts.length >= 2 && /^-?\d+$/.test(parts[0]) ? Number(parts[0]) : undefined;
    const value = parts.length >= 2 ? parseMetricValue(parts[1]) : undefined;
    const step = parts.length === 2 ? 0 : parts.length === 3 && /^-?\d+$/.test(parts[2]) ? Number(parts[2]) : undefined;
    if (timestamp === undefined || value === undefined || step === undefined || !Number.isSafeInteger(timestamp) || !Number.isSafeInteger(step)) {
      throw new BadSourceError(`${path}:${i + 1}`, `expected '<timestamp-ms> <value> <step>', got '${line.slice(0, 80)}'`);
    }
    points.push({ value, timestamp, step });
  }
  return points;
}

/**
 * Reads a whole run folder — meta.yaml, params/, tags/, metrics/ — before anything is written, so
 * a run with a broken part is skipped whole. A missing `artifacts/` folder is reported in
 * `warnings` (the run is imported without artifacts).
 */
export function readRun(runDir: string, experimentId: string): { record: RunImportRecord; warnings: string[] } {
  const doc = readMeta(runDir);
  const metaPath = join(runDir, META);
  const runId = field(runDir, doc, 'run_id', asString, asString(doc.run_uuid));
  const expId = field(runDir, doc, 'experiment_id', asString);
  if (expId !== experimentId) throw new BadSourceError(metaPath, `experiment_id is '${expId}' but the run sits in experiment folder '${experimentId}'`);
  const statusNumber = doc.status;
  const status = typeof statusNumber === 'number' ? STATUS_BY_NUMBER[statusNumber] : typeof statusNumber === 'string' ? (Object.values(STATUS_BY_NUMBER).find((s) => s === statusNumber) ?? undefined) : undefined;
  if (!status) throw new BadSourceError(metaPath, `field 'status' is ${JSON.stringify(statusNumber)}; expected 1-5 (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)`);
  const params = readKeyFiles(join(runDir, RUN_DIRS.params));
  const tags = readKeyFiles(join(runDir, RUN_DIRS.tags));
  const metrics: RunImportRecord['metrics'] = {};
  for (const [key, text] of readKeyFiles(join(runDir, RUN_DIRS.metrics))) metrics[key] = parseMetricFile(join(runDir, RUN_DIRS.metrics, key), text);
  const warnings: string[] = [];
  const artifacts = join(runDir, RUN_DIRS.artifacts);
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  // a tree copied from elsewhere keeps its artifacts beside the run; else try a local artifact_uri
  const uri = asString(doc.artifact_uri) ?? '';
  const elsewhere = uri.startsWith('file://') ? fileURLToPath(uri) : uri.startsWith('/') ? uri : null;
  const artifactsDir = isDir(artifacts) ? artifacts : elsewhere && isDir(elsewhere) ? elsewhere : null;
  const hasArtifacts = artifactsDir !== null;
  if (!hasArtifacts) warnings.push(`${artifacts}: the artifacts folder is missing; the run was imported without artifacts (import again once it is back to add them)`);
  const endTime = doc.end_time;
  return {
    record: {
      info: {
        run_id: runId,
        run_name: field(runDir, doc, 'run_name', asString, tags.get('mlflow.runName') ?? ''),
        experiment_id: expId,
        user_id: field(runDir, doc, 'user_id', asString, ''),
        status,
        start_time: field(runDir, doc, 'start_time', asInt, 0),
        end_time: endTime === null || endTime === undefined ? null : field(runDir, doc, 'end_time', asInt),
        lifecycle_stage: field(runDir, doc, 'lifecycle_stage', asStage, 'active'),
      },
      params: Object.fromEntries(params),
      tags: Object.fromEntries(tags),
      metrics,
      artifactsDir,
    },
    warnings,
  };
}
