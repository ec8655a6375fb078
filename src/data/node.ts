/** The Node-only data layer: file readers (node:fs, node:zlib). Browser code imports ./index.ts instead. */
export { loadCsv } from './csv-node.js';
export { parseIdx, readIdxFile, encodeIdxU8, type IdxData, type IdxArray, type IdxExpectation } from './idx.js';
export {
  loadFashionMnist,
  loadMnist,
  loadIdxImages,
  loadIdxLabels,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASS_NAMES,
  MNIST_CLASS_NAMES,
  MNIST_FILE_NAMES,
  type MnistData,
  type MnistOptions,
  type ImageSet,
} from './mnist.js';
export { loadMnistSample } from './mnist-sample.js';
export { idxBatches, IdxBatchStream, type IdxBatchOptions } from './idx-stream.js';
export { csvBatches, csvStats, CsvBatchStream, type CsvBatchOptions, type CsvStats, type CsvStatsOptions } from './csv-stream.js';
export { BatchStream, type BatchOptions, type StreamBatch } from './stream.js';
