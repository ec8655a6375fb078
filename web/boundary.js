// A plane of data points, optionally over the model's decision map: for the 2-D toy sets the worker predicts
// P(class 1) on a grid every progress update and this paints it, orange (class 0) through white to blue (class 1),
// paler where the model is less sure.
import { fitCanvas, niceTicks } from './chart.js';

export const CLASS_COLORS = ['#ea580c', '#2563eb', '#16a34a', '#9333ea', '#db2777'];
const LIGHT = [
  [253, 186, 116], // class 0 side
  [147, 197, 253], // class 1 side
];

const PAD = { left: 34, right: 10, top: 10, bottom: 30 };

function frame(canvas) {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  return { x: PAD.left, y: PAD.top, w: w - PAD.left - PAD.right, h: h - PAD.top - PAD.bottom };
}

/** Data coordinates of a pointer event on the plane, or undefined outside it. */
export function planeCoordinates(canvas, event, extent) {
  const rect = canvas.getBoundingClientRect();
  const f = frame(canvas);
  const px = event.clientX - rect.left - f.x;
  const py = event.clientY - rect.top - f.y;
  if (px < 0 || py < 0 || px > f.w || py > f.h) return undefined;
  return [extent.xMin + (px / f.w) * (extent.xMax - extent.xMin), extent.yMax - (py / f.h) * (extent.yMax - extent.yMin)];
}

/**
 * Paints P(class 1) per cell of a size × size grid (rows from the top) into a small canvas that is scaled up
 * when drawn. One canvas is kept and reused: a fresh OffscreenCanvas per frame was sometimes collected before
 * Chromium flushed the drawImage that used it, leaving the map blank.
 */
let decisionCanvas;
function decisionImage(grid, size) {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, grid[i]));
    // the side of 0.5 sets the hue; the log-odds set the saturation, so the band where the model is unsure
    // stays visible even when its probabilities saturate a short way from the boundary
    const t = Math.min(1, Math.abs(Math.log(p / (1 - p))) / 7);
    const [r, g, b] = LIGHT[p >= 0.5 ? 1 : 0];
    image.data[i * 4] = 255 + (r - 255) * t;
    image.data[i * 4 + 1] = 255 + (g - 255) * t;
    image.data[i * 4 + 2] = 255 + (b - 255) * t;
    image.data[i * 4 + 3] = 255;
  }
  decisionCanvas ??= document.createElement('canvas');
  decisionCanvas.width = size;
  decisionCanvas.height = size;
  decisionCanvas.getContext('2d').putImageData(image, 0, 0);
  return decisionCanvas;
}

/**
 * extent: { xMin, xMax, yMin, yMax }; points: { x: Float32Array [n, 2], labels }; grid: P(class 1) on a
 * gridSize² grid or undefined; rings: Float32Array [m, 2] of places to ring (misclassified validation points);
 * marker: [x, y] to cross (the point being classified).
 */
export function drawPlane(canvas, { extent, points, grid, gridSize, rings, marker, xLabel = 'x₁', yLabel = 'x₂' }) {
  const { ctx } = fitCanvas(canvas);
  const f = frame(canvas);
  const sx = (x) => f.x + ((x - extent.xMin) / (extent.xMax - extent.xMin)) * f.w;
  const sy = (y) => f.y + f.h - ((y - extent.yMin) / (extent.yMax - extent.yMin)) * f.h;

  if (grid) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(decisionImage(grid, gridSize), f.x, f.y, f.w, f.h);
  } else {
    ctx.fillStyle = '#f8fafc';
    ctx.fillRect(f.x, f.y, f.w, f.h);
  }

  // axes
  ctx.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
  ctx.fillStyle = '#64748b';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(extent.xMin, extent.xMax, 4)) ctx.fillText(String(t), sx(t), f.y + f.h + 4);
  ctx.fillText(xLabel, f.x + f.w / 2, f.y + f.h + 16);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(extent.yMin, extent.yMax, 4)) ctx.fillText(String(t), f.x - 5, sy(t));
  ctx.save();
  ctx.translate(9, f.y + f.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
  ctx.strokeStyle = '#cbd5e1';
  ctx.lineWidth = 1;
  ctx.strokeRect(f.x + 0.5, f.y + 0.5, f.w - 1, f.h - 1);

  const n = points.labels.length;
  for (let i = 0; i < n; i++) {
    const x = sx(points.x[i * 2]);
    const y = sy(points.x[i * 2 + 1]);
    ctx.beginPath();
    ctx.arc(x, y, 3.6, 0, 2 * Math.PI);
    ctx.fillStyle = CLASS_COLORS[points.labels[i] % CLASS_COLORS.length];
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  for (let i = 0; rings && i < rings.length / 2; i++) {
    ctx.beginPath();
    ctx.arc(sx(rings[i * 2]), sy(rings[i * 2 + 1]), 6.5, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#0f172a';
    ctx.stroke();
  }

  if (marker) {
    const [x, y] = [sx(marker[0]), sy(marker[1])];
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - 7, y);
    ctx.lineTo(x + 7, y);
    ctx.moveTo(x, y - 7);
    ctx.lineTo(x, y + 7);
    ctx.stroke();
  }
}
