// The network as a picture: one column of nodes per layer, one line per weight, blue for positive and orange
// for negative, thicker and darker for larger |w|. Wide layers show only their strongest nodes.
import { fitCanvas } from './chart.js';

const POSITIVE = [37, 99, 235];
const NEGATIVE = [234, 88, 12];

/**
 * Which nodes of a column of `size` to draw: all if they fit, else the `max` with the largest summed |weight|
 * in and out (the ones that matter most to the picture), in index order.
 */
function pickNodes(size, max, importance) {
  const all = Array.from({ length: size }, (_, i) => i);
  if (size <= max) return all;
  return all
    .sort((a, b) => importance[b] - importance[a])
    .slice(0, max)
    .sort((a, b) => a - b);
}

/** Σ|w| per input row (`rows: true`) or per unit column of a kernel [inputs, units]. */
function absSums(kernel, inputs, units, rows) {
  const out = new Float64Array(rows ? inputs : units);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) out[rows ? i : j] += Math.abs(kernel[i * units + j]);
  }
  return out;
}

/**
 * model: { inputSize, layers: [{ kind: 'dense', units, activation } | { kind: 'dropout', rate } |
 *   { kind: 'activation', activation } | { kind: 'batchNormalization' | 'layerNormalization' }] }: the layers after a
 *   dense layer draw as part of its column;
 * kernels: Float32Array per dense layer ([inputs, units] row-major), or none before the first weights arrive;
 * inputLabels / outputLabels name the nodes at both ends; maxNodes caps a column; inputActivity (one number per
 * input, e.g. mean pixel brightness) scales how much an input node's weights count when picking which to show.
 */
