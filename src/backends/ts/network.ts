/**
 * The layer stack: parameters, their gradients, and the per-row buffers of a forward and backward pass.
 *
 * One Network runs in Float32Array inside the backend and in Float64Array in the gradient checks, through
 * the same code. Per-row buffers are sized for `capacity` rows and only grow (a larger batch or predict
 * chunk), so a training loop allocates nothing after its first batch.
 *
 * Buffers per layer l (units u): out [rows, u] the layer's output; delta [rows, u] dL/d(out), which a
 * dense layer turns into dL/dz in place; dense z [rows, u] (the same buffer as out for linear);
 * dropout mask [rows, u].
 */
import type {
  ActivationLayerSpec, BatchNormLayerSpec, DenseLayerSpec, DropoutLayerSpec, LayerNormLayerSpec, LossName, ModelSpec,
} from '../backend.js';
import { hasTrainableWeights, outputSize } from '../backend.js';
import { activationBackward, activationForward } from './activations.js';
import {
  batchNormBackward, batchNormInferenceForward, batchNormTrainingForward, layerNormBackward, layerNormForward,
} from './normalization.js';
import { dropoutKey } from '../../rng.js';
import { denseBackward, denseForward, l2Penalty } from './dense.js';
import { dropoutBackward, dropoutForward, dropoutScale } from './dropout.js';
import type { Floats, FloatsFactory } from './floats.js';
import {
  countCorrect, huber, isRegressionLoss, meanAbsoluteError, meanSquaredError, sigmoidBinaryCrossentropy,
  softmaxCrossentropy, sparseSoftmaxCrossentropy,
} from './losses.js';

interface DenseStage {
  kind: 'dense';
  layer: DenseLayerSpec;
  kernel: Floats;
  bias: Floats | null;
  gradKernel: Floats;
  gradBias: Floats | null;
  /** false when no trainable layer lies below: dx would never be used */
  needsInputGradient: boolean;
  z: Floats;
  out: Floats;
  delta: Floats;
}

interface DropoutStage {
  kind: 'dropout';
  layer: DropoutLayerSpec;
  index: number;
  scale: number;
  needsInputGradient: boolean;
  mask: Floats;
  out: Floats;
  delta: Floats;
}

type NormStage = NormStageOf<BatchNormLayerSpec> | NormStageOf<LayerNormLayerSpec>;

interface NormStageOf<L extends BatchNormLayerSpec | LayerNormLayerSpec> {
  kind: L['kind'];
  layer: L;
  gamma: Floats | null;
  beta: Floats | null;
  gradGamma: Floats | null;
  gradBeta: Floats | null;
  /** batch normalisation only (empty for layer normalisation) */
  movingMean: Floats;
  movingVariance: Floats;
  needsInputGradient: boolean;
  /** x̂ of the last training forward, and 1/√(σ² + ε) per feature (batch) or per row (layer) */
  xhat: Floats;
  inverseStd: Float64Array;
  out: Floats;
  delta: Floats;
}

interface ActivationStage {
  kind: 'activation';
  layer: ActivationLayerSpec;
  needsInputGradient: boolean;
  /** the input of the last forward: the activation's z, and the logits a fused loss reads */
  input: Floats;
  out: Floats;
  delta: Floats;
}

type Stage = DenseStage | DropoutStage | NormStage | ActivationStage;

/**
 * Which output the loss reads. The cross-entropies are fused with the output activation and read the
 * logits z of the last dense layer, handing back dL/dz; meanSquaredError reads the output and hands back
 * dL/d(out), which then flows through the activation like any other gradient.
 */
type LossInput = 'logits' | 'outputs';

export class Network {
  /** every weight in getWeights order (backend.ts weightInfos); grads[i] stays 0 for a weight not trained */
  readonly params: Floats[] = [];
  readonly grads: Floats[] = [];
  /** per params entry: false for batch normalisation's moving statistics, which the optimizer leaves alone */
  readonly trainable: boolean[] = [];
  readonly outputUnits: number;
  private readonly stages: Stage[] = [];
  private capacity = 0;
  /** what the last forward() returned: the output buffer loss() and correct() read */
  private output: Floats | null = null;
  /** whether the last loss() wrote dL/dz (fused) rather than dL/d(out) into the last delta */
  private lossWroteLogitGradient = false;

