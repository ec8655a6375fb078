// A 28×28 drawing pad: the mouse or a finger paints with a soft round brush into a grid of floats in [0, 1]
// (white on black, as Fashion-MNIST images are), shown enlarged on a canvas.

export class DrawPad {
  constructor(canvas, { size = 28, onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.size = size;
    this.pixels = new Float32Array(size * size);
    this.onChange = onChange;
    this.drawing = false;
    this.last = undefined;
    canvas.style.touchAction = 'none';
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = undefined;
      this.stroke(e);
    });
    canvas.addEventListener('pointermove', (e) => this.drawing && this.stroke(e));
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onChange(this.pixels, 'end');
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    this.render();
  }

  /** Grid coordinates of a pointer event (fractional). */
  at(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [((event.clientX - rect.left) / rect.width) * this.size, ((event.clientY - rect.top) / rect.height) * this.size];
  }

  /** Paints along the segment from the previous point, so fast strokes leave no gaps. */
  stroke(event) {
    const [x, y] = this.at(event);
    const [x0, y0] = this.last ?? [x, y];
    const steps = Math.max(1, Math.ceil(Math.hypot(x - x0, y - y0) * 2));
    for (let s = 1; s <= steps; s++) this.dab(x0 + ((x - x0) * s) / steps, y0 + ((y - y0) * s) / steps);
    this.last = [x, y];
    this.render();
    this.onChange(this.pixels, 'move');
  }

  /** A brush of radius ~1.6 pixels with a soft edge, adding ink up to 1. */
  dab(cx, cy) {
    const r = 1.6;
    for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
      for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
        if (x < 0 || y < 0 || x >= this.size || y >= this.size) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const ink = Math.max(0, Math.min(1, r + 0.5 - d));
        const i = y * this.size + x;
        this.pixels[i] = Math.max(this.pixels[i], ink);
      }
    }
  }

  clear() {
    this.pixels.fill(0);
    this.render();
  }

  /** Shows an image (floats in [0, 1], or bytes 0..255) on the pad, to look at or to draw over. */
  set(values) {
    const scale = values instanceof Uint8Array ? 1 / 255 : 1;
    for (let i = 0; i < this.pixels.length; i++) this.pixels[i] = values[i] * scale;
    this.render();
  }

  isEmpty() {
    return this.pixels.every((v) => v === 0);
  }

  render() {
    const { size } = this;
    this.canvas.width = size;
    this.canvas.height = size;
    const ctx = this.canvas.getContext('2d');
    const image = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const v = Math.round(this.pixels[i] * 255);
      image.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
  }
}

/** A small canvas showing a 28×28 byte image, for the gallery of test images. */
export function thumbnail(pixels, size = 28) {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) image.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  ctx.putImageData(image, 0, 0);
  return canvas;
}
