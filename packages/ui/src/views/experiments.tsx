import { api } from '../api.js';
import { formatAgo, formatTime } from '../format.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href, setParams } from '../route.js';

/** Every experiment with its run count and last activity; the box narrows by name. */
export function ExperimentsView({ params }: { params: URLSearchParams }) {
  const view = params.get('view') ?? 'ACTIVE_ONLY';
  const q = params.get('q') ?? '';
  const exps = useAsync(() => api.experiments(view), [view]);
  const shown = (exps.data ?? []).filter((e) => e.name.toLowerCase().includes(q.toLowerCase()) || e.experiment_id === q);
  return (
    <>
      <h1>Experiments</h1>
      <div class="toolbar">
        <input type="search" placeholder="Search experiments by name" value={q} onInput={(e) => setParams({ q: (e.target as HTMLInputElement).value })} style={{ minWidth: '320px' }} />
        <select value={view} onChange={(e) => setParams({ view: (e.target as HTMLSelectElement).value })}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        <span class="muted">{exps.data ? `${shown.length} of ${exps.data.length}` : 'loading…'}</span>
      </div>
      <ErrorBox error={exps.error} />
      <table class="grid" data-testid="experiments">
        <thead>
          <tr>
            <th>Name</th>
            <th>ID</th>
            <th class="num">Runs</th>
            <th class="num">Running</th>
            <th>Last activity</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.experiment_id}>
              <td>
                <a href={href(['experiments', e.experiment_id])}>{e.name}</a>
                {e.lifecycle_stage === 'deleted' && <span class="chip">deleted</span>}
              </td>
              <td class="mono">{e.experiment_id}</td>
              <td class="num">{e.run_count}</td>
              <td class="num">{e.running_count || ''}</td>
              <td title={formatTime(e.last_activity)}>{formatAgo(e.last_activity)}</td>
              <td>{formatTime(e.creation_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