  constructor(readonly spec: ModelSpec, private readonly alloc: FloatsFactory) {
    this.outputUnits = outputSize(spec);
    let trainableBelow = false;
    const param = (size: number, trainable = true) => {
      const value = alloc(size);
      this.params.push(value);
      const grad = alloc(size);
      this.grads.push(grad);
      this.trainable.push(trainable);
      return { value, grad };
    };
    spec.layers.forEach((layer, index) => {
      const empty = alloc(0);
      const needsInputGradient = trainableBelow;
      if (layer.kind === 'dense') {
        const kernel = param(layer.inputSize * layer.units);
        const bias = layer.useBias ? param(layer.units) : null;
        this.stages.push({
          kind: 'dense', layer, kernel: kernel.value, bias: bias?.value ?? null, gradKernel: kernel.grad,
          gradBias: bias?.grad ?? null, needsInputGradient, z: empty, out: empty, delta: empty,
        });
      } else if (layer.kind === 'dropout') {
        this.stages.push({
          kind: 'dropout', layer, index, scale: dropoutScale(layer.rate),
          needsInputGradient, mask: empty, out: empty, delta: empty,
        });
      } else if (layer.kind === 'activation') {
        this.stages.push({ kind: 'activation', layer, needsInputGradient, input: empty, out: empty, delta: empty });
      } else {
        const gamma = layer.scale ? param(layer.units) : null;
        const beta = layer.center ? param(layer.units) : null;
        const bn = layer.kind === 'batchNormalization';
        const movingMean = bn ? param(layer.units, false).value : empty;
        const movingVariance = bn ? param(layer.units, false).value : empty;
        this.stages.push(<NormStage>{
          kind: layer.kind, layer, gamma: gamma?.value ?? null, beta: beta?.value ?? null,
          gradGamma: gamma?.grad ?? null, gradBeta: beta?.grad ?? null, movingMean, movingVariance, needsInputGradient,
          xhat: empty, inverseStd: new Float64Array(bn ? layer.units : 0), out: empty, delta: empty,
        });
      }
      if (hasTrainableWeights(layer)) trainableBelow = true;
    });
  }

  /** Grow every per-row buffer to hold at least `rows` rows. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    for (const stage of this.stages) {
      const size = rows * stage.layer.units;
      stage.out = this.alloc(size);
      stage.delta = this.alloc(size);
      if (stage.kind === 'dense') stage.z = stage.layer.activation === 'linear' ? stage.out : this.alloc(size);
      else if (stage.kind === 'dropout') stage.mask = this.alloc(size);
      else if (stage.kind !== 'activation') {
        stage.xhat = this.alloc(size);
        if (stage.kind === 'layerNormalization') stage.inverseStd = new Float64Array(rows);
      }
    }
    this.capacity = rows;
  }

  /**
   * Forward pass over x [rows, inputSize]; returns the buffer holding the outputs [rows, outputUnits]
   * (x itself for a network without layers). `step` picks the dropout masks; dropout is skipped at inference.
   */
  forward(x: Floats, rows: number, training: boolean, step: number): Floats {
    this.reserve(rows);
    let input = x;
    for (const stage of this.stages) {
      const units = stage.layer.units;
      if (stage.kind === 'dense') {
        denseForward(stage.layer, input, rows, stage.kernel, stage.bias, stage.z, stage.out);
        input = stage.out;
      } else if (stage.kind === 'activation') {
        stage.input = input;
        activationForward(stage.layer.activation, stage.layer.alpha, input, stage.out, rows, units);
        input = stage.out;
      } else if (stage.kind === 'batchNormalization') {
        const { momentum, epsilon } = stage.layer;
        if (training) {
          batchNormTrainingForward(
            input, stage.out, stage.xhat, rows, units, stage.gamma, stage.beta, stage.movingMean, stage.movingVariance,
            momentum, epsilon, stage.inverseStd,
          );
        } else {
          batchNormInferenceForward(input, stage.out, rows, units, stage.gamma, stage.beta, stage.movingMean, stage.movingVariance, epsilon);
        }
        input = stage.out;
      } else if (stage.kind === 'layerNormalization') {
        layerNormForward(
          input, stage.out, training ? stage.xhat : null, rows, units, stage.gamma, stage.beta, stage.layer.epsilon,
          training ? stage.inverseStd : null,
        );
        input = stage.out;
      } else if (training) {
        const key = dropoutKey(this.spec.seed, stage.index, step);
        dropoutForward(input, stage.out, stage.mask, rows * stage.layer.units, key, stage.layer.threshold, stage.scale);
        input = stage.out;
      }
    }
    this.output = input;
    return input;
  }

