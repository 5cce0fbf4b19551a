import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Run } from '../api.js';
import { formatDuration, formatNumber, formatTime } from '../format.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href, listParam, navigate, setParams } from '../route.js';
import { ColumnPicker } from '../components/column-picker.js';
import { FilterBox } from '../components/filter-box.js';

const ROW = 28;
const PAGE = 100;
const OVERSCAN = 12;
const LIVE_MS = 3000;
/** `cols` value meaning "no param, metric or tag columns" (an empty value would mean "not chosen") */
const NO_COLUMNS = '-';

/** A column of the runs table: how to show it and the order_by key that sorts it. */
interface Column {
  id: string;
  label: string;
  width: number;
  sortKey?: string;
  num?: boolean;
  cell: (run: Run) => string;
  title?: (run: Run) => string;
}

const tag = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

/** `params.lr` → its search-grammar identifier (backticks when the key is not a plain word) */
export function identifier(col: string): string {
  const dot = col.indexOf('.');
  const entity = col.slice(0, dot);
  const key = col.slice(dot + 1);
  return /^[A-Za-z_][\w.]*$/.test(key) && !key.includes('..') ? `${entity}.${key}` : `${entity}.\`${key.replace(/`/g, '')}\``;
}

const FIXED: Column[] = [
  { id: 'name', label: 'Run', width: 220, sortKey: 'attributes.run_name', cell: (r) => r.info.run_name || r.info.run_id.slice(0, 8), title: (r) => r.info.run_id },
  { id: 'status', label: 'Status', width: 96, sortKey: 'attributes.status', cell: (r) => r.info.status },
  { id: 'start', label: 'Started', width: 172, sortKey: 'attributes.start_time', cell: (r) => formatTime(r.info.start_time) },
  { id: 'duration', label: 'Duration', width: 96, sortKey: 'attributes.duration', num: true, cell: (r) => formatDuration(r.info.start_time, r.info.end_time, r.info.status === 'RUNNING') },
  { id: 'user', label: 'User', width: 110, sortKey: 'attributes.user_id', cell: (r) => r.info.user_id },
  {
    id: 'source',
    label: 'Source',
    width: 170,
    sortKey: 'tags.`mlflow.source.git.commit`',
    cell: (r) => {
      const commit = tag(r, 'git-ml.source.head') ?? tag(r, 'mlflow.source.git.commit');
      if (!commit) return '';
      const branch = tag(r, 'mlflow.source.git.branch');
      return `${commit.slice(0, 8)}${tag(r, 'git-ml.source.dirty') === 'true' ? '*' : ''}${branch ? ` ${branch}` : ''}`;
    },
    title: (r) => (tag(r, 'git-ml.source.dirty') === 'true' ? 'uncommitted changes (snapshot recorded)' : (tag(r, 'mlflow.source.git.commit') ?? '')),
  },
];

function keyColumn(col: string): Column {
  const dot = col.indexOf('.');
  const entity = col.slice(0, dot);
  const key = col.slice(dot + 1);
  const short = entity === 'metrics' ? key : `${entity === 'params' ? 'param' : 'tag'}: ${key}`;
  if (entity === 'metrics') {
    return { id: col, label: short, width: 120, num: true, sortKey: identifier(col), cell: (r) => formatNumber(r.data.metrics.find((m) => m.key === key)?.value) };
  }
  const list = entity === 'params' ? (r: Run) => r.data.params : (r: Run) => r.data.tags;
  return { id: col, label: short, width: 120, sortKey: identifier(col), cell: (r) => list(r).find((p) => p.key === key)?.value ?? '' };
}

