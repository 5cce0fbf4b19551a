import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type Run, type Series } from '../api.js';
import { color } from '../format.js';
import { LineChart, type Line } from '../components/line-chart.js';
import { smooth, toXY, type XAxis } from '../lib/series.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href, listParam, setParams } from '../route.js';

const LIVE_MS = 3000;
/** points per history for the first draw: about four per pixel of a wide chart */
const FIRST_DRAW_POINTS = 4096;

/**
 * Every point of each (run, metric) history, fetched once (all at the same time, straight from the
 * run ids, without waiting for the runs themselves) and refreshed while a run is running.
 */
function useSeries(ids: string[], keys: string[], running: Set<string>): { series: Map<string, Series>; error?: Error } {
  const [series, setSeries] = useState(() => new Map<string, Series>());
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const [error, setError] = useState<Error>();
  const pairs = useMemo(() => ids.flatMap((id) => keys.map((k) => [id, k] as const)), [ids.join(','), keys.join('\n')]);
  const live = [...running].sort().join(',');
  // one failed series does not hide the others: each is kept or reported on its own
  const load = (which: (readonly [string, string])[], signal: AbortSignal, on: () => boolean, maxPoints?: number) =>
    Promise.allSettled(which.map(([id, k]) => api.series(id, k, maxPoints, signal))).then((results) => {
      if (!on()) return;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as Error).name !== 'AbortError');
      setError(failed ? (failed.reason as Error) : undefined);
      setSeries((old) => {
        const next = new Map(old);
        for (const r of results) if (r.status === 'fulfilled') next.set(`${r.value.run_id}\u0000${r.value.key}`, r.value);
        return next;
      });
    });
  useEffect(() => {
    let on = true;
    const ctl = new AbortController();
    // first a display-sized copy of each history (drawn at once), then every point (for zooming in),
    // asked for once the first draw is on screen so its bytes do not compete with drawing it
    const painted = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    load(pairs, ctl.signal, () => on, FIRST_DRAW_POINTS)
      .then(() => (on ? painted() : undefined))
      .then(() => (on ? load(pairs, ctl.signal, () => on) : undefined))
      .then(() => {
        if (on) performance.mark('git-ml:charts-all-points');
      });
    return () => {
      on = false;
      ctl.abort();
    };
  }, [pairs]);
  useEffect(() => {
    if (!running.size) return;
    let on = true;
    const ctl = new AbortController();
    // a running run's chart asks only for the points it does not have yet
    const t = setInterval(() => {
      for (const [id, k] of pairs) {
        if (!running.has(id)) continue;
        const held = seriesRef.current.get(`${id}\u0000${k}`);
        const offset = held && held.value.length === held.count ? held.count : 0;
        api.series(id, k, undefined, ctl.signal, offset).then(
          (tail) => {
            if (!on || tail.count === offset) return;
            setSeries((old) => {
              const cur = old.get(`${id}\u0000${k}`);
              const next = new Map(old);
              next.set(`${id}\u0000${k}`, cur && offset > 0 && cur.count === offset && tail.count > offset ? appendSeries(cur, tail) : tail);
              return next;
            });
          },
          () => {},
        );
      }
    }, LIVE_MS);
    return () => {
      on = false;
      ctl.abort();
      clearInterval(t);
    };
  }, [pairs, live]);
  return { series, error };
}

/** `cur` followed by the points of `tail` (a refresh that asked for the points from `cur.count` on). */
function appendSeries(cur: Series, tail: Series): Series {
  const join = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  // (count, min and max in `tail` are the whole history's)
  return { ...tail, step: join(cur.step, tail.step), timestamp: join(cur.timestamp, tail.timestamp), value: join(cur.value, tail.value) };
}

/** Runs with their latest data, refreshed while any of them is running (new metrics appear). */
function useRuns(ids: string[]) {
  const [tick, setTick] = useState(0);
  // asked for after the series (queued first in this same tick): the lines matter more than the names
  const runs = useAsync(() => new Promise<void>((r) => setTimeout(r, 0)).then(() => Promise.all(ids.map((id) => api.run(id)))), [ids.join(','), tick]);
  const running = runs.data?.some((r) => r.info.status === 'RUNNING');
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setTick(tick + 1), LIVE_MS * 2);
    return () => clearTimeout(t);
  }, [running, tick]);
  return runs;
}

/**
 * Metric charts for one or many runs, one chart per metric with a line per run. The controls (x
 * axis, smoothing, log scale, zoom) are in the URL so the view can be linked.
 */
