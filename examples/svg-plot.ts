/**
 * Line charts as SVG text, with no dependencies: enough for training curves and benchmark plots.
 *
 *   writeFileSync('curves.svg', chartGrid([lossChart, accuracyChart], 2));
 *
 * Axes may be linear or logarithmic; ticks land on round numbers (1, 2, 5 × 10^k). Every string that ends up
 * in the markup is escaped, so titles and series names may contain any characters.
 */

export interface Series {
  name: string;
  /** [x, y] pairs; non-finite values (and ≤ 0 on a log axis) are left out of the line */
  points: [number, number][];
  color?: string;
  dashed?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  yLog?: boolean;
  /** axis limits; by default the data's range (a linear y axis also takes in 0 when the data is close to it) */
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
  /** corner of the plot area that holds the legend (default top-right) */
  legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Numbers short enough for a tick label: 1.2k, 3.4M, 0.25, 1e-4. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1e-3) return String(+v.toPrecision(3));
  return v.toExponential(0);
}

interface Axis {
  toPixel(v: number): number;
  ticks: number[];
}

/** A round step (1, 2 or 5 × 10^k) that cuts [lo, hi] into about `count` pieces. */
function niceStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

/** Multiples of `step` in [lo, hi]. */
function linearTicks(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

/** Powers of ten across [lo, hi], with 2× and 5× in between when the range spans few decades. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const decades = Math.log10(hi / lo);
  const mantissas = decades <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const t = m * 10 ** e;
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

function makeAxis(values: number[], log: boolean, min: number | undefined, max: number | undefined, from: number, to: number, isY: boolean): Axis {
  let lo = min ?? Math.min(...values);
  let hi = max ?? Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = log ? 1 : 0;
    hi = log ? 10 : 1;
  }
  if (log) {
    // a y axis goes out to whole decades, so both ends carry a label; an x axis spans just the data
    if (isY && min === undefined) lo = 10 ** Math.floor(Math.log10(lo));
    if (isY && max === undefined) hi = 10 ** Math.ceil(Math.log10(hi));
    if (lo === hi) hi = lo * 10;
    const l0 = Math.log10(lo);
    const span = Math.log10(hi) - l0;
    return { toPixel: (v) => from + ((Math.log10(v) - l0) / span) * (to - from), ticks: logTicks(lo, hi) };
  }
  if (isY && min === undefined && lo > 0 && lo < 0.25 * hi) lo = 0;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = niceStep(lo, hi, 5);
  // a y axis ends on ticks, so its extremes are labelled; an x axis spans just the data (epochs 1..n)
  if (isY && min === undefined) lo = Math.floor(lo / step + 1e-9) * step;
  if (isY && max === undefined) hi = Math.ceil(hi / step - 1e-9) * step;
  return { toPixel: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks: linearTicks(lo, hi, step) };
}

/** One chart as the inner markup of an <svg> of chart.width × chart.height. */
function chartBody(chart: Chart): string {
  const width = chart.width ?? 480;
  const height = chart.height ?? 320;
  const left = 64;
  const right = 16;
  const top = 34;
  const bottom = 46;
  const usable = (log: boolean | undefined) => (p: [number, number], i: 0 | 1) => Number.isFinite(p[i]) && (!log || p[i] > 0);
  const okX = usable(chart.xLog);
  const okY = usable(chart.yLog);
  const points = chart.series.flatMap((s) => s.points.filter((p) => okX(p, 0) && okY(p, 1)));
  const x = makeAxis(points.map((p) => p[0]), !!chart.xLog, chart.xMin, chart.xMax, left, width - right, false);
  const y = makeAxis(points.map((p) => p[1]), !!chart.yLog, chart.yMin, chart.yMax, height - bottom, top, true);
  const out: string[] = [];
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold" ${FONT}>${escapeXml(chart.title)}</text>`);
  // grid and tick labels
  for (const t of x.ticks) {
    const px = x.toPixel(t).toFixed(1);
    out.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${height - bottom}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${px}" y="${height - bottom + 15}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(formatTick(t))}</text>`);
  }
  for (const t of y.ticks) {
    const py = y.toPixel(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${py}" x2="${width - right}" y2="${py}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${left - 6}" y="${py}" dy="4" text-anchor="end" font-size="11" ${FONT}>${escapeXml(formatTick(t))}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${(left + width - right) / 2}" y="${height - 10}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(chart.xLabel)}</text>`);
  out.push(
    `<text x="14" y="${(top + height - bottom) / 2}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 14 ${(top + height - bottom) / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  // lines and markers, then the legend on a white box above them
  const corner = chart.legend ?? 'top-right';
  const legendWidth = 40 + 6.5 * Math.max(0, ...chart.series.map((t) => t.name.length));
  const legendHeight = 16 * chart.series.length;
  const lx = corner.endsWith('left') ? left + 10 : width - right - 10 - legendWidth;
  const ly0 = corner.startsWith('top') ? top + 14 : height - bottom - legendHeight + 8;
  const legend: string[] = [];
  if (chart.series.length) {
    legend.push(`<rect x="${lx - 4}" y="${ly0 - 12}" width="${legendWidth}" height="${legendHeight + 2}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  }
  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter((p) => okX(p, 0) && okY(p, 1)).map((p) => `${x.toPixel(p[0]).toFixed(1)},${y.toPixel(p[1]).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
    }
    const ly = ly0 + i * 16;
    legend.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    legend.push(`<text x="${lx + 28}" y="${ly}" font-size="11" ${FONT}>${escapeXml(s.name)}</text>`);
  });
  return [...out, ...legend].join('\n');
}

function svgDocument(width: number, height: number, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${body}\n</svg>\n`;
}

/** One chart as a standalone SVG document. */
export function lineChart(chart: Chart): string {
  return svgDocument(chart.width ?? 480, chart.height ?? 320, chartBody(chart));
}

/** Several charts side by side, `columns` per row, as one SVG document (charts take the first one's size). */
export function chartGrid(charts: Chart[], columns: number, title?: string): string {
  if (charts.length === 0) throw new Error('chartGrid: charts must hold at least one chart');
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`chartGrid: columns must be an integer ≥ 1, got ${columns}`);
  const w = charts[0]!.width ?? 480;
  const h = charts[0]!.height ?? 320;
  const head = title ? 30 : 0;
  const cols = Math.min(columns, charts.length);
  const rows = Math.ceil(charts.length / cols);
  const parts = charts.map((c, i) => {
    const body = chartBody({ ...c, width: w, height: h });
    return `<svg x="${(i % cols) * w}" y="${head + Math.floor(i / cols) * h}" width="${w}" height="${h}">\n${body}\n</svg>`;
  });
  if (title) {
    parts.unshift(
      `<rect width="${cols * w}" height="${head}" fill="white"/>`,
      `<text x="${(cols * w) / 2}" y="21" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`,
    );
  }
  return svgDocument(cols * w, head + rows * h, parts.join('\n'));
}
