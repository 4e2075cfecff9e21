// Renders soak samples as a self-contained SVG: RSS (MiB), CPU (%) and open descriptors against time,
// one panel each. No dependencies; used by soak.mjs (and by itself: node plot.mjs soak.csv > soak.svg).
import { readFileSync } from 'node:fs';

const PANELS = [
  { key: 'rss', label: 'RSS (MiB)', color: '#1f77b4', extra: { key: 'hwm', color: '#aec7e8', label: 'peak' } },
  { key: 'cpu', label: 'CPU (% of one core)', color: '#d62728' },
  { key: 'fds', label: 'open descriptors', color: '#2ca02c' },
];
const WIDTH = 900;
const PANEL_HEIGHT = 180;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 40 };

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function renderSvg(samples, { title = 'soak' } = {}) {
  const height = MARGIN.top + PANELS.length * (PANEL_HEIGHT + MARGIN.bottom);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const tMax = niceMax(samples.length ? samples.at(-1).elapsed : 1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  ];
  PANELS.forEach((panel, index) => {
    const top = MARGIN.top + index * (PANEL_HEIGHT + MARGIN.bottom);
    const keys = [panel.key, ...(panel.extra ? [panel.extra.key] : [])];
    const vMax = niceMax(Math.max(0, ...samples.flatMap((s) => keys.map((k) => s[k]).filter(Number.isFinite))) * 1.05);
    const x = (t) => MARGIN.left + (t / tMax) * plotWidth;
    const y = (v) => top + PANEL_HEIGHT - (v / vMax) * PANEL_HEIGHT;
    out.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (vMax * i) / 4;
      out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
      out.push(`<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(1)}</text>`);
    }
    for (let i = 0; i <= 6; i++) {
      const t = (tMax * i) / 6;
      out.push(`<text x="${x(t)}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle">${Math.round(t)} s</text>`);
    }
    out.push(`<text x="${MARGIN.left + 8}" y="${top + 16}" fill="${panel.color}">${escape(panel.label)}</text>`);
    const line = (key, color) => {
      const points = samples.filter((s) => Number.isFinite(s[key])).map((s) => `${x(s.elapsed).toFixed(1)},${y(s[key]).toFixed(1)}`);
      if (points.length) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(' ')}"/>`);
    };
    if (panel.extra) {
      line(panel.extra.key, panel.extra.color);
      out.push(`<text x="${MARGIN.left + 120}" y="${top + 16}" fill="${panel.extra.color}">${escape(panel.extra.label)}</text>`);
    }
    line(panel.key, panel.color);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// node plot.mjs soak.csv > soak.svg
if (import.meta.url === `file://${process.argv[1]}`) {
  const [header, ...rows] = readFileSync(process.argv[2], 'utf8').trim().split('\n');
  const names = header.split(',');
  const column = (row, name) => Number(row.split(',')[names.indexOf(name)]);
  const samples = rows.map((row) => ({
    elapsed: column(row, 'elapsed_s'),
    rss: column(row, 'rss_mib'),
    hwm: column(row, 'hwm_mib'),
    cpu: column(row, 'cpu_percent'),
    fds: column(row, 'fds'),
  }));
  process.stdout.write(renderSvg(samples, { title: process.argv[3] || 'resound soak' }));
}
