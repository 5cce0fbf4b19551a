import { useEffect, useState } from 'preact/hooks';
import { api, quote, type FileInfo, type LoggedModel, type Run, type Series, type SignatureColumn } from '../api.js';
import { formatBytes, formatDuration, formatNumber, formatTime } from '../format.js';
import { Sparkline } from '../components/sparkline.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href, setParams } from '../route.js';
import { MetricCharts } from './charts.js';

const TABS = ['overview', 'metrics', 'artifacts', 'source'] as const;
const PREVIEW_BYTES = 512 * 1024;
const TEXT = /\.(txt|log|md|json|ya?ml|csv|tsv|py|js|ts|toml|cfg|ini|sh|html|xml)$|(^|\/)(MLmodel|MLproject|requirements\.txt|conda\.yaml|python_env\.yaml)$/i;
const IMAGE = /\.(png|jpe?g|gif|webp|svg|bmp)$/i;

const tagOf = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

/** `#/runs/<id>?tab=…`: one run — overview, metrics, artifacts with previews, and its source. */
export function RunView({ runId, params }: { runId: string; params: URLSearchParams }) {
  const tab = (params.get('tab') as (typeof TABS)[number]) || 'overview';
  const [tick, setTick] = useState(0);
  const run = useAsync(() => api.run(runId), [runId, tick]);
  useEffect(() => {
    if (run.data?.info.status !== 'RUNNING') return;
    const t = setTimeout(() => setTick(tick + 1), 3000);
    return () => clearTimeout(t);
  }, [run.data, tick]);
  if (run.error) return <ErrorBox error={run.error} />;
  const r = run.data;
  if (!r) return <div class="muted">loading…</div>;
  const exp = r.info.experiment_id;
  return (
    <>
      <div class="crumbs">
        <a href="#/">Experiments</a> / <a href={href(['experiments', exp])}>experiment {exp}</a> / run
      </div>
      <h1>
        {r.info.run_name || r.info.run_id} <span class={`status ${r.info.status}`}>{r.info.status}</span>
        {r.info.lifecycle_stage === 'deleted' && <span class="chip">deleted</span>}
      </h1>
      <div class="tabs">
        {TABS.map((t) => (
          <a href={href(['runs', runId], { tab: t === 'overview' ? null : t })} class={t === tab ? 'on' : ''}>
            {t}
          </a>
        ))}
      </div>
      {tab === 'overview' && <Overview run={r} />}
      {tab === 'metrics' && <MetricCharts ids={[r.info.run_id]} runs={[r]} keys={r.data.metrics.map((m) => m.key).sort()} params={params} />}
      {tab === 'artifacts' && <Artifacts run={r} path={params.get('path') ?? ''} />}
      {tab === 'source' && <SourceTab run={r} />}
    </>
  );
}

