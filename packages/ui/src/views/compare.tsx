import { api, type Run } from '../api.js';
import { color, formatNumber } from '../format.js';
import { ErrorBox, useAsync } from '../lib/use-async.js';
import { href, listParam, setParams } from '../route.js';

type Col = { id: string; label: string; value: (r: Run) => string | number | undefined };

function columnsOf(runs: Run[]): { params: Col[]; metrics: Col[] } {
  const pk = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const mk = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  return {
    params: pk.map((k) => ({ id: `params.${k}`, label: k, value: (r) => r.data.params.find((p) => p.key === k)?.value })),
    metrics: mk.map((k) => ({ id: `metrics.${k}`, label: k, value: (r) => r.data.metrics.find((m) => m.key === k)?.value })),
  };
}

const show = (v: string | number | undefined) => (typeof v === 'number' ? formatNumber(v) : (v ?? '—'));

function numeric(values: (string | number | undefined)[]): boolean {
  return values.every((v) => v === undefined || (typeof v === 'number' ? true : v.trim() !== '' && !Number.isNaN(Number(v))));
}

/** An axis: numbers on a linear scale, anything else as evenly spaced categories. */
function axisOf(values: (string | number | undefined)[]): { pos: (v: string | number | undefined) => number | null; ticks: [string, number][] } {
  if (numeric(values)) {
    const nums = values.filter((v) => v !== undefined).map(Number).filter(Number.isFinite);
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    const span = hi - lo || 1;
    return { pos: (v) => (v === undefined || !Number.isFinite(Number(v)) ? null : (Number(v) - lo) / span), ticks: [[formatNumber(lo), 0], [formatNumber(hi), hi === lo ? 0 : 1]] };
  }
  const cats = [...new Set(values.filter((v) => v !== undefined).map(String))].sort();
  const at = (c: string) => (cats.length === 1 ? 0.5 : cats.indexOf(c) / (cats.length - 1));
  return { pos: (v) => (v === undefined ? null : at(String(v))), ticks: cats.map((c) => [c, at(c)] as [string, number]) };
}

function ParallelCoordinates({ runs, cols }: { runs: Run[]; cols: Col[] }) {
  const W = Math.max(600, cols.length * 140);
  const H = 300;
  const pad = { l: 40, r: 80, t: 20, b: 30 };
  if (cols.length < 2) return <div class="muted">Pick at least two parameters or metrics that differ.</div>;
  const axes = cols.map((c) => axisOf(runs.map(c.value)));
  const x = (i: number) => pad.l + (i * (W - pad.l - pad.r)) / (cols.length - 1);
  const y = (p: number) => pad.t + (1 - p) * (H - pad.t - pad.b);
  return (
    <svg width={W} height={H} data-testid="parallel-coordinates">
      {runs.map((r, k) => {
        // a missing value breaks the line (never a straight line across an axis it has no value on)
        const segments: string[][] = [[]];
        cols.forEach((c, i) => {
          const p = axes[i].pos(c.value(r));
          if (p === null) segments.push([]);
          else segments[segments.length - 1].push(`${x(i)},${y(p)}`);
        });
        return (
          <g data-run={r.info.run_id}>
            <title>{r.info.run_name}</title>
            {segments.map((seg) =>
              seg.length > 1 ? (
                <polyline points={seg.join(' ')} fill="none" stroke={color(k)} stroke-width="1.6" opacity="0.85" />
              ) : seg.length === 1 ? (
                <circle cx={seg[0].split(',')[0]} cy={seg[0].split(',')[1]} r="3.5" fill={color(k)} />
              ) : null,
            )}
          </g>
        );
      })}
      {cols.map((c, i) => (
        <g>
          <line x1={x(i)} x2={x(i)} y1={pad.t} y2={H - pad.b} stroke="var(--fg2)" />
          <text x={x(i)} y={H - 8} text-anchor="middle">{c.id}</text>
          {axes[i].ticks.slice(0, 12).map(([label, p]) => (
            <text x={x(i) + 4} y={y(p) + 4}>{label}</text>
          ))}
        </g>
      ))}
    </svg>
  );
}

