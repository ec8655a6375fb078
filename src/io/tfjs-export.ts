import type { InitializerName } from '../initializers.js';
import type { Sequential } from '../model.js';
import type { DenseDescription } from './description.js';
import { describeModel } from './model-file.js';
import { ACTIVATION_FORMATS } from './activation-formats.js';

/**
 * neurite → TensorFlow.js layers format: model.json (a Keras-style Sequential topology plus the weights manifest)
 * and weights.bin (every weight, float32 little-endian, in manifest order), which `tf.loadLayersModel` reads and
 * neurite's own import (tfjs.ts) reads back. Browser-safe: returns the two files' contents.
 *
 * Each dense layer is a Dense layer with its activation, except where tfjs has no activation of that name; then
 * the Dense layer is linear and an activation layer follows it (leakyRelu → LeakyReLU; activation-formats.ts).
 * Kernels are [in, units] in both libraries.
 */

export interface TfjsLayersFiles {
  /** the text of model.json; its manifest names the weights file "weights.bin" */
  modelJson: string;
  /** the contents of weights.bin */
  weights: Uint8Array;
}

export const TFJS_WEIGHTS_FILE = 'weights.bin';

type LayerJson = { class_name: string; config: Record<string, unknown> };

/** neurite's initialisers as tfjs serialises them (used only if tfjs re-initialises the layer). */
const TFJS_INITIALIZERS: Record<InitializerName, LayerJson> = {
  glorotUniform: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
  glorotNormal: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
  heUniform: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'uniform', seed: null } },
  heNormal: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'normal', seed: null } },
  zeros: { class_name: 'Zeros', config: {} },
  ones: { class_name: 'Ones', config: {} },
};

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Layer names become tfjs variable names (`{layer}/kernel`), which allow only [A-Za-z0-9._-] after an alphanumeric. */
function tfjsName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z0-9]/.test(clean) ? clean : `l${clean}`;
}

/** model.json and weights.bin for the model's current weights. */
export function toTfjsLayersModel(model: Sequential, generatedBy = 'neurite'): TfjsLayersFiles {
  const d = describeModel(model);
  const weights = model.getWeightArrays();
  const used = new Set<string>();
  const counters = new Map<string, number>();
  const unique = (wanted: string | undefined, kind: string): string => {
    let name = wanted === undefined ? '' : tfjsName(wanted);
    while (name === '' || used.has(name)) {
      const k = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, k);
      name = wanted === undefined ? `${kind}_${k}` : `${tfjsName(wanted)}_${k}`;
    }
    used.add(name);
    return name;
  };

  const layers: LayerJson[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const data: Float32Array[] = [];
  let width = d.inputSize;
  let w = 0;
  d.layers.forEach((l, i) => {
    const inputShape = i === 0 ? { batch_input_shape: [null, ...(d.inputShape ?? [d.inputSize])] } : {};
    if (l.kind === 'dropout') {
      layers.push({ class_name: 'Dropout', config: { rate: l.rate, noise_shape: null, seed: null, name: unique(l.name, 'dropout'), trainable: true, ...inputShape, dtype: 'float32' } });
      return;
    }
    if (l.kind === 'flatten') {
      layers.push({ class_name: 'Flatten', config: { name: unique(l.name, 'flatten'), trainable: true, ...inputShape, dtype: 'float32' } });
      return;
    }
    if (l.kind === 'activation') {
      const row = ACTIVATION_FORMATS[l.activation].tfjs;
      if ('activation' in row) {
        layers.push({ class_name: 'Activation', config: { activation: row.activation, name: unique(l.name, 'activation'), trainable: true, ...inputShape, dtype: 'float32' } });
      } else {
        layers.push({ class_name: row.layer, config: { ...row.config(l.alpha), name: unique(l.name, row.prefix), trainable: true, ...inputShape, dtype: 'float32' } });
      }
      return;
    }
    if (l.kind === 'batchNormalization' || l.kind === 'layerNormalization') {
      const bn = l.kind === 'batchNormalization';
      const name = unique(l.name, bn ? 'batch_normalization' : 'layer_normalization');
      const config: Record<string, unknown> = {
        axis: -1, epsilon: l.epsilon, center: l.center, scale: l.scale,
        beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
        name, trainable: true, ...inputShape, dtype: 'float32',
      };
      if (l.kind === 'batchNormalization') {
        Object.assign(config, {
          momentum: l.momentum,
          moving_mean_initializer: { class_name: 'Zeros', config: {} },
          moving_variance_initializer: { class_name: 'Ones', config: {} },
        });
      }
      layers.push({ class_name: bn ? 'BatchNormalization' : 'LayerNormalization', config });
      // Keras's weight order, which is neurite's
      const roles = [...(l.scale ? ['gamma'] : []), ...(l.center ? ['beta'] : []), ...(bn ? ['moving_mean', 'moving_variance'] : [])];
      for (const role of roles) {
        specs.push({ name: `${name}/${role}`, shape: [width], dtype: 'float32' });
        data.push(weights[w++]!);
      }
      return;
    }
    const dense = l as DenseDescription;
    const name = unique(dense.name, 'dense');
    const row = ACTIVATION_FORMATS[dense.activation].tfjs;
    layers.push({
      class_name: 'Dense',
      config: {
        units: dense.units,
        activation: 'activation' in row ? row.activation : 'linear',
        use_bias: dense.useBias,
        kernel_initializer: TFJS_INITIALIZERS[dense.kernelInitializer],
        bias_initializer: TFJS_INITIALIZERS[dense.biasInitializer],
        kernel_regularizer: dense.l2 > 0 ? { class_name: 'L1L2', config: { l1: 0, l2: dense.l2 } } : null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
        name,
        trainable: true,
        ...inputShape,
        dtype: 'float32',
      },
    });
    if ('layer' in row) layers.push({ class_name: row.layer, config: { ...row.config(dense.alpha), name: unique(undefined, row.prefix), trainable: true } });
    specs.push({ name: `${name}/kernel`, shape: [width, dense.units], dtype: 'float32' });
    data.push(weights[w++]!);
    if (dense.useBias) {
      specs.push({ name: `${name}/bias`, shape: [dense.units], dtype: 'float32' });
      data.push(weights[w++]!);
    }
    width = dense.units;
  });

  const json = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: d.name, layers }, keras_version: generatedBy, backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
  };
  const bytes = new Uint8Array(data.reduce((n, a) => n + a.byteLength, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const a of data) {
    if (littleEndianHost) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    else a.forEach((v, k) => view.setFloat32(at + 4 * k, v, true));
    at += a.byteLength;
  }
  return { modelJson: JSON.stringify(json), weights: bytes };
}