function Overview({ run }: { run: Run }) {
  const i = run.info;
  const parent = tagOf(run, 'mlflow.parentRunId');
  const versions = useAsync(() => api.versions(`run_id = ${quote(i.run_id)}`), [i.run_id]);
  const userTags = run.data.tags.filter((t) => !t.key.startsWith('mlflow.') && !t.key.startsWith('git-ml.'));
  const sysTags = run.data.tags.filter((t) => t.key.startsWith('mlflow.') || t.key.startsWith('git-ml.'));
  return (
    <div class="two">
      <div>
        <table class="grid kv">
          <tbody>
            <tr><td>Run ID</td><td class="mono">{i.run_id}</td></tr>
            <tr><td>Experiment</td><td><a href={href(['experiments', i.experiment_id])}>{i.experiment_id}</a></td></tr>
            <tr><td>Status</td><td>{i.status}</td></tr>
            <tr><td>Started</td><td>{formatTime(i.start_time)}</td></tr>
            <tr><td>Duration</td><td>{formatDuration(i.start_time, i.end_time, i.status === 'RUNNING')}</td></tr>
            <tr><td>User</td><td>{i.user_id}</td></tr>
            <tr><td>Source</td><td class="mono">{tagOf(run, 'mlflow.source.name')} {(tagOf(run, 'git-ml.source.head') ?? tagOf(run, 'mlflow.source.git.commit'))?.slice(0, 12)}{tagOf(run, 'git-ml.source.dirty') === 'true' ? ' (dirty)' : ''}</td></tr>
            {parent && <tr><td>Parent run</td><td><a href={href(['runs', parent])} class="mono">{parent}</a></td></tr>}
            <tr><td>Artifact URI</td><td class="mono">{i.artifact_uri}</td></tr>
          </tbody>
        </table>
        <h2>Logged models</h2>
        <LoggedModels runId={i.run_id} />
        <h2>Registered versions</h2>
        {versions.data?.length ? (
          versions.data.map((v) => (
            <div>
              <a href={href(['models', v.name])}>{v.name}</a> v{v.version} {(v.aliases ?? []).map((a) => <span class="chip alias">@{a}</span>)}
            </div>
          ))
        ) : (
          <div class="muted">{versions.loading ? 'loading…' : 'none'}</div>
        )}
        {run.inputs?.dataset_inputs.length ? (
          <>
            <h2>Datasets</h2>
            {run.inputs.dataset_inputs.map((d) => (
              <div>
                {d.dataset.name} <span class="mono muted">{d.dataset.digest}</span>
              </div>
            ))}
          </>
        ) : null}
      </div>
      <div>
        <h2 style={{ marginTop: 0 }}>Metrics</h2>
        <MetricTable run={run} />
        <h2>Parameters</h2>
        <KeyValues items={run.data.params} testid="params" />
        <h2>Tags</h2>
        <KeyValues items={userTags} testid="tags" />
        <details>
          <summary class="muted">{sysTags.length} system tags</summary>
          <KeyValues items={sysTags} testid="system-tags" />
        </details>
      </div>
    </div>
  );
}