function Scatter({ runs, xc, yc }: { runs: Run[]; xc?: Col; yc?: Col }) {
  if (!xc || !yc) return <div class="muted">Choose x and y.</div>;
  const W = 520;
  const H = 320;
  const pad = 48;
  const ax = axisOf(runs.map(xc.value));
  const ay = axisOf(runs.map(yc.value));
  return (
    <svg width={W} height={H} data-testid="scatter">
      <line x1={pad} x2={W - 10} y1={H - pad} y2={H - pad} stroke="var(--fg2)" />
      <line x1={pad} x2={pad} y1={10} y2={H - pad} stroke="var(--fg2)" />
      {ax.ticks.slice(0, 10).map(([l, p]) => (
        <text x={pad + p * (W - pad - 20)} y={H - pad + 16} text-anchor="middle">{l}</text>
      ))}
      {ay.ticks.slice(0, 10).map(([l, p]) => (
        <text x={pad - 4} y={H - pad - p * (H - pad - 20)} text-anchor="end">{l}</text>
      ))}
      <text x={W / 2} y={H - 6} text-anchor="middle">{xc.id}</text>
      <text x={12} y={H / 2} transform={`rotate(-90 12 ${H / 2})`} text-anchor="middle">{yc.id}</text>
      {runs.map((r, k) => {
        const px = ax.pos(xc.value(r));
        const py = ay.pos(yc.value(r));
        if (px === null || py === null) return null;
        return (
          <circle cx={pad + 10 + px * (W - pad - 30)} cy={H - pad - 10 - py * (H - pad - 30)} r="5" fill={color(k)}>
            <title>{`${r.info.run_name}: ${show(xc.value(r))}, ${show(yc.value(r))}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}

/** `#/compare?runs=a,b,c`: runs side by side, differences highlighted, parallel coordinates and a scatter. */
export function CompareView({ params }: { params: URLSearchParams }) {
  const ids = listParam(params, 'runs');
  const runs = useAsync(() => Promise.all(ids.map((id) => api.run(id))), [ids.join(',')]);
  const onlyDiff = params.get('diff') === '1';
  if (runs.error) return <ErrorBox error={runs.error} />;
  const rs = runs.data;
  if (!rs) return <div class="muted">loading…</div>;
  const { params: pcols, metrics: mcols } = columnsOf(rs);
  const differs = (c: Col) => new Set(rs.map((r) => String(c.value(r)))).size > 1;
  const all = [...pcols, ...mcols];
  const xc = all.find((c) => c.id === params.get('sx')) ?? pcols.find(differs) ?? pcols[0];
  const yc = all.find((c) => c.id === params.get('sy')) ?? mcols[0];
  const pcCols = params.has('pc') ? listParam(params, 'pc').map((id) => all.find((c) => c.id === id)).filter((c): c is Col => !!c) : [...pcols.filter(differs), ...mcols.slice(0, 1)];
  const section = (title: string, cols: Col[]) => {
    const shown = onlyDiff ? cols.filter(differs) : cols;
    return (
      <>
        <tr>
          <th colSpan={rs.length + 1}>{title}</th>
        </tr>
        {shown.map((c) => (
          <tr class={differs(c) ? 'differs' : ''} data-key={c.id}>
            <td>{c.label}</td>
            {rs.map((r) => (
              <td class={typeof c.value(r) === 'number' ? 'num' : 'mono'}>{show(c.value(r))}</td>
            ))}
          </tr>
        ))}
      </>
    );
  };
  return (
    <>
      <div class="crumbs">
        <a href="#/">Experiments</a> / <a href={href(['experiments', rs[0]?.info.experiment_id ?? '0'])}>experiment {rs[0]?.info.experiment_id}</a> / compare
      </div>
      <h1>Comparing {rs.length} runs</h1>
      <div class="toolbar">
        <label>
          <input type="checkbox" checked={onlyDiff} onChange={() => setParams({ diff: onlyDiff ? null : '1' })} /> only rows that differ
        </label>
        <a href={href(['charts'], { runs: ids.join(',') })}>chart their metrics</a>
      </div>
      <table class="grid" data-testid="compare">
        <thead>
          <tr>
            <th>Run</th>
            {rs.map((r, k) => (
              <th style={{ borderTop: `3px solid ${color(k)}` }}>
                <a href={href(['runs', r.info.run_id])}>{r.info.run_name || r.info.run_id.slice(0, 8)}</a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {section('Parameters', pcols)}
          {section('Metrics', mcols)}
        </tbody>
      </table>
      <h2>Parallel coordinates</h2>
      <div class="toolbar">
        {all.map((c) => (
          <label>
            <input type="checkbox" checked={pcCols.includes(c)} onChange={() => setParams({ pc: (pcCols.includes(c) ? pcCols.filter((x) => x !== c) : [...pcCols, c]).map((x) => x.id).join(',') })} /> {c.id}
          </label>
        ))}
      </div>
      <div style={{ overflowX: 'auto' }}>
        <ParallelCoordinates runs={rs} cols={pcCols} />
      </div>
      <h2>Scatter</h2>
      <div class="toolbar">
        x{' '}
        <select value={xc?.id} onChange={(e) => setParams({ sx: (e.target as HTMLSelectElement).value })}>
          {all.map((c) => <option value={c.id}>{c.id}</option>)}
        </select>
        y{' '}
        <select value={yc?.id} onChange={(e) => setParams({ sy: (e.target as HTMLSelectElement).value })}>
          {all.map((c) => <option value={c.id}>{c.id}</option>)}
        </select>
      </div>
      <Scatter runs={rs} xc={xc} yc={yc} />
    </>
  );
}
