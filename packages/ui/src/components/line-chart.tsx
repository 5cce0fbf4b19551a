import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { align, downsample, type XAxis, type XY } from '../lib/series.js';

export interface Line {
  label: string;
  color: string;
  data: XY;
}

const BUCKETS_PER_PX = 1;
/** lines with at most this many points also get a dot per point */
const FEW_POINTS = 50;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function extent(lines: Line[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    if (l.data.x.length === 0) continue;
    lo = Math.min(lo, l.data.x[0]);
    hi = Math.max(hi, l.data.x[l.data.x.length - 1]);
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * One metric's lines, drawn by uPlot from a downsampled copy of the data for the visible x range;
 * zooming (drag) redraws that range from the full data, double-click zooms back out.
 */
export function LineChart({ lines, axis, log, zoom, onZoom, onDraw, height = 260 }: { lines: Line[]; axis: XAxis; log: boolean; zoom: [number, number] | null; onZoom: (z: [number, number] | null) => void; onDraw?: () => void; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const state = useRef({ lines, zoom, onZoom, onDraw, applying: false });
  state.current.lines = lines;
  state.current.onZoom = onZoom;
  state.current.onDraw = onDraw;

  const dataFor = (range: [number, number] | null, width: number) => {
    const ls = state.current.lines;
    const [from, to] = range ?? extent(ls);
    const data = align(ls.map((l) => downsample(l.data, from, to, Math.max(50, Math.floor(width * BUCKETS_PER_PX)))));
    if (log) for (let k = 1; k < data.length; k++) data[k] = (data[k] as (number | null)[]).map((v) => (v !== null && v > 0 ? v : null));
    return data as uPlot.AlignedData;
  };

  // (re)create when the shape of the chart changes
  useEffect(() => {
    const box = el.current!;
    const width = Math.max(300, box.clientWidth);
    const fg = cssVar('--fg2');
    const grid = cssVar('--line');
    const axisStyle = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height,
      scales: { x: { time: axis === 'time' }, y: log ? { distr: 3 } : {} },
      axes: [{ ...axisStyle, label: axis === 'step' ? 'step' : axis === 'time' ? '' : 'seconds' }, { ...axisStyle, size: 64 }],
      // dots where a line has too few points to be seen as a line (a run that has just started)
      series: [{ label: axis }, ...lines.map((l) => ({ label: l.label, stroke: l.color, fill: undefined, width: 1.5, spanGaps: true, points: { show: (_u: uPlot, si: number) => (state.current.lines[si - 1]?.data.x.length ?? 0) <= FEW_POINTS, size: 6, fill: l.color } }))],
      cursor: {
        drag: { x: true, y: false, setScale: true },
        bind: {
          dblclick: () => () => {
            state.current.onZoom(null);
            return null;
          },
        },
      },
      legend: { live: true },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            const lo = u.posToVal(u.select.left, 'x');
            const hi = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            state.current.onZoom([lo, hi]);
          },
        ],
        draw: [() => state.current.onDraw?.()],
      },
    };
    opts.cursor!.drag!.setScale = false;
    const u = new uPlot(opts, dataFor(zoom, width), box);
    if (zoom) u.setScale('x', { min: zoom[0], max: zoom[1] });
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(300, box.clientWidth), height }));
    ro.observe(box);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [axis, log, lines.length, lines.map((l) => l.label).join('\n')]);

  // new data or a new zoom: redraw from the full data for the visible range
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(dataFor(zoom, u.width), !zoom);
    if (zoom) u.setScale('x', { min: zoom[0], max: zoom[1] });
  }, [lines, zoom?.[0], zoom?.[1]]);

  return <div ref={el} class="chart" />;
}
