// Central-difference gradient checks of the TS backend in float64: the backward pass (network.backward, run on
// Float64Array buffers through the same kernels as training) against (L(w + h) − L(w − h)) / 2h for every
// parameter of every layer. The loss is what trainBatch reports: data loss plus the L2 penalty.
import { describe, expect, it } from 'vitest';
import type { ActivationName, DenseLayerSpec, LayerSpec, LossName, ModelSpec } from '../src/backends/backend';
import { float64s } from '../src/backends/ts/floats';
import { Network } from '../src/backends/ts/network';
import { dropoutThreshold, rngKey, rngNormal, rngUniform } from '../src/rng';

const H = 1e-6;
const ROWS = 5;
const DROPOUT_STEP = 3;

function dense(inputSize: number, units: number, activation: ActivationName, extra: Partial<DenseLayerSpec> = {}): DenseLayerSpec {
  return { kind: 'dense', inputSize, units, activation, alpha: 0.2, useBias: true, l2: 0, ...extra };
}

function randomFill(values: Float64Array, seed: number, scale: number): void {
  const key = rngKey(seed, 5, values.length);
  for (let i = 0; i < values.length; i++) values[i] = rngNormal(key, i) * scale;
}

function targetsFor(loss: LossName, rows: number, units: number, seed: number): Float64Array {
  const key = rngKey(seed, 6, rows);
  if (loss === 'sparseCategoricalCrossentropy') {
    return Float64Array.from({ length: rows }, (_, r) => Math.floor(rngUniform(key, r) * units));
  }
  const y = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++) {
    if (loss === 'categoricalCrossentropy') y[r * units + Math.floor(rngUniform(key, r) * units)] = 1;
    else for (let j = 0; j < units; j++) y[r * units + j] = rngUniform(key, rows + r * units + j);
  }
  return y;
}

/**
 * The largest |analytic − numeric| / max(|analytic|, |numeric|, 0.01) over every parameter. The floor keeps
 * the ~1e-10 rounding noise of a central difference from posing as relative error on near-zero gradients.
 */
function gradientError(layers: LayerSpec[], loss: LossName, seed = 1, w: Float64Array | null = null, delta = 1): number {
  const spec: ModelSpec = { inputSize: (layers[0] as DenseLayerSpec).inputSize, layers, seed };
  const network = new Network(spec, float64s);
  network.params.forEach((p, i) => randomFill(p as Float64Array, seed * 31 + i, 0.7));
  const x = new Float64Array(ROWS * spec.inputSize);
  randomFill(x, seed + 1000, 1);
  const y = targetsFor(loss, ROWS, network.outputUnits, seed);
  const objective = () => {
    network.forward(x, ROWS, true, DROPOUT_STEP);
    return network.loss(loss, y, ROWS, false, w, delta) + network.regularization();
  };

  network.forward(x, ROWS, true, DROPOUT_STEP);
  network.loss(loss, y, ROWS, true, w, delta);
  network.backward(x, ROWS);
  const analytic = network.grads.map((g) => Float64Array.from(g));

  let worst = 0;
  network.params.forEach((param, p) => {
    for (let i = 0; i < param.length; i++) {
      const saved = param[i]!;
      param[i] = saved + H;
      const plus = objective();
      param[i] = saved - H;
      const minus = objective();
      param[i] = saved;
      const numeric = (plus - minus) / (2 * H);
      const exact = analytic[p]![i]!;
      const error = Math.abs(exact - numeric) / Math.max(Math.abs(exact), Math.abs(numeric), 0.01);
      if (!(error <= worst)) worst = error;
    }
  });
  return worst;
}

