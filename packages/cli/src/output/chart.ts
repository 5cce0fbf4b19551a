/**
 * A metric curve drawn in the terminal with braille characters: each character cell holds 2×4
 * dots, so a chart of W×H characters has 2W×4H points of resolution. However many points there
 * are, each dot column keeps only the lowest and highest value that falls into it (a min/max
 * envelope), so a spike in 100 000 points still shows and drawing stays O(points).
 */

import { formatNumber } from './format.js';

/** A point to draw; `y` values that are NaN or infinite are counted, not drawn. */
export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartOptions {
  /** characters across, the y-axis labels included */
  width: number;
  /** character rows of the plot area */
  height: number;
  /** the x axis's name under the chart, e.g. "step" */
  xLabel: string;
}

const BRAILLE = 0x2800;
// dot bit of (column within the cell, row within the cell)
const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** The lines of a braille line chart of `points` (in any order), y range on the left, x range below; none when fewer than two distinct finite points. */
export function brailleChart(points: readonly ChartPoint[], options: ChartOptions): string[] {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) continue;
    if (p.x < xMin) xMin = p.x;
    if (p.x > xMax) xMax = p.x;
    if (p.y < yMin) yMin = p.y;
    if (p.y > yMax) yMax = p.y;
  }
  if (xMin >= xMax && yMin >= yMax) return []; // nothing or a single point: no curve to draw

  const top = formatNumber(yMax);
  const bottom = yMin === yMax ? '' : formatNumber(yMin);
  const labelWidth = Math.max(top.length, bottom.length);
  const cells = Math.max(4, options.width - labelWidth - 2);
  const rows = Math.max(2, options.height);
  const dotCols = cells * 2;
  const dotRows = rows * 4;

  // the min/max envelope per dot column, and the values at its left and right edge (by x)
  const lo = new Float64Array(dotCols).fill(Infinity);
  const hi = new Float64Array(dotCols).fill(-Infinity);
  const firstX = new Float64Array(dotCols).fill(Infinity);
  const firstY = new Float64Array(dotCols);
  const lastX = new Float64Array(dotCols).fill(-Infinity);
  const lastY = new Float64Array(dotCols);
  const xSpan = xMax - xMin;
  for (const p of points) {
    if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) continue;
    const c = xSpan === 0 ? 0 : Math.min(dotCols - 1, Math.floor(((p.x - xMin) / xSpan) * dotCols));
    if (p.y < lo[c]) lo[c] = p.y;
    if (p.y > hi[c]) hi[c] = p.y;
    if (p.x < firstX[c]) (firstX[c] = p.x), (firstY[c] = p.y);
    if (p.x >= lastX[c]) (lastX[c] = p.x), (lastY[c] = p.y);
  }
  // fewer points than dot columns: the columns between two points get the straight line joining them
  let prev = -1;
  for (let c = 0; c < dotCols; c++) {
    if (lo[c] === Infinity || lastX[c] === -Infinity) continue;
    if (prev >= 0 && c - prev > 1) {
      for (let g = prev + 1; g < c; g++) {
        const y = lastY[prev] + ((firstY[c] - lastY[prev]) * (g - prev)) / (c - prev);
        lo[g] = hi[g] = y;
      }
    }
    prev = c;
  }

  const ySpan = yMax - yMin;
  const rowOf = (y: number) => (ySpan === 0 ? Math.floor(dotRows / 2) : Math.round(((yMax - y) / ySpan) * (dotRows - 1)));
  const grid = new Uint8Array(cells * rows);
  let prevLo = NaN;
  let prevHi = NaN;
  for (let c = 0; c < dotCols; c++) {
    if (lo[c] === Infinity) continue;
    let a = lo[c];
    let b = hi[c];
    // join this column to the previous one so the curve reads as a line, not scattered dots
    if (!Number.isNaN(prevLo)) {
      if (a > prevHi) a = prevHi;
      if (b < prevLo) b = prevLo;
    }
    prevLo = lo[c];
    prevHi = hi[c];
    const r0 = rowOf(b);
    const r1 = rowOf(a);
    const cell = c >> 1;
    for (let r = r0; r <= r1; r++) grid[(r >> 2) * cells + cell] |= DOT[c & 1][r & 3];
  }

  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const label = r === 0 ? top : r === rows - 1 ? bottom : '';
    let text = '';
    for (let c = 0; c < cells; c++) text += String.fromCharCode(BRAILLE + grid[r * cells + c]);
    lines.push(`${label.padStart(labelWidth)} ${r === 0 || r === rows - 1 ? '┤' : '│'}${text}`);
  }
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(cells)}`);
  const left = formatNumber(xMin);
  const right = `${formatNumber(xMax)} (${options.xLabel})`;
  const gap = Math.max(1, cells + 1 - left.length - right.length);
  lines.push(`${' '.repeat(labelWidth + 1)}${left}${' '.repeat(gap)}${right}`);
  return lines.map((l) => l.replace(/\u2800+$/, '').trimEnd());
}
