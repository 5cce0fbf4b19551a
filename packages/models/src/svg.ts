/** Small, dependency-free SVG pictures for evaluation: confusion matrix, ROC curve, bar chart. */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));

function frame(w: number, h: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">
<title>${esc(title)}</title>
<rect width="${w}" height="${h}" fill="white"/>
<text x="${w / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`;
}

export function confusionMatrixSvg(matrix: number[][], labels: string[], title = 'Confusion matrix'): string {
  const n = labels.length;
  const cell = Math.max(40, Math.min(90, 360 / n));
  const left = 90;
  const top = 50;
  const max = Math.max(1, ...matrix.flat());
  let body = '';
  for (let i = 0; i < n; i++) {
    body += `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(labels[i])}</text>\n`;
    body += `<text x="${left + i * cell + cell / 2}" y="${top + n * cell + 16}" text-anchor="middle">${esc(labels[i])}</text>\n`;
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      const shade = Math.round(245 - (v / max) * 180);
      body += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#999"/>`;
      body += `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${v / max > 0.6 ? 'white' : 'black'}">${v}</text>\n`;
    }
  }
  body += `<text x="${left + (n * cell) / 2}" y="${top + n * cell + 34}" text-anchor="middle">predicted</text>`;
  body += `<text x="18" y="${top + (n * cell) / 2}" text-anchor="middle" transform="rotate(-90 18 ${top + (n * cell) / 2})">actual</text>`;
  return frame(left + n * cell + 20, top + n * cell + 50, title, body);
}

export function rocCurveSvg(fpr: number[], tpr: number[], auc: number, title = 'ROC curve'): string {
  const size = 300;
  const left = 50;
  const top = 40;
  const pts = fpr.map((x, i) => `${(left + x * size).toFixed(1)},${(top + (1 - tpr[i]) * size).toFixed(1)}`).join(' ');
  let body = `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#333"/>`;
  body += `<line x1="${left}" y1="${top + size}" x2="${left + size}" y2="${top}" stroke="#bbb" stroke-dasharray="4 4"/>`;
  body += `<polyline points="${pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>`;
  for (const t of [0, 0.5, 1]) {
    body += `<text x="${left + t * size}" y="${top + size + 16}" text-anchor="middle">${t}</text>`;
    body += `<text x="${left - 6}" y="${top + (1 - t) * size + 4}" text-anchor="end">${t}</text>`;
  }
  body += `<text x="${left + size / 2}" y="${top + size + 34}" text-anchor="middle">false positive rate</text>`;
  body += `<text x="14" y="${top + size / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + size / 2})">true positive rate</text>`;
  body += `<text x="${left + size - 8}" y="${top + size - 10}" text-anchor="end">AUC = ${Number.isNaN(auc) ? 'n/a' : fmt(auc)}</text>`;
  return frame(left + size + 20, top + size + 50, title, body);
}

/** Horizontal bars, largest first (feature importances and the like). */
export function barChartSvg(values: { label: string; value: number }[], title: string): string {
  const rows = [...values].sort((a, b) => b.value - a.value).slice(0, 30);
  const max = Math.max(1e-12, ...rows.map((r) => Math.abs(r.value)));
  const left = 120;
  const width = 300;
  const h = 18;
  let body = '';
  rows.forEach((r, i) => {
    const y = 40 + i * (h + 4);
    body += `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(r.label)}</text>`;
    body += `<rect x="${left}" y="${y}" width="${((Math.abs(r.value) / max) * width).toFixed(1)}" height="${h}" fill="#2ca02c"/>`;
    body += `<text x="${left + (Math.abs(r.value) / max) * width + 4}" y="${y + 13}">${fmt(r.value)}</text>\n`;
  });
  return frame(left + width + 70, 50 + rows.length * (h + 4), title, body);
}