const batchNorm = (units: number, extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({ kind: 'batchNormalization', units, momentum: 0.9, epsilon: 1e-3, center: true, scale: true, ...extra }) as LayerSpec;
const layerNorm = (units: number, extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({ kind: 'layerNormalization', units, epsilon: 1e-3, center: true, scale: true, ...extra }) as LayerSpec;
const activationLayer = (units: number, activation: ActivationName): LayerSpec => ({ kind: 'activation', units, activation, alpha: 0.2 });

describe('gradient check of normalisation and activation layers (float64, central differences)', () => {
  // gamma, beta and every parameter below (through dx) are checked; the moving statistics have gradient 0
  it('dense → batchNormalization → tanh → dense (mse)', () => {
    const error = gradientError([dense(4, 6, 'linear'), batchNorm(6), activationLayer(6, 'tanh'), dense(6, 3, 'linear')], 'meanSquaredError');
    expect(error).toBeLessThan(1e-6);
  });
  it('dense → layerNormalization → dense softmax (categorical)', () => {
    const error = gradientError([dense(4, 7, 'tanh'), layerNorm(7), dense(7, 3, 'softmax')], 'categoricalCrossentropy');
    expect(error).toBeLessThan(1e-6);
  });
  it('without scale or center, width 1, and an activation layer as the fused softmax output', () => {
    const error = gradientError(
      [dense(4, 1, 'linear'), batchNorm(1, { scale: false }), dense(1, 6, 'relu'), batchNorm(6, { center: false }),
        layerNorm(6, { scale: false }), layerNorm(6, { center: false }), dense(6, 3, 'linear'), activationLayer(3, 'softmax')],
      'sparseCategoricalCrossentropy',
    );
    expect(error).toBeLessThan(1e-6);
  });
});

describe('gradient check (float64, central differences)', () => {
  for (const activation of ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'gelu', 'swish', 'elu', 'selu', 'softplus', 'softsign', 'mish'] as const) {
    it(`${activation} through a dense layer`, () => {
      const error = gradientError([dense(4, 6, activation), dense(6, 3, 'linear')], 'meanSquaredError');
      expect(error).toBeLessThan(1e-6);
    });
  }

  it('softmax output with meanSquaredError (the Jacobian-vector product)', () => {
    expect(gradientError([dense(4, 5, 'tanh'), dense(5, 4, 'softmax')], 'meanSquaredError')).toBeLessThan(1e-6);
  });

  it('sigmoid output with meanSquaredError', () => {
    expect(gradientError([dense(3, 4, 'relu'), dense(4, 2, 'sigmoid')], 'meanSquaredError')).toBeLessThan(1e-6);
  });

  const fusedLosses: Array<[LossName, ActivationName]> = [
    ['categoricalCrossentropy', 'softmax'],
    ['sparseCategoricalCrossentropy', 'softmax'],
    ['binaryCrossentropy', 'sigmoid'],
  ];
  for (const [loss, output] of fusedLosses) {
    it(`${loss} fused with its ${output} output`, () => {
      expect(gradientError([dense(4, 5, 'tanh'), dense(5, 3, output)], loss)).toBeLessThan(1e-6);
    });
  }

  // MAE's kink and Huber's switch sit at |a − y| = 0 and delta; random targets keep every element away from
  // them by far more than the step H. Delta 0.3 puts elements on both sides of Huber's switch.
  for (const [loss, delta] of [['meanAbsoluteError', 1], ['huber', 1], ['huber', 0.3]] as const) {
    it(`${loss}${loss === 'huber' ? ` (delta ${delta})` : ''} through a tanh output`, () => {
      expect(gradientError([dense(4, 5, 'relu'), dense(5, 3, 'tanh')], loss, 3, null, delta)).toBeLessThan(1e-6);
    });
  }

  // Row weights (sample/class weights) scale each row's loss and gradient alike: Σ w_i·l_i / N.
  for (const [loss, output] of [...fusedLosses, ['meanSquaredError', 'linear'], ['huber', 'tanh']] as Array<[LossName, ActivationName]>) {
    it(`${loss} with sample weights (one of them 0)`, () => {
      const w = Float64Array.from({ length: ROWS }, (_, r) => (r === 1 ? 0 : 0.25 + (r % 4) * 0.6));
      expect(gradientError([dense(4, 5, 'tanh'), dense(5, 3, output)], loss, 4, w, 0.5)).toBeLessThan(1e-6);
    });
  }

  it('l2 regularisation adds 2·l2·W to the kernel gradient (and l2·Σw² to the loss)', () => {
    const layers = [dense(4, 5, 'sigmoid', { l2: 0.05 }), dense(5, 3, 'softmax', { l2: 0.2 })];
    expect(gradientError(layers, 'categoricalCrossentropy')).toBeLessThan(1e-6);
  });

  it('a 3-layer network: dW and db of every layer', () => {
    const layers = [dense(6, 8, 'relu'), dense(8, 7, 'leakyRelu'), dense(7, 4, 'softmax')];
    expect(gradientError(layers, 'sparseCategoricalCrossentropy', 3)).toBeLessThan(1e-6);
  });

  it('a 3-layer network with dropout, a layer without bias and l2', () => {
    const layers: LayerSpec[] = [
      dense(5, 9, 'tanh', { l2: 0.01 }),
      { kind: 'dropout', units: 9, rate: 0.4, threshold: dropoutThreshold(0.4) },
      dense(9, 6, 'sigmoid', { useBias: false }),
      dense(6, 3, 'linear'),
    ];
    expect(gradientError(layers, 'meanSquaredError', 4)).toBeLessThan(1e-6);
  });

  it('the check itself catches a wrong gradient', () => {
    // Sanity of the harness: a loss whose gradient backward() does not know about (the L2 term with l2 set
    // only after backward ran) must show up as a large error.
    const spec: ModelSpec = { inputSize: 2, seed: 1, layers: [dense(2, 2, 'linear', { l2: 0 })] };
    const network = new Network(spec, float64s);
    network.params.forEach((p, i) => randomFill(p as Float64Array, i, 1));
    const x = Float64Array.of(0.5, -1, 2, 0.25);
    const y = Float64Array.of(1, 0, 0, 1);
    network.forward(x, 2, true, 0);
    network.loss('meanSquaredError', y, 2, true);
    network.backward(x, 2);
    const analytic = network.grads[0]![0]!;
    (spec.layers[0] as DenseLayerSpec).l2 = 0.5;
    const kernel = network.params[0]!;
    const saved = kernel[0]!;
    const at = (v: number) => {
      kernel[0] = v;
      network.forward(x, 2, true, 0);
      return network.loss('meanSquaredError', y, 2, false) + network.regularization();
    };
    const numeric = (at(saved + H) - at(saved - H)) / (2 * H);
    expect(Math.abs(numeric - analytic)).toBeGreaterThan(0.1 * Math.abs(saved));
  });
});
