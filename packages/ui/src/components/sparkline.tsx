/** A tiny SVG line of a (downsampled) series, for tables. */
export function Sparkline({ values, width = 120, height = 24 }: { values: ArrayLike<number>; width?: number; height?: number }) {
  const ys = Array.from(values).filter(Number.isFinite);
  if (ys.length < 2) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ys) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const pts = ys.map((v, i) => `${((i / (ys.length - 1)) * width).toFixed(1)},${(height - 2 - ((v - lo) / span) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-label="sparkline">
      <polyline points={pts} fill="none" stroke="var(--accent)" stroke-width="1.3" />
    </svg>
  );
}
