import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadSourceError } from '../errors.js';
import { META, RUN_DIRS } from './layout.js';
import { readKeyFiles, readMeta } from './read-tracking.js';

export interface SourceVersion {
  dir: string;
  version: number;
  run_id: string | null;
  source: string;
  description: string;
  tags: Record<string, string>;
  current_stage: string;
  creation_timestamp: number;
  /** MLflow marks deleted versions with the stage `Deleted_Internal` and keeps their folder */
  deleted: boolean;
}

export interface SourceModel {
  dir: string;
  name: string;
  description: string;
  creation_timestamp: number;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  versions: SourceVersion[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Folders of `<root>/models/`: one per registered model. */
export function modelDirs(modelsRoot: string): string[] {
  if (!existsSync(modelsRoot)) return [];
  return readdirSync(modelsRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(modelsRoot, e.name))
    .sort();
}

/** A registered model folder: meta.yaml, tags/, aliases/, version-<n>/ (each with meta.yaml and tags/). */
export function readModel(dir: string): SourceModel {
  const doc = readMeta(dir);
  const name = str(doc.name);
  if (!name) throw new BadSourceError(join(dir, META), "field 'name' is missing");
  const aliases: Record<string, string> = {};
  if (doc.aliases && typeof doc.aliases === 'object' && !Array.isArray(doc.aliases)) {
    for (const [a, v] of Object.entries(doc.aliases)) aliases[a] = str(v);
  }
  const aliasDir = join(dir, 'aliases');
  if (existsSync(aliasDir)) for (const a of readdirSync(aliasDir)) aliases[a] = readFileSync(join(aliasDir, a), 'utf8').trim();
  const versions: SourceVersion[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const m = /^version-(\d+)$/.exec(e.name);
    if (!e.isDirectory() || !m) continue;
    const vdir = join(dir, e.name);
    const v = readMeta(vdir);
    const stage = str(v.current_stage) || 'None';
    versions.push({
      dir: vdir,
      version: Number(m[1]),
      run_id: str(v.run_id) || null,
      source: str(v.source),
      description: str(v.description),
      tags: Object.fromEntries(readKeyFiles(join(vdir, RUN_DIRS.tags))),
      current_stage: stage,
      creation_timestamp: typeof v.creation_timestamp === 'number' ? v.creation_timestamp : 0,
      deleted: stage === 'Deleted_Internal',
    });
  }
  versions.sort((a, b) => a.version - b.version);
  return {
    dir,
    name,
    description: str(doc.description),
    creation_timestamp: typeof doc.creation_timestamp === 'number' ? doc.creation_timestamp : 0,
    tags: Object.fromEntries(readKeyFiles(join(dir, RUN_DIRS.tags))),
    aliases,
    versions,
  };
}

/**
 * The path inside the run's artifacts that a version's source names: `runs:/<id>/<path>`, or a
 * FileStore location `…/<run_id>/artifacts/<path>` (file:// or plain, as MLflow wrote it).
 */
export function artifactPathOf(v: SourceVersion): string | null {
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(v.source);
  if (runs) return runs[1] === v.run_id || !v.run_id ? runs[2] : null;
  if (!v.run_id) return null;
  const marker = `/${v.run_id}/artifacts`;
  const at = v.source.indexOf(marker);
  if (at < 0) return null;
  return v.source.slice(at + marker.length).replace(/^\/+/, '');
}