export function drawNetwork(canvas, { model, kernels, inputLabels, outputLabels, inputActivity, maxNodes = 10 }) {
  const { ctx, width, height } = fitCanvas(canvas);
  if (!model) return;
  const dense = [];
  model.layers.forEach((l) => {
    const last = dense[dense.length - 1];
    if (l.kind === 'dense') dense.push({ ...l });
    else if (!last) return;
    else if (l.kind === 'dropout') last.dropout = l.rate;
    else if (l.kind === 'activation') last.activation = l.activation; // dense → normalisation → activation: one column
    else if (l.kind === 'batchNormalization' || l.kind === 'layerNormalization') last.normalization = l.kind;
  });
  const sizes = [model.inputSize, ...dense.map((l) => l.units)];
  const columns = sizes.map((size, c) => {
    const importance = new Float64Array(size).fill(1);
    if (kernels) {
      if (c > 0) absSums(kernels[c - 1], sizes[c - 1], size, false).forEach((v, i) => (importance[i] += v));
      if (c < dense.length) absSums(kernels[c], size, sizes[c + 1], true).forEach((v, i) => (importance[i] += v));
    }
    if (c === 0 && inputActivity) importance.forEach((v, i) => (importance[i] = v * inputActivity[i]));
    return { size, shown: pickNodes(size, maxNodes, importance) };
  });

  const pad = { left: 108, right: 104, top: 46, bottom: 54 };
  const columnX = (c) => pad.left + (sizes.length === 1 ? 0 : (c / (sizes.length - 1)) * (width - pad.left - pad.right));
  const plotH = height - pad.top - pad.bottom;
  const spacing = Math.min(36, plotH / Math.max(...columns.map((col) => col.shown.length)));
  const radius = Math.max(3.5, Math.min(8, spacing * 0.3));
  columns.forEach((col, c) => {
    const top = pad.top + (plotH - spacing * (col.shown.length - 1)) / 2;
    col.x = columnX(c);
    col.y = col.shown.map((_, k) => top + k * spacing);
  });

  // before any weights exist: the connections as thin grey lines
  if (!kernels) {
    ctx.strokeStyle = 'rgba(100, 116, 139, 0.25)';
    ctx.lineWidth = 0.7;
    for (let c = 0; c < dense.length; c++) {
      for (const ya of columns[c].y) {
        for (const yb of columns[c + 1].y) {
          ctx.beginPath();
          ctx.moveTo(columns[c].x, ya);
          ctx.lineTo(columns[c + 1].x, yb);
          ctx.stroke();
        }
      }
    }
  }

  // connections, weakest first so strong ones end on top
  if (kernels) {
    for (let c = 0; c < dense.length; c++) {
      const kernel = kernels[c];
      const units = sizes[c + 1];
      let maxAbs = 1e-12;
      for (const v of kernel) maxAbs = Math.max(maxAbs, Math.abs(v));
      const edges = [];
      columns[c].shown.forEach((i, a) => {
        columns[c + 1].shown.forEach((j, b) => edges.push([kernel[i * units + j], a, b]));
      });
      edges.sort((p, q) => Math.abs(p[0]) - Math.abs(q[0]));
      for (const [w, a, b] of edges) {
        const strength = Math.abs(w) / maxAbs;
        const [r, g, bl] = w >= 0 ? POSITIVE : NEGATIVE;
        ctx.strokeStyle = `rgba(${r}, ${g}, ${bl}, ${0.12 + 0.78 * strength})`;
        ctx.lineWidth = 0.4 + 3.6 * strength;
        ctx.beginPath();
        ctx.moveTo(columns[c].x, columns[c].y[a]);
        ctx.lineTo(columns[c + 1].x, columns[c + 1].y[b]);
        ctx.stroke();
      }
    }
  }

  // nodes, labels and column headings
  ctx.font = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
  columns.forEach((col, c) => {
    const last = c === columns.length - 1;
    for (let k = 0; k < col.shown.length; k++) {
      ctx.beginPath();
      ctx.arc(col.x, col.y[k], radius, 0, 2 * Math.PI);
      ctx.fillStyle = c === 0 ? '#f1f5f9' : '#ffffff';
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#475569';
      ctx.stroke();
      const labels = c === 0 ? inputLabels : last ? outputLabels : undefined;
      if (labels && col.y.length <= 16) {
        ctx.fillStyle = '#334155';
        ctx.textBaseline = 'middle';
        ctx.textAlign = c === 0 ? 'right' : 'left';
        const text = labels(col.shown[k]);
        ctx.fillText(text, col.x + (c === 0 ? -radius - 6 : radius + 6), col.y[k]);
      }
    }
    const layer = c === 0 ? undefined : dense[c - 1];
    const heading = c === 0 ? `input ${col.size}` : `${last ? 'output' : 'dense'} ${col.size}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = '#0f172a';
    ctx.font = '600 12px system-ui, -apple-system, "Segoe UI", sans-serif';
    ctx.fillText(heading, col.x, 16);
    ctx.font = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
    ctx.fillStyle = '#64748b';
    const sub = layer ? layer.activation + (layer.normalization ? ` · ${layer.normalization === 'batchNormalization' ? 'batch' : 'layer'} norm` : '') + (layer.dropout ? ` · drop ${layer.dropout}` : '') : '';
    if (sub) ctx.fillText(sub, col.x, 31);
    if (col.shown.length < col.size) {
      ctx.textBaseline = 'top';
      ctx.fillText(`${col.shown.length} of ${col.size} shown`, col.x, col.y[col.y.length - 1] + radius + 8);
    }
  });

  // legend
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const ly = height - 14;
  let lx = 12;
  for (const [label, [r, g, b]] of [['positive weight', POSITIVE], ['negative weight', NEGATIVE]]) {
    ctx.strokeStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(lx, ly);
    ctx.lineTo(lx + 22, ly);
    ctx.stroke();
    ctx.fillStyle = '#334155';
    ctx.fillText(label, lx + 28, ly);
    lx += 28 + ctx.measureText(label).width + 18;
  }
  ctx.fillStyle = '#64748b';
  ctx.fillText('line width and opacity ∝ |w| (per layer)', lx, ly);
  canvas.dataset.columns = String(columns.length);
  canvas.dataset.edgesDrawn = String(Boolean(kernels));
}
