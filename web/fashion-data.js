// The Fashion-MNIST sample (web/data/fashion-mnist-sample.bin, made by scripts/prepare-playground-data.mjs):
// a 12-byte header, JSON, then labels and pixels as bytes. Used by the page (gallery) and the worker (training).

export const FASHION_SAMPLE_URL = new URL('./data/fashion-mnist-sample.bin', import.meta.url);

/**
 * Parses the sample file. Pixels stay bytes (0..255) so the page and the worker each turn them into what they
 * need: floats in [0, 1] for the network, image data for thumbnails.
 */
export function parseFashionSample(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== 'NRSM' || view.getUint32(4, true) !== 1) {
    throw new Error(`fashion sample: expected an NRSM version 1 file, got "${magic}" version ${view.getUint32(4, true)}`);
  }
  const headerLength = view.getUint32(8, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  const [rows, cols] = meta.imageShape;
  const pixels = rows * cols;
  let at = 12 + headerLength;
  const take = (n) => bytes.subarray(at, (at += n));
  const trainLabels = take(meta.train);
  const testLabels = take(meta.test);
  const trainPixels = take(meta.train * pixels);
  const testPixels = take(meta.test * pixels);
  if (at !== bytes.length) throw new Error(`fashion sample: ${bytes.length - at} bytes left over; the file is damaged`);
  return {
    classNames: meta.classNames,
    imageShape: [rows, cols],
    source: meta.source,
    train: { pixels: trainPixels, labels: trainLabels, count: meta.train },
    test: { pixels: testPixels, labels: testLabels, count: meta.test },
  };
}

let loading;
/** Fetches and parses the sample once per page or worker. */
export function loadFashionSample() {
  loading ??= fetch(FASHION_SAMPLE_URL).then(async (response) => {
    if (!response.ok) throw new Error(`fashion sample: ${FASHION_SAMPLE_URL} answered ${response.status}`);
    return parseFashionSample(await response.arrayBuffer());
  });
  return loading;
}

/** Bytes 0..255 → floats in [0, 1], the values neurite's loadFashionMnist gives (b / 255). */
export function pixelsToFloats(pixels) {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}