function KeyValues({ items, testid }: { items: { key: string; value: string }[]; testid: string }) {
  if (items.length === 0) return <div class="muted">none</div>;
  return (
    <table class="grid kv" data-testid={testid}>
      <tbody>
        {[...items].sort((a, b) => (a.key < b.key ? -1 : 1)).map((p) => (
          <tr>
            <td>{p.key}</td>
            <td class="mono">{p.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Latest, min and max of every metric, with a sparkline of its history (thinned for display). */
function MetricTable({ run }: { run: Run }) {
  const [series, setSeries] = useState<Record<string, Series>>({});
  const keys = run.data.metrics.map((m) => m.key).sort();
  useEffect(() => {
    let live = true;
    for (const k of keys.slice(0, 200)) api.series(run.info.run_id, k, 120).then((s) => live && setSeries((o) => ({ ...o, [k]: s })), () => {});
    return () => {
      live = false;
    };
  }, [run]);
  if (keys.length === 0) return <div class="muted">none</div>;
  return (
    <table class="grid" data-testid="metrics">
      <thead>
        <tr><th>Metric</th><th class="num">Latest</th><th class="num">Min</th><th class="num">Max</th><th class="num">Points</th><th>History</th></tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const m = run.data.metrics.find((x) => x.key === k)!;
          const s = series[k];
          return (
            <tr>
              <td><a href={href(['runs', run.info.run_id], { tab: 'metrics' })}>{k}</a></td>
              <td class="num">{formatNumber(m.value)}</td>
              <td class="num">{s ? formatNumber(s.min) : ''}</td>
              <td class="num">{s ? formatNumber(s.max) : ''}</td>
              <td class="num">{s?.count ?? ''}</td>
              <td>{s && <Sparkline values={s.value} />}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The artifact tree (one level at a time), with sizes, a preview of the chosen file and a download link. */
function Artifacts({ run, path }: { run: Run; path: string }) {
  const id = run.info.run_id;
  const [open, setOpen] = useState<Record<string, FileInfo[]>>({});
  const root = useAsync(() => api.artifacts(id, ''), [id]);
  const toggle = (dir: string) => {
    if (open[dir]) {
      setOpen((o) => {
        const { [dir]: _, ...rest } = o;
        return rest;
      });
      return;
    }
    api.artifacts(id, dir).then(
      (files) => setOpen((o) => ({ ...o, [dir]: files })),
      (err: Error) => setFailure(err),
    );
  };
  const [failure, setFailure] = useState<Error>();
  // open the folders on the way to a linked file (also when the path changes inside the app)
  useEffect(() => {
    const parts = path.split('/').slice(0, -1);
    let at = '';
    (async () => {
      const add: Record<string, FileInfo[]> = {};
      for (const p of parts) {
        at = at ? `${at}/${p}` : p;
        add[at] = await api.artifacts(id, at);
      }
      setOpen((o) => ({ ...o, ...add }));
    })().catch((err: Error) => setFailure(err));
  }, [id, path]);
  const tree = (files: FileInfo[], depth: number): preact.JSX.Element[] =>
    files.flatMap((f) => {
      const name = f.path.split('/').pop();
      const row = (
        <div
          class={f.path === path ? 'on' : ''}
          style={{ paddingLeft: `${depth * 14}px` }}
          role="button"
          tabIndex={0}
          onClick={() => (f.is_dir ? toggle(f.path) : setParams({ path: f.path }))}
          onKeyDown={(e) => e.key === 'Enter' && (f.is_dir ? toggle(f.path) : setParams({ path: f.path }))}
          data-path={f.path}
        >
          {f.is_dir ? (open[f.path] ? '▾ ' : '▸ ') : '  '}
          {name} {!f.is_dir && <span class="muted">{formatBytes(f.file_size)}</span>}
        </div>
      );
      return f.is_dir && open[f.path] ? [row, ...tree(open[f.path], depth + 1)] : [row];
    });
  return (
    <div class="two">
      <div class="tree mono" data-testid="artifact-tree">
        <ErrorBox error={root.error ?? failure} />
        {root.data && (root.data.length ? tree(root.data, 0) : <div class="muted">no artifacts</div>)}
      </div>
      <div>{path && <Preview runId={id} path={path} />}</div>
    </div>
  );
}

function Preview({ runId, path }: { runId: string; path: string }) {
  const url = api.artifactUrl(runId, path);
  const text = useAsync(() => (TEXT.test(path) ? api.artifactText(runId, path, PREVIEW_BYTES) : Promise.resolve(null)), [runId, path]);
  const isModel = /(^|\/)MLmodel$/.test(path);
  return (
    <div>
      <div class="toolbar">
        <b class="mono">{path}</b>
        <a href={url} download={path.split('/').pop()}>download</a>
      </div>
      <div class="preview" data-testid="preview">
        {IMAGE.test(path) ? (
          <img src={api.artifactUrl(runId, path, true)} alt={path} />
        ) : text.data ? (
          <>
            {isModel && <PreviewSignature runId={runId} path={path} />}
            {/\.(csv|tsv)$/i.test(path) ? <CsvTable text={text.data.text} tab={/\.tsv$/i.test(path)} /> : <pre>{/\.json$/i.test(path) ? prettyJson(text.data.text) : text.data.text}</pre>}
            {text.data.cut && <div class="muted">… only the first {formatBytes(PREVIEW_BYTES)} shown; download for the rest.</div>}
          </>
        ) : text.loading ? (
          <span class="muted">loading…</span>
        ) : (
          <ErrorBox error={text.error ?? new Error('No preview for this kind of file; download it.')} />
        )}
      </div>
    </div>
  );
}

function PreviewSignature({ runId, path }: { runId: string; path: string }) {
  const models = useAsync(() => api.loggedModels(runId), [runId]);
  const dir = path.replace(/\/?MLmodel$/, '');
  const m = models.data?.find((x) => x.artifact_path === dir);
  return m ? <Signature model={m} /> : null;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function CsvTable({ text, tab }: { text: string; tab: boolean }) {
  const rows = text.split(/\r?\n/).filter(Boolean).slice(0, 201).map((l) => splitCsv(l, tab ? '\t' : ','));
  return (
    <table class="grid">
      <thead>
        <tr>{rows[0]?.map((h) => <th>{h}</th>)}</tr>
      </thead>
      <tbody>
        {rows.slice(1).map((r) => (
          <tr>{r.map((c) => <td>{c}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}

function splitCsv(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function Columns({ title, cols }: { title: string; cols: SignatureColumn[] | null }) {
  if (!cols) return null;
  return (
    <div>
      <b>{title}</b>{' '}
      {cols.map((c) => (
        <span class="chip mono">
          {c.name ? `${c.name}: ` : ''}
          {c.spec ?? c.type}
          {c.required === false ? ' (optional)' : ''}
        </span>
      ))}
    </div>
  );
}

/** A logged model's signature (read by the server with a YAML parser, as MLflow writes it). */
function Signature({ model }: { model: LoggedModel }) {
  if (model.error) return <div class="error">{model.error}</div>;
  if (!model.signature) return <div class="muted">This model has no signature.</div>;
  return (
    <div data-testid="signature" style={{ marginBottom: '8px' }}>
      <Columns title="inputs" cols={model.signature.inputs} />
      <Columns title="outputs" cols={model.signature.outputs} />
    </div>
  );
}

/** Every model the run logged (an MLmodel among its artifacts): flavors, signature, a link to it. */
function LoggedModels({ runId }: { runId: string }) {
  const models = useAsync(() => api.loggedModels(runId), [runId]);
  if (models.error) return <ErrorBox error={models.error} />;
  if (!models.data) return <div class="muted">loading…</div>;
  if (models.data.length === 0) return <div class="muted">none</div>;
  return (
    <div data-testid="logged-models">
      {models.data.map((m) => (
        <div class="card" style={{ marginBottom: '8px' }}>
          <a href={href(['runs', runId], { tab: 'artifacts', path: m.artifact_path ? `${m.artifact_path}/MLmodel` : 'MLmodel' })} class="mono">
            {m.artifact_path || '(root)'}
          </a>{' '}
          {m.flavors.map((f) => (
            <span class="chip">{f}</span>
          ))}
          <Signature model={m} />
        </div>
      ))}
    </div>
  );
}

/** The commit the run recorded and, for a run of uncommitted changes, the diff of its snapshot. */
function SourceTab({ run }: { run: Run }) {
  const src = useAsync(() => api.source(run.info.run_id), [run.info.run_id]);
  if (src.error) return <ErrorBox error={src.error} />;
  const s = src.data;
  if (!s) return <div class="muted">loading…</div>;
  return (
    <>
      <table class="grid kv">
        <tbody>
          <tr><td>Commit</td><td class="mono">{s.head ?? s.commit ?? 'not recorded'}</td></tr>
          <tr><td>Branch</td><td>{s.branch ?? ''}</td></tr>
          <tr><td>Working tree</td><td>{s.dirty ? `uncommitted changes, recorded as snapshot ${s.commit?.slice(0, 12)}` : 'clean'}</td></tr>
          {s.repo_url && <tr><td>Repository</td><td class="mono">{s.repo_url}</td></tr>}
          {s.snapshot_mode && <tr><td>Snapshot mode</td><td>{s.snapshot_mode}</td></tr>}
          {s.omitted.length > 0 && (
            <tr>
              <td>Left out of the snapshot</td>
              <td>{s.omitted.map((o) => <div class="mono">{o.path} ({formatBytes(o.size)})</div>)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {s.diff_error && <div class="error">{s.diff_error}</div>}
      {s.diff !== undefined && (
        <>
          <h2>Uncommitted changes in this run ({(s.head ?? '').slice(0, 8)} → snapshot)</h2>
          <Diff text={s.diff} />
          {s.diff_truncated && <div class="muted">The diff is cut at 1 MiB; `git diff {s.head} {s.commit}` shows it all.</div>}
        </>
      )}
    </>
  );
}

function Diff({ text }: { text: string }) {
  if (!text) return <div class="muted">The snapshot has no changes against its base commit.</div>;
  return (
    <div class="diff preview" data-testid="diff">
      {text.split('\n').map((l) => (
        <pre class={l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : l.startsWith('@@') ? 'hunk' : ''}>{l || ' '}</pre>
      ))}
    </div>
  );
}
