// A line chart drawn by hand on a canvas: axes with round-number ticks, a legend, one line per series.
// Used twice by the page, for loss and for accuracy per epoch (training solid, validation dashed).

/** Sizes the canvas's backing store to its CSS box at the device's pixel ratio; returns a context in CSS px. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

/** About `count` ticks between min and max at 1, 2 or 5 × 10^k. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
const AXIS = '#64748b';
const GRID = '#e2e8f0';

/**
 * Draws the chart. series: [{ label, color, values, dashed }] with values[i] belonging to epoch i + 1;
 * xMax: the last epoch of the run (lines grow across the plot as training goes). yRange: [min, max] or
 * undefined for [0, largest value]. format: how y tick labels read; empty: the text shown before any data.
 */
export function drawLineChart(canvas, { title, series, xMax, yRange, format = (v) => String(v), empty = 'press Train to start' }) {
  const { ctx, width, height } = fitCanvas(canvas);
  const pad = { left: 48, right: 14, top: 34, bottom: 34 };
  ctx.fillStyle = '#0f172a';
  ctx.font = `600 ${FONT}`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(title, 8, 18);
  const titleEnd = 8 + ctx.measureText(title).width;
  ctx.font = FONT;

  // legend, right-aligned on the title line, or on a line of its own when the chart is narrow
  const legendWidth = series.reduce((w, s) => w + ctx.measureText(s.label).width + 40, 0);
  const legendY = width - pad.right - legendWidth > titleEnd + 12 ? 18 : 36;
  if (legendY > 18) pad.top += 18;
  let lx = width - pad.right;
  for (const s of [...series].reverse()) {
    const w = ctx.measureText(s.label).width;
    lx -= w;
    ctx.fillStyle = '#334155';
    ctx.fillText(s.label, lx, legendY);
    lx -= 26;
    line(ctx, lx, legendY - 4, lx + 20, legendY - 4, s.color, s.dashed, 2);
    lx -= 14;
  }
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;

  const values = series.flatMap((s) => s.values).filter(Number.isFinite);
  const [yMin, yMax] = yRange ?? [0, values.length ? Math.max(...values) * 1.05 || 1 : 1];
  const lastEpoch = Math.max(1, xMax ?? 1);
  const xOf = (epoch) => pad.left + (lastEpoch === 1 ? plotW / 2 : ((epoch - 1) / (lastEpoch - 1)) * plotW);
  const yOf = (v) => pad.top + plotH - ((v - yMin) / (yMax - yMin || 1)) * plotH;

  // grid and y ticks
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(yMin, yMax, 4)) {
    const y = yOf(t);
    line(ctx, pad.left, y, pad.left + plotW, y, GRID);
    ctx.fillStyle = AXIS;
    ctx.fillText(format(t), pad.left - 6, y);
  }
  // x ticks (epochs)
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(1, lastEpoch, Math.min(6, lastEpoch - 1 || 1))) {
    if (t < 1 || !Number.isInteger(t)) continue;
    const x = xOf(t);
    line(ctx, x, pad.top + plotH, x, pad.top + plotH + 4, AXIS);
    ctx.fillStyle = AXIS;
    ctx.fillText(String(t), x, pad.top + plotH + 7);
  }
  ctx.fillText('epoch', pad.left + plotW / 2, pad.top + plotH + 20);
  line(ctx, pad.left, pad.top, pad.left, pad.top + plotH, AXIS);
  line(ctx, pad.left, pad.top + plotH, pad.left + plotW, pad.top + plotH, AXIS);

  if (!values.length) {
    ctx.fillStyle = '#94a3b8';
    ctx.textBaseline = 'middle';
    ctx.fillText(empty, pad.left + plotW / 2, pad.top + plotH / 2);
    return;
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.left, pad.top - 2, plotW, plotH + 4);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.beginPath();
    s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(xOf(i + 1), yOf(v)) : ctx.lineTo(xOf(i + 1), yOf(v))));
    ctx.stroke();
    // a single epoch is a point, not a line
    if (s.values.length === 1) {
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(xOf(1), yOf(s.values[0]), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.restore();
  canvas.dataset.points = String(Math.max(...series.map((s) => s.values.length)));
}

function line(ctx, x0, y0, x1, y1, color, dashed = false, width = 1) {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dashed ? [5, 3] : []);
  ctx.beginPath();
  ctx.moveTo(Math.round(x0) + 0.5, Math.round(y0) + 0.5);
  ctx.lineTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
}
