/** The browser-safe data layer: nothing here touches node: modules. File readers live in ./node.ts. */
export { loadIris, IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES, type IrisData } from './iris.js';
export {
  scale,
  minMaxScaler,
  standardScaler,
  scalerFromJSON,
  type MinMaxScalerOptions,
  type MinMaxScalerStats,
  type StandardScalerStats,
  type ScalerStats,
  type FittedMinMaxScaler,
  type FittedStandardScaler,
  type ScalerTransforms,
} from './normalize.js';
export { oneHot, argMax, toLabels, type Labels } from './onehot.js';
export { trainTestSplit, shuffleArrays, takeRows, type TrainTestSplitOptions, type TrainTestSplit } from './split.js';
export { parseCsv, readCsvRecords, type CsvOptions, type CsvData, type CsvFeatures, type CsvRecord } from './csv.js';
