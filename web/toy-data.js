// Two-class toy sets in the plane, made in the page from a seed: two moons, circles, XOR.
// Every set fits in TOY_EXTENT, the square the decision-boundary view shows.

export const TOY_EXTENT = { xMin: -2, xMax: 2, yMin: -2, yMax: 2 };

export const TOY_SETS = {
  moons: 'Two moons',
  circles: 'Circles',
  xor: 'XOR',
};

/** mulberry32: a small seeded generator of floats in [0, 1); enough for a picture, and repeatable. */
function uniform(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller. */
function normal(random) {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * `count` points of set `name` (half per class) with Gaussian noise of standard deviation `noise`.
 * Returns x: Float32Array [count, 2] and labels: Int32Array (0 or 1), classes interleaved.
 */
export function makeToySet(name, { count = 400, noise = 0.1, seed = 1 } = {}) {
  if (!(name in TOY_SETS)) throw new Error(`toy set: expected one of ${Object.keys(TOY_SETS).join(', ')}, got ${name}`);
  const random = uniform(seed);
  const gauss = normal(random);
  const x = new Float32Array(count * 2);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    let px;
    let py;
    if (name === 'moons') {
      // scikit-learn's make_moons, centred and scaled by 1.2 to fill the square
      const t = Math.PI * random();
      px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
      py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      px = (px - 0.5) * 1.2;
      py = (py - 0.25) * 1.2;
    } else if (name === 'circles') {
      // class 1 inside (radius 0.7), class 0 outside (radius 1.5)
      const angle = 2 * Math.PI * random();
      const radius = label === 1 ? 0.7 : 1.5;
      px = radius * Math.cos(angle);
      py = radius * Math.sin(angle);
    } else {
      // XOR: the quadrants where x·y > 0 are class 1; a margin keeps points off the axes
      const margin = 0.1;
      const side = () => (margin + random() * (1.6 - margin)) * (random() < 0.5 ? -1 : 1);
      px = side();
      py = Math.abs(side()) * Math.sign(px) * (label === 1 ? 1 : -1);
    }
    x[i * 2] = px + noise * gauss();
    x[i * 2 + 1] = py + noise * gauss();
    labels[i] = label;
  }
  return { x, labels };
}

/** Centres of a size × size grid over the extent, row by row from the top (what the boundary view paints). */
export function gridPoints(size, extent = TOY_EXTENT) {
  const out = new Float32Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    const y = extent.yMax - ((row + 0.5) / size) * (extent.yMax - extent.yMin);
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      out[i * 2] = extent.xMin + ((col + 0.5) / size) * (extent.xMax - extent.xMin);
      out[i * 2 + 1] = y;
    }
  }
  return out;
}
