// The playground's image samples, in the NRSM layout of scripts/prepare-playground-data.mjs: a 12-byte header,
// JSON, then labels and pixels as bytes. Fashion-MNIST is web/data/fashion-mnist-sample.bin; the digits are the
// sample that ships in the npm package (data/mnist-sample.bin.gz, which web/serve.mjs serves as
// /data/mnist-sample.bin.gz), gzipped, so they are inflated here with the browser's DecompressionStream.
// Used by the page (gallery, draw pad) and the worker (training).

export const IMAGE_SAMPLES = {
  fashion: { url: new URL('./data/fashion-mnist-sample.bin', import.meta.url), gzip: false, title: 'Fashion-MNIST sample' },
  digits: { url: new URL('./data/mnist-sample.bin.gz', import.meta.url), gzip: true, title: 'MNIST digits sample' },
};

/**
 * Parses a sample file. Pixels stay bytes (0..255) so the page and the worker each turn them into what they
 * need: floats in [0, 1] for the network, image data for thumbnails.
 */
export function parseImageSample(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== 'NRSM' || view.getUint32(4, true) !== 1) {
    throw new Error(`image sample: expected an NRSM version 1 file, got "${magic}" version ${view.getUint32(4, true)}`);
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
  if (at !== bytes.length) throw new Error(`image sample: ${bytes.length - at} bytes left over; the file is damaged`);
  return {
    name: meta.name,
    classNames: meta.classNames,
    imageShape: [rows, cols],
    source: meta.source,
    train: { pixels: trainPixels, labels: trainLabels, count: meta.train },
    test: { pixels: testPixels, labels: testLabels, count: meta.test },
  };
}

const loading = {};
/** Fetches and parses a sample ('fashion' or 'digits') once per page or worker. */
export function loadImageSample(kind) {
  const sample = IMAGE_SAMPLES[kind];
  if (!sample) throw new Error(`image sample: expected fashion or digits, got ${kind}`);
  loading[kind] ??= fetch(sample.url).then(async (response) => {
    if (!response.ok) throw new Error(`${sample.title}: ${sample.url} answered ${response.status}`);
    const body = sample.gzip ? response.body.pipeThrough(new DecompressionStream('gzip')) : response.body;
    return parseImageSample(await new Response(body).arrayBuffer());
  });
  return loading[kind];
}

/** Bytes 0..255 → floats in [0, 1], the values neurite's loaders give (b / 255). */
export function pixelsToFloats(pixels) {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}