  /** Throws unless the loss can be computed on this network's output layer (see LossInput). */
  checkLoss(loss: LossName): void {
    this.lossInput(loss);
  }

  /**
   * Mean data loss of the last forward pass against y (without regularisation). With `withGradient`
   * it also writes the gradient that backward() starts from.
   */
  loss(loss: LossName, y: Floats, rows: number, withGradient: boolean, w: Floats | null = null, delta = 1): number {
    const cols = this.outputUnits;
    const last = this.stages[this.stages.length - 1];
    const gradient = withGradient && last ? last.delta : null;
    if (this.lossInput(loss) === 'logits') {
      const z = last!.kind === 'activation' ? last.input : (last as DenseStage).z;
      this.lossWroteLogitGradient = true;
      if (loss === 'binaryCrossentropy') return sigmoidBinaryCrossentropy(z, y, rows, cols, gradient, w);
      if (loss === 'sparseCategoricalCrossentropy') return sparseSoftmaxCrossentropy(z, y, rows, cols, gradient, w);
      return softmaxCrossentropy(z, y, rows, cols, gradient, w);
    }
    this.lossWroteLogitGradient = false;
    const out = this.forwardOutput();
    if (loss === 'meanAbsoluteError') return meanAbsoluteError(out, y, rows, cols, gradient, w);
    if (loss === 'huber') return huber(out, y, rows, cols, delta, gradient, w);
    return meanSquaredError(out, y, rows, cols, gradient, w);
  }

  /** The outputs [rows, outputUnits] of the last forward pass (after loss(), which fills a fused activation). */
  outputs(): Floats {
    return this.forwardOutput();
  }

  /** Σ l2·‖W‖² over the kernels with an L2 regulariser: added to the reported loss. */
  regularization(): number {
    let total = 0;
    for (const stage of this.stages) {
      if (stage.kind === 'dense' && stage.layer.l2 > 0) {
        total += l2Penalty(stage.kernel, stage.layer.l2, stage.kernel.length);
      }
    }
    return total;
  }

  /** Correct predictions of the last forward pass (see losses.countCorrect). */
  correct(loss: LossName, y: Floats, rows: number): number {
    return countCorrect(loss, this.forwardOutput(), y, rows, this.outputUnits);
  }

  /** Backward pass after a training forward() and loss(withGradient): fills grads. */
  backward(x: Floats, rows: number): void {
    for (let l = this.stages.length - 1; l >= 0; l--) {
      const stage = this.stages[l]!;
      const below = l > 0 ? this.stages[l - 1]! : null;
      const input = below ? below.out : x;
      const dx = stage.needsInputGradient && below ? below.delta : null;
      const gradientIsLogits = l === this.stages.length - 1 && this.lossWroteLogitGradient;
      const units = stage.layer.units;
      if (stage.kind === 'dense') {
        denseBackward(
          stage.layer, input, rows, stage.kernel, stage.z, stage.out, gradientIsLogits ? null : stage.delta,
          stage.delta, stage.gradKernel, stage.gradBias, dx,
        );
      } else if (stage.kind === 'activation') {
        if (!dx) continue;
        if (gradientIsLogits) dx.set(stage.delta.subarray(0, rows * units));
        else activationBackward(stage.layer.activation, stage.layer.alpha, input, stage.out, stage.delta, dx, rows, units);
      } else if (stage.kind === 'batchNormalization') {
        batchNormBackward(stage.delta, stage.xhat, rows, units, stage.gamma, stage.inverseStd, stage.gradGamma, stage.gradBeta, dx);
      } else if (stage.kind === 'layerNormalization') {
        layerNormBackward(stage.delta, stage.xhat, rows, units, stage.gamma, stage.inverseStd, stage.gradGamma, stage.gradBeta, dx);
      } else if (dx) {
        dropoutBackward(stage.delta, stage.mask, dx, rows * units);
      }
    }
  }

  private forwardOutput(): Floats {
    if (!this.output) throw new Error('network: loss and accuracy need a forward pass first');
    return this.output;
  }

  private lossInput(loss: LossName): LossInput {
    if (isRegressionLoss(loss)) {
      if (this.stages.length === 0) throw new Error(`network: ${loss} needs at least one layer`);
      return 'outputs';
    }
    const needed = loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
    const last = this.stages[this.stages.length - 1];
    if (!last || (last.kind !== 'dense' && last.kind !== 'activation') || last.layer.activation !== needed) {
      throw new Error(`network: ${loss} is computed from logits and needs a last dense or activation layer with ${needed} activation`);
    }
    return 'logits';
  }
}
