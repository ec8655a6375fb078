/**
 * Writes test/fixtures/io/tfjs-* with TensorFlow.js itself: real model.json + weights.bin files and tfjs's own
 * predictions, so the importer is tested against what tfjs writes, not against our idea of it.
 * tfjs is not a dependency of neurite; run this in a scratch folder:
 *   npm i --no-save @tensorflow/tfjs-core@4 @tensorflow/tfjs-layers@4 @tensorflow/tfjs-backend-cpu@4
 *   node /path/to/neurite/scripts/tfjs-golden.cjs && cp -r out/* /path/to/neurite/test/fixtures/io/
 */
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
// tfjs-core's io_utils.getModelJSONForModelArtifacts (what its file and download handlers write), inlined:
// the function is not exported from the package root.
function getModelJSONForModelArtifacts(a, manifest) {
  const r = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: manifest };
  if (a.userDefinedMetadata != null) r.userDefinedMetadata = a.userDefinedMetadata;
  if (a.trainingConfig != null) r.trainingConfig = a.trainingConfig;
  return r;
}
const fs = require('fs');
const path = require('path');

async function save(model, dir, x, options) {
  fs.mkdirSync(dir, { recursive: true });
  const y = model.predict(tf.tensor2d(x));
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
    const json = getModelJSONForModelArtifacts(artifacts, manifest);
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    const data = Array.isArray(artifacts.weightData) ? Buffer.concat(artifacts.weightData.map((b) => Buffer.from(b))) : Buffer.from(artifacts.weightData);
    fs.writeFileSync(path.join(dir, 'weights.bin'), data);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), options);
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify({ generatedBy: `tfjs-layers ${tfl.version_layers} / tfjs-core ${tf.version_core}`, inputs: x, outputs: await y.array() }, null, 1) + '\n');
}

(async () => {
  await tf.setBackend('cpu');
  // x in [-2, 2), fixed
  const rows = (n, c, s) => Array.from({ length: n }, (_, r) => Array.from({ length: c }, (_, k) => Math.fround(Math.sin(s * (r * c + k + 1)) * 2)));
  const a = tfl.sequential({ layers: [
    tfl.layers.dense({ units: 6, inputShape: [5], activation: 'relu', biasInitializer: 'randomNormal' }),
    tfl.layers.dropout({ rate: 0.3 }),
    tfl.layers.dense({ units: 7, activation: 'tanh', useBias: false }),
    tfl.layers.dense({ units: 4, biasInitializer: 'randomNormal' }),
    tfl.layers.leakyReLU({ alpha: 0.2 }),
    tfl.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  await save(a, 'out/tfjs-classifier', rows(8, 5, 0.7));

  const b = tfl.sequential({ layers: [
    tfl.layers.dense({ units: 9, inputShape: [3], biasInitializer: 'randomNormal' }),
    tfl.layers.activation({ activation: 'sigmoid' }),
    tfl.layers.dense({ units: 2 }),
  ] });
  b.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await b.fit(tf.tensor2d(rows(16, 3, 1.3)), tf.tensor2d(rows(16, 2, 0.4)), { epochs: 2, batchSize: 8, verbose: 0 });
  await save(b, 'out/tfjs-regressor-with-optimizer', rows(6, 3, 0.9), { includeOptimizer: true });
})();
