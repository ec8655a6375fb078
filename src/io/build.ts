import type { BackendChoice } from '../backends/registry.js';
import { checkOptions, fail, type OptionKeys } from '../errors.js';
import { activation, batchNormalization, dense, dropout, flatten, layerNormalization, type LayerConfig } from '../layers.js';
import { huber } from '../losses.js';
import { Sequential } from '../model.js';
import type { ModelDescription } from './description.js';

export interface LoadOptions {
  /** engine for the loaded model: 'auto' (default), 'ts', 'native' or 'wasm' (after `await nn.ready('wasm')`) */
  backend?: BackendChoice;
  /** compile with the saved loss and optimizer when the file has them (default true) */
  compile?: boolean;
}

export const loadOptionKeys: OptionKeys<LoadOptions> = { backend: true, compile: true };

/** A loader's options, checked before any file is read (the backend itself is checked when the model is made). */
export function checkLoadOptions<T extends LoadOptions>(argument: string, options: T | undefined, keys: OptionKeys<T>): Partial<T> {
  const o = checkOptions(argument, options, keys);
  if (o.compile !== undefined && typeof o.compile !== 'boolean') fail(`${argument}.compile`, 'a boolean', o.compile);
  return o;
}

/**
 * A model from a description that has already been validated against its tensors. Weights are in neurite's
 * getWeights order and layout (per layer in Keras's order: kernel [in, units] then bias; gamma, beta, moving
 * statistics).
 */
export function buildModel(
  d: ModelDescription,
  weights: Float32Array[],
  options: LoadOptions,
  optimizerState?: { step: number; slots: Float32Array[] },
): Sequential {
  const layers: LayerConfig[] = d.layers.map((l, i) => {
    const inputShape = i === 0 ? (d.inputShape ?? [d.inputSize]) : undefined;
    const name = l.name;
    switch (l.kind) {
      case 'dropout': return dropout({ rate: l.rate, inputShape, name });
      case 'flatten': return flatten({ inputShape, name });
      case 'activation': return activation(l.activation, { alpha: l.alpha, inputShape, name });
      case 'batchNormalization':
        return batchNormalization({ momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale, inputShape, name });
      case 'layerNormalization': return layerNormalization({ epsilon: l.epsilon, center: l.center, scale: l.scale, inputShape, name });
      case 'dense': break;
    }
    return dense(l.units, {
      inputShape,
      activation: l.activation,
      alpha: l.alpha,
      useBias: l.useBias,
      kernelInitializer: l.kernelInitializer,
      biasInitializer: l.biasInitializer,
      kernelRegularizer: l.l2 > 0 ? { l2: l.l2 } : undefined,
      name: l.name,
    });
  });
  const model = new Sequential(layers, { backend: options.backend ?? 'auto', seed: d.seed, name: d.name });
  try {
    model.setWeights(weights);
    if (d.compile && options.compile !== false) {
      const c = d.compile;
      model.compile({ optimizer: { ...c.optimizer }, loss: c.delta === undefined ? c.loss : huber({ delta: c.delta }), metrics: c.metrics });
      // a rate changed by a per-epoch schedule or a callback; a per-step schedule sets its own from the step count
      if (!c.optimizer.stepSchedule && c.learningRate !== c.optimizer.learningRate) model.setLearningRate(c.learningRate);
      if (optimizerState) model.setOptimizerState(optimizerState);
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
