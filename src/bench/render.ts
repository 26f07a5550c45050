// `bench tls` output: a terminal table and an SVG chart (the JSON is the result object itself).

import type { TlsBenchResult } from './tls.js';

const ns = (v: number): string => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

export function renderTable(r: TlsBenchResult): string {
  const lines = [
    `TLS access in wasm, ns per read+write — Node ${r.node}, ${r.cores} cores, ${r.samplesPerThread} samples × ${r.iterations} operations per thread, variants in rotated order`,
  ];
  const labelWidth = Math.max(...r.runs.flatMap((run) => run.variants.map((v) => v.label.length)), 8) + 2;
  for (const run of r.runs) {
    lines.push('', `${run.threads === 1 ? 'one thread' : `${run.threads} threads at once`}`);
    lines.push(`  ${'variant'.padEnd(labelWidth)}${'median'.padStart(9)}${'p10 – p90'.padStart(17)}${'× plain'.padStart(10)}`);
    for (const v of run.variants) {
      lines.push(`  ${v.label.padEnd(labelWidth)}${ns(v.median).padStart(9)}${`${ns(v.p10)} – ${ns(v.p90)}`.padStart(17)}${v.ratio.toFixed(2).padStart(10)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar chart: one group per variant, one bar per thread count (median), a whisker from
 * p10 to p90, the × plain ratio at the end of each bar. Log-free linear axis from 0.
 */
export function renderSvg(r: TlsBenchResult): string {
  const ids = r.runs[0].variants.map((v) => v.id);
  const labels = r.runs[0].variants.map((v) => v.label);
  const colors = ['#3366cc', '#dc7633', '#2e9e6b', '#8e44ad', '#c0392b', '#7f8c8d'];
  const barH = 16;
  const groupGap = 14;
  const left = 290;
  const width = 860;
  const plotW = width - left - 90;
  const top = Math.max(60, 24 + r.runs.length * 16);
  const max = Math.max(...r.runs.flatMap((run) => run.variants.map((v) => v.p90))) * 1.05;
  const x = (v: number): number => left + (v / max) * plotW;
  const groupH = r.runs.length * barH + groupGap;
  const height = top + ids.length * groupH + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">TLS access in wasm: ns per read+write (median, p10–p90)</text>`,
    `<text x="12" y="40" fill="#555">Node ${esc(r.node)} · ${r.cores} cores · ${r.samplesPerThread} samples × ${r.iterations} ops per thread · rotated order</text>`,
  ];
  // Grid lines and axis labels.
  const step = niceStep(max / 6);
  for (let v = 0; v <= max; v += step) {
    out.push(`<line x1="${x(v).toFixed(1)}" y1="${top - 6}" x2="${x(v).toFixed(1)}" y2="${height - 44}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${height - 30}" text-anchor="middle" fill="#555">${+v.toFixed(3)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle" fill="#333">ns per operation</text>`);
  ids.forEach((id, g) => {
    const y0 = top + g * groupH;
    out.push(`<text x="${left - 10}" y="${y0 + (r.runs.length * barH) / 2 + 4}" text-anchor="end">${esc(labels[g])}</text>`);
    r.runs.forEach((run, k) => {
      const v = run.variants.find((s) => s.id === id)!;
      const y = y0 + k * barH;
      const c = colors[k % colors.length];
      out.push(`<rect x="${left}" y="${y + 2}" width="${(x(v.median) - left).toFixed(1)}" height="${barH - 4}" fill="${c}" opacity="0.85"><title>${run.threads} thread(s): median ${ns(v.median)} ns, p10 ${ns(v.p10)}, p90 ${ns(v.p90)}, ${v.ratio.toFixed(2)}× plain</title></rect>`);
      out.push(`<line x1="${x(v.p10).toFixed(1)}" y1="${y + barH / 2}" x2="${x(v.p90).toFixed(1)}" y2="${y + barH / 2}" stroke="#222"/>`);
      out.push(`<text x="${(x(v.p90) + 6).toFixed(1)}" y="${y + barH / 2 + 4}" fill="#333">${ns(v.median)} ns · ${v.ratio.toFixed(2)}×</text>`);
    });
  });
  r.runs.forEach((run, k) => {
    const lx = width - 170;
    const ly = 16 + k * 16;
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colors[k % colors.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly}">${run.threads === 1 ? 'one thread' : `${run.threads} threads at once`}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
