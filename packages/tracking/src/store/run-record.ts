import type { GitStore, TreeEntry } from '@git-ml/gitstore';
import { encodeCommit, encodeTree } from '@git-ml/gitstore';
import { z } from 'zod';
import { CorruptRecordError } from '../errors.js';
import { assertRecordMatchesRef } from '../index/record-identity.js';
import { RUN_STATUSES } from '../model.js';
import { formatFlatYaml, parseFlatYaml } from './flat-yaml.js';
import { metricFileName, metricKeyFromFileName, parseMetricLines } from './metric-lines.js';
import { committedText, formatMetricsYaml, parseMetricsYaml, seriesFromPoints, writeSeries } from './metric-series.js';
import type { ObjectSink } from './object-sink.js';
import { cloneRunState, type RunState } from './run-state.js';
import { writeArtifactTree } from './artifact-tree.js';
import { signatureNow } from './identity.js';

/** The run record format written; format 1 (whole-history metric files) is still read. */
export const RUN_FORMAT = 'git-ml/run@2';
export const RUN_FORMATS = ['git-ml/run@1', 'git-ml/run@2'] as const;

/** The schema of `run.yaml`; `format` carries the version so the layout can evolve. */
export const RunYamlSchema = z.object({
  format: z.enum(RUN_FORMATS),
  run_id: z.string().min(1),
  run_name: z.string(),
  experiment_id: z.string().min(1),
  user_id: z.string(),
  status: z.enum(RUN_STATUSES as [string, ...string[]]),
  start_time: z.number().int(),
  end_time: z.number().int().nullable(),
  lifecycle_stage: z.enum(['active', 'deleted']),
  source: z
    .object({ commit: z.string().nullable(), head: z.string().nullable(), dirty: z.boolean().nullable(), branch: z.string().nullable() })
    .nullable()
    .optional(),
});

function parseOrThrow(ref: string, file: string, text: string, strings: boolean): Record<string, unknown> {
  try {
    return parseFlatYaml(text, strings);
  } catch (cause) {
    throw new CorruptRecordError(ref, file, (cause as Error).message, { cause });
  }
}

/** Parsed records by store, then by ref and commit: a commit never changes, so neither does its record. */
const records = new WeakMap<GitStore, Map<string, RunState>>();
const RECORDS_KEPT = 1000;

/**
 * Reads a run's state from its record commit. A broken file raises an error naming the ref and file.
 * Each record is parsed once per process (the last 1 000 kept); callers get their own copy to change.
 */
export function readRunRecord(git: GitStore, ref: string, commit: string): RunState {
  let memo = records.get(git);
  if (!memo) records.set(git, (memo = new Map()));
  const key = `${ref}\0${commit}`;
  let state = memo.get(key);
  if (!state) {
    state = parseRunRecord(git, ref, commit);
    if (memo.size >= RECORDS_KEPT) memo.delete(memo.keys().next().value!);
    memo.set(key, state);
  }
  return cloneRunState(state);
}

function parseRunRecord(git: GitStore, ref: string, commit: string): RunState {
  const c = git.objects.readCommit(commit);
  const files = new Map(git.objects.readTree(c.tree).map((e) => [e.name, e]));
  const text = (name: string) => {
    const e = files.get(name);
    if (!e) throw new CorruptRecordError(ref, name, 'the file is missing');
    return git.objects.readBlob(e.oid).toString('utf8');
  };
  const parsed = RunYamlSchema.safeParse(parseOrThrow(ref, 'run.yaml', text('run.yaml'), false));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptRecordError(ref, 'run.yaml', `field '${issue.path.join('.')}': ${issue.message}`);
  }
  const { format: _f, source, ...info } = parsed.data;
  // the ref is the truth: a run.yaml naming another run is corrupt here (and never folded further)
  assertRecordMatchesRef(ref, info);
  const state: RunState = {
    info: info as RunState['info'],
    source: source ?? null,
    params: new Map(Object.entries(parseOrThrow(ref, 'params.yaml', text('params.yaml'), true)) as [string, string][]),
    tags: new Map(Object.entries(parseOrThrow(ref, 'tags.yaml', text('tags.yaml'), true)) as [string, string][]),
    metrics: new Map(),
    artifactsTree: files.get('artifacts')?.oid ?? null,
    artifactAdds: [],
    conflicts: [],
  };
  const metricsTree = files.get('metrics');
  const summaries = new Map<string, ReturnType<typeof parseMetricsYaml>[number]>();
  if (files.has('metrics.yaml')) {
    try {
      for (const m of parseMetricsYaml(text('metrics.yaml'))) summaries.set(m.key, m);
    } catch (cause) {
      throw new CorruptRecordError(ref, 'metrics.yaml', (cause as Error).message, { cause });
    }
  }
  if (metricsTree) {
    for (const e of git.objects.readTree(metricsTree.oid)) {
      const key = metricKeyFromFileName(e.name);
      const committed = { oid: e.oid, kind: e.mode === '40000' ? ('tree' as const) : ('blob' as const) };
      const summary = summaries.get(key);
      if (summary && committed.kind === 'tree') {
        state.metrics.set(key, { committed, appended: '', pending: 0, latest: summary.latest, count: summary.count, min: summary.min, max: summary.max });
        continue;
      }
      // format 1 (or a summary line missing): the summary comes from the history itself
      let points;
      try {
        points = parseMetricLines(key, committedText((oid) => git.objects.read(oid).data, committed));
      } catch (cause) {
        throw new CorruptRecordError(ref, `metrics/${e.name}`, (cause as Error).message, { cause });
      }
      state.metrics.set(key, seriesFromPoints(points, committed));
    }
  }
  return state;
}

function blob(sink: ObjectSink, text: string): string {
  return sink.add('blob', Buffer.from(text, 'utf8'));
}

/** Serializes a run's state as a record tree and a commit on top of `parents`; returns the commit id. */
export function writeRunRecord(
  git: GitStore,
  sink: ObjectSink,
  state: RunState,
  parents: string[],
  message: string,
  author: { name: string; email: string },
): string {
  const { info, source } = state;
  const runYaml = formatFlatYaml({ format: RUN_FORMAT, ...info, source });
  const entries: TreeEntry[] = [
    { mode: '100644', name: 'run.yaml', oid: blob(sink, runYaml) },
    { mode: '100644', name: 'params.yaml', oid: blob(sink, formatFlatYaml(Object.fromEntries([...state.params].sort()))) },
    { mode: '100644', name: 'tags.yaml', oid: blob(sink, formatFlatYaml(Object.fromEntries([...state.tags].sort()))) },
  ];
  if (state.metrics.size > 0) {
    const metricEntries: TreeEntry[] = [];
    for (const [key, m] of state.metrics) metricEntries.push({ mode: '40000', name: metricFileName(key), oid: writeSeries(sink, m) });
    entries.push({ mode: '40000', name: 'metrics', oid: sink.add('tree', encodeTree(metricEntries)) });
    entries.push({ mode: '100644', name: 'metrics.yaml', oid: blob(sink, formatMetricsYaml(state.metrics)) });
  }
  if (state.artifactAdds.length > 0) {
    state.artifactsTree = writeArtifactTree(sink, state.artifactsTree, state.artifactAdds);
    state.artifactAdds = [];
  }
  if (state.artifactsTree) entries.push({ mode: '40000', name: 'artifacts', oid: state.artifactsTree });
  const tree = sink.add('tree', encodeTree(entries));
  const sig = signatureNow(author);
  return sink.add('commit', encodeCommit({ tree, parents, author: sig, committer: sig, message }));
}