/** Keys named in a filter or order_by (`metrics.loss`, ``params.`my lr` ``) — shown even when not picked. */
export function keysIn(text: string): string[] {
  const out: string[] = [];
  const re = /\b(metrics?|params?|parameters?|tags?)\.(?:`([^`]+)`|"([^"]+)"|([A-Za-z_][\w.]*))/g;
  for (let m; (m = re.exec(text)); ) {
    const e = m[1].startsWith('metric') ? 'metrics' : m[1].startsWith('param') ? 'params' : 'tags';
    out.push(`${e}.${m[2] ?? m[3] ?? m[4]}`);
  }
  return out;
}

interface Expansion {
  parentId: string;
  /** the parent's index among top-level rows */
  at: number;
  children: Run[];
}

type Row = { kind: 'top'; index: number } | { kind: 'child'; run: Run };

function rowAt(d: number, expansions: Expansion[]): Row {
  let shift = 0;
  for (const e of expansions) {
    if (d <= e.at + shift) break;
    if (d <= e.at + shift + e.children.length) return { kind: 'child', run: e.children[d - e.at - shift - 1] };
    shift += e.children.length;
  }
  return { kind: 'top', index: d - shift };
}

/**
 * The runs of one experiment: a virtually scrolled table whose rows come from the server a page at
 * a time (sorted and filtered there), so 100 000 runs scroll as smoothly as 100.
 */
export function RunsView({ experimentId, params }: { experimentId: string; params: URLSearchParams }) {
  const filter = params.get('filter') ?? '';
  const order = params.get('order') ?? '';
  const status = params.get('status') ?? '';
  const view = params.get('view') ?? 'ACTIVE_ONLY';
  const nested = params.get('nested') !== '0';
  const selected = useMemo(() => new Set(listParam(params, 'sel')), [params.get('sel')]);
  const storeKey = `git-ml.columns.${experimentId}`;
  // the choice of columns: the link's `cols` (NO_COLUMNS when the user chose none), else the stored one
  const rawCols = params.get('cols') ?? localStorage.getItem(storeKey);
  const hasChoice = rawCols !== null && rawCols !== '';
  const chosen = hasChoice && rawCols !== NO_COLUMNS ? rawCols.split(',').filter(Boolean) : [];

  const experiment = useAsync(() => api.experiment(experimentId), [experimentId]);
  // asked for after the first window (effects below run in this same tick): the server answers in
  // order, and the rows matter more than the column picker's list
  const keys = useAsync(() => new Promise<void>((r) => setTimeout(r, 0)).then(() => api.runKeys([experimentId])), [experimentId]);
  const [pickerOpen, setPickerOpen] = useState(false);

  // first visit: a few metrics and params, until the user picks
  const picked = hasChoice ? chosen : [...(keys.data?.metrics.slice(0, 4).map((k) => `metrics.${k}`) ?? []), ...(keys.data?.params.slice(0, 3).map((k) => `params.${k}`) ?? [])];
  const extra = [...keysIn(filter), ...keysIn(order)].filter((k) => !picked.includes(k));
  const columns = [...FIXED, ...[...new Set([...picked, ...extra])].map(keyColumn)];

  const queryKey = JSON.stringify([experimentId, filter, order, status, view, nested]);
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState(() => new Map<number, Run[]>());
  const [childCounts, setChildCounts] = useState(() => new Map<string, number>());
  const [expansions, setExpansions] = useState<Expansion[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 800 });
  const box = useRef<HTMLDivElement>(null);
  const inflight = useRef(new Map<number, AbortController>());
  const queryStarted = useRef(0);

  const query = (offset: number, limit: number, signal?: AbortSignal) =>
    api.runWindow({ experimentIds: [experimentId], filter, orderBy: order ? [order] : [], offset, limit, view, statuses: status ? [status] : undefined, groupNested: nested }, signal);

  // what is loaded or on its way, kept outside render state so two effects in a row never ask twice;
  // `generation` drops answers to a query that is no longer the table's
  const loaded = useRef(new Set<number>());
  const totalRef = useRef<number | null>(null);
  const generation = useRef(0);
  const loadPage = (p: number, replace = false) => {
    if (inflight.current.has(p) || (!replace && loaded.current.has(p))) return;
    const ctl = new AbortController();
    const gen = generation.current;
    inflight.current.set(p, ctl);
    query(p * PAGE, PAGE, ctl.signal).then(
      (w) => {
        inflight.current.delete(p);
        if (gen !== generation.current) return;
        loaded.current.add(p);
        if (totalRef.current !== null && totalRef.current !== w.total) {
          // rows were added or removed: every page boundary moved, so the other pages are stale
          loaded.current = new Set([p]);
          setPages(new Map([[p, w.runs]]));
        } else setPages((old) => new Map(old).set(p, w.runs));
        totalRef.current = w.total;
        setTotal(w.total);
        setError(null);
        setChildCounts((old) => {
          const next = new Map(old);
          for (const [k, v] of Object.entries(w.child_counts)) next.set(k, v);
          return next;
        });
      },
      (err: Error) => {
        inflight.current.delete(p);
        if (gen !== generation.current || err.name === 'AbortError') return;
        setError(err instanceof ApiError ? err : new ApiError(err.message, 'NETWORK', 0));
        setTotal((old) => old ?? 0);
      },
    );
  };

  // a new query starts from an empty table and the top
  useEffect(() => {
    for (const c of inflight.current.values()) c.abort();
    inflight.current.clear();
    loaded.current = new Set();
    totalRef.current = null;
    generation.current++;
    setPages(new Map());
    setChildCounts(new Map());
    setExpansions([]);
    setTotal(null);
    queryStarted.current = performance.now();
    if (box.current) box.current.scrollTop = 0;
    setScroll((s) => ({ ...s, top: 0 }));
  }, [queryKey]);

  const displayTotal = (total ?? 0) + expansions.reduce((n, e) => n + e.children.length, 0);
  const first = Math.max(0, Math.floor(scroll.top / ROW) - OVERSCAN);
  const last = Math.min(displayTotal, Math.ceil((scroll.top + scroll.height) / ROW) + OVERSCAN);

  // fetch the pages under the visible rows
  useEffect(() => {
    if (total === null) {
      loadPage(0);
      return;
    }
    for (let d = first; d < last; d++) {
      const r = rowAt(d, expansions);
      if (r.kind === 'top') loadPage(Math.floor(r.index / PAGE));
    }
  }, [first, last, total, queryKey, pages]);

  // the table follows the repository: the pages on screen are asked for again every few seconds
  // (new runs, running runs' metrics); when the total changed, the other pages are dropped
  useEffect(() => {
    const t = setInterval(() => {
      if (document.hidden) return;
      const visible = new Set<number>();
      for (let d = first; d < last; d++) {
        const r = rowAt(d, expansions);
        if (r.kind === 'top') visible.add(Math.floor(r.index / PAGE));
      }
      if (visible.size === 0) visible.add(0);
      for (const p of visible) loadPage(p, true);
    }, LIVE_MS);
    return () => clearInterval(t);
  }, [first, last, expansions, queryKey]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // performance marks for the benchmark: first rows of each query on screen
  const firstPage = pages.get(0);
  useEffect(() => {
    if (firstPage && queryStarted.current) {
      performance.mark('git-ml:runs-rows', { detail: { query: queryKey, ms: performance.now() - queryStarted.current } });
      queryStarted.current = 0;
    }
  }, [firstPage]);

  const toggleSort = (c: Column) => {
    if (!c.sortKey) return;
    const [k, dir] = order.split(/\s+(?=(?:ASC|DESC)$)/i);
    const next = k === c.sortKey ? (dir?.toUpperCase() === 'DESC' ? `${c.sortKey} ASC` : `${c.sortKey} DESC`) : `${c.sortKey} ${c.id === 'start' ? 'DESC' : 'ASC'}`;
    setParams({ order: next });
  };
  const sortedBy = order.split(/\s+(?=(?:ASC|DESC)$)/i)[0];
  const sortDir = /\sDESC$/i.test(order) ? '▼' : '▲';

  const lastClicked = useRef<number | null>(null);
  const select = (runId: string, d: number, shift: boolean) => {
    const next = new Set(selected);
    if (shift && lastClicked.current !== null) {
      const [a, b] = [Math.min(lastClicked.current, d), Math.max(lastClicked.current, d)];
      for (let i = a; i <= b; i++) {
        const run = runAtDisplay(i);
        if (run) next.add(run.info.run_id);
      }
    } else if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    lastClicked.current = d;
    setParams({ sel: [...next].join(',') });
  };

  const runAtDisplay = (d: number): Run | undefined => {
    const r = rowAt(d, expansions);
    return r.kind === 'child' ? r.run : pages.get(Math.floor(r.index / PAGE))?.[r.index % PAGE];
  };

  const expand = async (run: Run, at: number) => {
    const id = run.info.run_id;
    if (expansions.some((e) => e.parentId === id)) {
      setExpansions(expansions.filter((e) => e.parentId !== id));
      return;
    }
    const gen = generation.current;
    const w = await api.runWindow({ experimentIds: [experimentId], filter, orderBy: order ? [order] : [], offset: 0, limit: 5000, view, statuses: status ? [status] : undefined, groupNested: true, parentRunId: id });
    if (gen !== generation.current) return;
    setExpansions((old) => [...old.filter((e) => e.parentId !== id), { parentId: id, at, children: w.runs }].sort((a, b) => a.at - b.at));
  };

  const setColumns = (cols: string[]) => {
    const value = cols.length ? cols.join(',') : NO_COLUMNS;
    localStorage.setItem(storeKey, value);
    setParams({ cols: value });
  };

  const rows = [];
  for (let d = first; d < last; d++) {
    const r = rowAt(d, expansions);
    const run = r.kind === 'child' ? r.run : pages.get(Math.floor(r.index / PAGE))?.[r.index % PAGE];
    const style = { top: `${ROW + d * ROW}px`, height: `${ROW}px` };
    if (!run) {
      rows.push(
        <div class="vt-row loading" style={style} key={`l${d}`}>
          <div class="vt-cell" style={{ width: '36px' }} />
          <div class="vt-cell">loading…</div>
        </div>,
      );
      continue;
    }
    const id = run.info.run_id;
    const kids = r.kind === 'top' ? childCounts.get(id) : undefined;
    const open = expansions.some((e) => e.parentId === id);
    rows.push(
      <div class={`vt-row${selected.has(id) ? ' sel' : ''}`} style={style} key={id} data-run={id} data-index={d}>
        <div class="vt-cell" style={{ width: '36px' }}>
          <input type="checkbox" aria-label={`select ${run.info.run_name}`} checked={selected.has(id)} onClick={(e) => select(id, d, e.shiftKey)} />
        </div>
        {columns.map((c) => (
          <div class={`vt-cell${c.num ? ' num' : ''}${c.id === 'name' && r.kind === 'child' ? ' child' : ''}`} style={{ width: `${c.width}px` }} title={c.title?.(run) ?? c.cell(run)} key={c.id}>
            {c.id === 'name' ? (
              <>
                {kids ? (
                  <span class="expander" role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && r.kind === 'top' && expand(run, r.index)} onClick={() => r.kind === 'top' && expand(run, r.index)} title={`${kids} nested run${kids === 1 ? '' : 's'}`}>
                    {open ? '▾' : '▸'}
                  </span>
                ) : r.kind === 'top' && nested ? (
                  <span class="expander" />
                ) : null}
                <a href={href(['runs', id])}>{c.cell(run)}</a>
                {kids ? <span class="muted"> ({kids})</span> : null}
              </>
            ) : c.id === 'status' ? (
              <span class={`status ${run.info.status}`}>{run.info.status}</span>
            ) : (
              c.cell(run)
            )}
          </div>
        ))}
      </div>,
    );
  }

  const sel = [...selected];
  const orderError = !!error && /order_by/i.test(error.message.split('\n')[0]);
  const metricCols = columns.filter((c) => c.id.startsWith('metrics.')).map((c) => c.id.slice(8));
  return (
    <>
      <div class="crumbs">
        <a href="#/">Experiments</a> / {experiment.data?.name ?? experimentId}
      </div>
      <div class="toolbar">
        <FilterBox value={filter} error={error && error.code !== 'NETWORK' && !orderError ? error : null} onApply={(v) => setParams({ filter: v, sel: null }, true)} />
        <select aria-label="status" value={status} onChange={(e) => setParams({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">Any status</option>
          {['RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'SCHEDULED'].map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <select aria-label="lifecycle" value={view} onChange={(e) => setParams({ view: (e.target as HTMLSelectElement).value })}>
          <option value="ACTIVE_ONLY">Active</option>
          <option value="DELETED_ONLY">Deleted</option>
          <option value="ALL">All</option>
        </select>
        <label>
          <input type="checkbox" checked={nested} onChange={() => setParams({ nested: nested ? '0' : null })} /> group nested
        </label>
        <span style={{ position: 'relative' }}>
          <button onMouseDown={(e) => e.stopPropagation()} onClick={() => setPickerOpen((o) => !o)} aria-expanded={pickerOpen}>
            Columns…
          </button>
          {pickerOpen && keys.data && <ColumnPicker keys={keys.data} chosen={picked} onChange={setColumns} onClose={() => setPickerOpen(false)} />}
        </span>
        <button disabled={sel.length === 0} onClick={() => navigate(href(['charts'], { runs: sel.join(','), keys: metricCols.join(',') }))}>
          Chart{sel.length ? ` (${sel.length})` : ''}
        </button>
        <button disabled={sel.length < 2} onClick={() => navigate(href(['compare'], { runs: sel.join(',') }))}>
          Compare{sel.length ? ` (${sel.length})` : ''}
        </button>
        {sel.length > 0 && <button onClick={() => setParams({ sel: null })}>Clear selection</button>}
        <span class="muted" data-testid="run-count">
          {error ? '' : total === null ? 'loading…' : `${total.toLocaleString('en')} run${total === 1 ? '' : 's'}${nested ? ' (top level)' : ''}`}
        </span>
      </div>
      <ErrorBox error={error?.code === 'NETWORK' ? error : (experiment.error ?? undefined)} />
      {orderError && (
        <div class="error" data-testid="order-error">
          {error!.message} <a href="javascript:void 0" onClick={() => setParams({ order: null })}>reset the sort</a>
        </div>
      )}
      <div class="vt" ref={box} onScroll={(e) => setScroll({ top: (e.target as HTMLElement).scrollTop, height: (e.target as HTMLElement).clientHeight })} data-testid="runs-table">
        <div class="vt-head">
          <div class="vt-cell" style={{ width: '36px' }} />
          {columns.map((c) => (
            <div
              class={`vt-cell${c.num ? ' num' : ''}${sortedBy === c.sortKey ? ' sorted' : ''}`}
              style={{ width: `${c.width}px` }}
              key={c.id}
              title={c.sortKey ? `sort by ${c.sortKey}` : ''}
              onClick={() => toggleSort(c)}
              onKeyDown={(e) => e.key === 'Enter' && toggleSort(c)}
              tabIndex={c.sortKey ? 0 : undefined}
              role={c.sortKey ? 'button' : undefined}
              data-col={c.id}
            >
              {c.label}
              {sortedBy === c.sortKey ? ` ${sortDir}` : ''}
            </div>
          ))}
        </div>
        <div style={{ height: `${displayTotal * ROW}px` }} />
        {rows}
        {total === 0 && <div style={{ padding: '12px' }} class="muted">No runs match.</div>}
      </div>
    </>
  );
}