export function MetricCharts({ ids, runs, keys, params, idPrefix = '' }: { ids: string[]; runs?: Run[]; keys: string[]; params: URLSearchParams; idPrefix?: string }) {
  const axis = (params.get('x') as XAxis) || 'step';
  const weight = Number(params.get('smooth') ?? 0) || 0;
  const log = params.get('log') === '1';
  const zoomParam = params.get('zoom');
  const z = zoomParam ? zoomParam.split(',').map(Number) : null;
  const zoom = z && z.length === 2 && z[0] < z[1] ? (z as [number, number]) : null;
  const running = useMemo(() => new Set((runs ?? []).filter((r) => r.info.status === 'RUNNING').map((r) => r.info.run_id)), [runs]);
  const { series, error } = useSeries(ids, keys, running);
  const nameOf = (id: string) => {
    const r = runs?.find((x) => x.info.run_id === id);
    return r?.info.run_name || id.slice(0, 8);
  };
  const drawn = useRef(new Set<string>());
  const started = useRef(performance.now());

  const linesFor = (key: string): Line[] =>
    ids.flatMap((id, i) => {
      const s = series.get(`${id}\u0000${key}`);
      if (!s || s.value.length === 0) return [];
      const xy = toXY(s.step, s.timestamp, s.value, axis);
      return [{ label: nameOf(id), color: color(i), data: weight > 0 ? { x: xy.x, y: smooth(xy.y, weight) } : xy }];
    });

  // built once per change of data or display settings (not on every render): the charts redraw
  // when these arrays change
  const linesByKey = useMemo(() => new Map(keys.map((key) => [key, linesFor(key)])), [series, axis, weight, runs, keys.join('\n'), ids.join(',')]);

  // a chart counts as drawn once it has drawn every run's line (not the first line to arrive)
  const onDraw = (key: string) => {
    if (drawn.current.has(key) || !ids.every((id) => series.has(`${id}\u0000${key}`))) return;
    drawn.current.add(key);
    if (drawn.current.size === keys.length) performance.mark('git-ml:charts-drawn', { detail: { ms: performance.now() - started.current, points: [...series.values()].reduce((n, s) => n + s.count, 0) } });
  };

  return (
    <>
      <div class="toolbar">
        <label>
          x axis{' '}
          <select value={axis} onChange={(e) => setParams({ x: (e.target as HTMLSelectElement).value, zoom: null })}>
            <option value="step">step</option>
            <option value="time">wall time</option>
            <option value="relative">relative time</option>
          </select>
        </label>
        <label>
          smoothing <input type="range" min="0" max="0.99" step="0.01" value={weight} onChange={(e) => setParams({ smooth: (e.target as HTMLInputElement).value === '0' ? null : (e.target as HTMLInputElement).value })} /> {weight.toFixed(2)}
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={() => setParams({ log: log ? null : '1' })} /> log scale
        </label>
        {zoom && <button onClick={() => setParams({ zoom: null })}>Reset zoom</button>}
        <span class="muted">drag to zoom, double-click to zoom out</span>
      </div>
      <ErrorBox error={error} />
      <div class="cards">
        {keys.map((key) => {
          const lines = linesByKey.get(key) ?? [];
          const points = lines.reduce((n, l) => n + l.data.x.length, 0);
          return (
            <div class="card" key={key} data-testid={`${idPrefix}chart-${key}`} data-points={points}>
              <h3>{key}</h3>
              {lines.length ? (
                <LineChart lines={lines} axis={axis} log={log} zoom={zoom} onZoom={(z) => setParams({ zoom: z && z[1] > z[0] ? z.map((v) => String(Math.round(v * 1000) / 1000)).join(',') : null })} onDraw={() => onDraw(key)} />
              ) : (
                <div class="muted">{series.size ? 'no points' : 'loading…'}</div>
              )}
            </div>
          );
        })}
      </div>
    </>
  );
}

/** `#/charts?runs=a,b&keys=loss,acc`: metric histories of the chosen runs overlaid. */
export function ChartsView({ params }: { params: URLSearchParams }) {
  const ids = listParam(params, 'runs');
  const runs = useRuns(ids);
  const all = [...new Set((runs.data ?? []).flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  const chosen = listParam(params, 'keys');
  const keys = chosen.length ? chosen : all;
  const exp = runs.data?.[0]?.info.experiment_id;
  return (
    <>
      <div class="crumbs">
        <a href="#/">Experiments</a>
        {exp && (
          <>
            {' / '}
            <a href={href(['experiments', exp])}>experiment {exp}</a>
          </>
        )}{' '}
        / charts
      </div>
      <h1>Metrics of {ids.length} run{ids.length === 1 ? '' : 's'}</h1>
      <div class="toolbar">
        {(runs.data ?? []).map((r, i) => (
          <span class="chip" style={{ borderLeft: `4px solid ${color(i)}` }}>
            <a href={href(['runs', r.info.run_id])}>{r.info.run_name || r.info.run_id.slice(0, 8)}</a> <span class={`status ${r.info.status}`}>{r.info.status}</span>
          </span>
        ))}
      </div>
      <div class="toolbar">
        <span class="muted">metrics:</span>
        {all.map((k) => (
          <label>
            <input type="checkbox" checked={keys.includes(k)} onChange={() => setParams({ keys: (keys.includes(k) ? keys.filter((x) => x !== k) : [...keys, k]).join(',') })} /> {k}
          </label>
        ))}
      </div>
      <ErrorBox error={runs.error} />
      {(chosen.length > 0 || runs.data) && <MetricCharts ids={ids} runs={runs.data} keys={keys} params={params} />}
    </>
  );
}
