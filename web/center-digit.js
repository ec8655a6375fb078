// A drawing made to look like an MNIST digit before the network sees it. MNIST's digits were scaled so their
// bounding box fits 20×20 pixels (aspect kept) and then placed so their centre of mass sits at the centre of the
// 28×28 image; a network trained on them expects that, and a digit drawn small or off to one side would be
// misread. No DOM here: test/playground.test.ts runs it in Node.

const INK = 0.05;

/** pixels: size×size floats in [0, 1], white ink on black. Returns a new array, or a copy when there is no ink. */
export function centerDigit(pixels, size = 28, box = 20) {
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = pixels[y * size + x];
      if (v <= INK) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  if (x1 < 0) return Float32Array.from(pixels);
  const scale = box / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  // target t = offset + (source s − box start) · scale, with the centre of mass landing on size / 2
  const ox = size / 2 - (mx / mass - x0) * scale;
  const oy = size / 2 - (my / mass - y0) * scale;
  // the source pixel under a point (black outside): each source pixel is a square of ink, so the box stays the box
  const sample = (sx, sy) => {
    const x = Math.floor(sx), y = Math.floor(sy);
    return x >= 0 && y >= 0 && x < size && y < size ? pixels[y * size + x] : 0;
  };
  // 3×3 samples per target pixel: edges come out grey (anti-aliased), and shrinking a large drawing averages
  // instead of skipping strokes
  const out = new Float32Array(size * size);
  for (let ty = 0; ty < size; ty++) {
    for (let tx = 0; tx < size; tx++) {
      let sum = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          sum += sample(x0 + (tx + (b + 0.5) / 3 - ox) / scale, y0 + (ty + (a + 0.5) / 3 - oy) / scale);
        }
      }
      out[ty * size + tx] = Math.min(1, sum / 9);
    }
  }
  return out;
}
