import { api, quote } from '../api.js';
import { formatAgo, formatTime } from '../format.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href } from '../route.js';

/** `#/models`: every registered model with its aliases and latest version. */
export function ModelsView() {
  const models = useAsync(() => api.models(), []);
  return (
    <>
      <h1>Registered models</h1>
      <ErrorBox error={models.error} />
      <table class="grid" data-testid="models">
        <thead>
          <tr><th>Name</th><th>Latest version</th><th>Aliases</th><th>Last modified</th><th>Description</th></tr>
        </thead>
        <tbody>
          {(models.data ?? []).map((m) => (
            <tr>
              <td><a href={href(['models', m.name])}>{m.name}</a></td>
              <td>{(m.latest_versions ?? []).length ? `v${Math.max(...(m.latest_versions ?? []).map((v) => Number(v.version)))}` : ''}</td>
              <td>{(m.aliases ?? []).map((a) => <span class="chip alias">@{a.alias} → v{a.version}</span>)}</td>
              <td title={formatTime(m.last_updated_timestamp)}>{formatAgo(m.last_updated_timestamp)}</td>
              <td>{m.description}</td>
            </tr>
          ))}
          {models.data?.length === 0 && <tr><td colSpan={5} class="muted">No registered models yet (`git-ml models register`, or `log_model(..., registered_model_name=…)`).</td></tr>}
        </tbody>
      </table>
    </>
  );
}

/** `#/models/<name>`: versions with their runs and aliases, and the model's history as a timeline. */
export function ModelView({ name, params }: { name: string; params: URLSearchParams }) {
  const model = useAsync(() => api.model(name), [name]);
  const versions = useAsync(() => api.versions(`name = ${quote(name)}`), [name]);
  const history = useAsync(() => api.history(name), [name]);
  const tab = params.get('tab') ?? 'versions';
  const aliasesOf = (v: string) => (model.data?.aliases ?? []).filter((a) => a.version === v).map((a) => a.alias);
  return (
    <>
      <div class="crumbs">
        <a href="#/models">Models</a> / {name}
      </div>
      <h1>{name}</h1>
      <ErrorBox error={model.error} />
      {model.data?.description && <p>{model.data.description}</p>}
      <div class="tabs">
        {['versions', 'history'].map((t) => (
          <a href={href(['models', name], { tab: t === 'versions' ? null : t })} class={t === tab ? 'on' : ''}>{t}</a>
        ))}
      </div>
      {tab === 'versions' ? (
        <table class="grid" data-testid="versions">
          <thead>
            <tr><th>Version</th><th>Aliases</th><th>Stage</th><th>Registered</th><th>By</th><th>Run</th><th>Source</th></tr>
          </thead>
          <tbody>
            {[...(versions.data ?? [])].sort((a, b) => Number(b.version) - Number(a.version)).map((v) => (
              <tr>
                <td>v{v.version}</td>
                <td>{aliasesOf(v.version).map((a) => <span class="chip alias">@{a}</span>)}</td>
                <td>{v.current_stage && v.current_stage !== 'None' ? v.current_stage : ''}</td>
                <td>{formatTime(v.creation_timestamp)}</td>
                <td>{v.user_id}</td>
                <td>{v.run_id && <a href={href(['runs', v.run_id])} class="mono">{v.run_id.slice(0, 12)}</a>}</td>
                <td class="mono">{v.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div class="timeline" data-testid="history">
          <ErrorBox error={history.error} />
          {(history.data ?? []).slice().reverse().map((e) => (
            <div class="ev">
              <b>{e.action}</b> {e.version && <span class="chip">v{e.version}</span>} {e.alias && <span class="chip alias">@{e.alias}</span>} {e.detail}
              <div class="muted">
                {formatTime(e.timestamp)} · {e.user} · <span class="mono">{e.object.slice(0, 10)}</span>
              </div>
            </div>
          ))}
        </div>
      )}
    </>
  );
}
