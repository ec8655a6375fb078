// The TS backend's kernels against their definitions: GEMM fast paths vs naive loops, activations, losses,
// dropout and optimizer steps (by hand). The TS backend is the reference for the others, so these are the
// tests that pin the fixed semantics of src/backends/backend.ts to numbers.
import { describe, expect, it } from 'vitest';
import type { ActivationName, DenseLayerSpec } from '../src/backends/backend';
import { activationBackward, activationForward } from '../src/backends/ts/activations';
import { denseBackward, denseForward } from '../src/backends/ts/dense';
import { dropoutBackward, dropoutForward, dropoutScale } from '../src/backends/ts/dropout';
import type { Floats } from '../src/backends/ts/floats';
import {
  countCorrect, meanSquaredError, sigmoidBinaryCrossentropy, softmaxCrossentropy, sparseSoftmaxCrossentropy,
} from '../src/backends/ts/losses';
import {
  matmul, matmulNaive, matmulNT, matmulNTNaive, matmulTN, matmulTNNaive,
} from '../src/backends/ts/matmul';
import { float32s, float64s } from '../src/backends/ts/floats';
import { Network } from '../src/backends/ts/network';
import {
  adamUpdate, adamwUpdate, applyOptimizer, rmspropUpdate, sgdUpdate, slotsPerParameter,
} from '../src/backends/ts/optimizers';
import { dropoutKey, dropoutThreshold, rngKey, rngU32, rngUniform } from '../src/rng';

function randomArray<T extends Floats>(make: (n: number) => T, length: number, seed: number): T {
  const out = make(length);
  const key = rngKey(seed, 99, length);
  for (let i = 0; i < length; i++) out[i] = rngUniform(key, i) * 2 - 1;
  return out;
}
const f32 = (n: number) => new Float32Array(n);
const f64 = (n: number) => new Float64Array(n);

function maxRelativeError(actual: Floats, expected: Floats, length: number): number {
  let worst = 0;
  for (let i = 0; i < length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) worst = err; // NaN propagates as a failure
  }
  return worst;
}

describe('matmul', () => {
  const sizes = [1, 7, 13, 64, 255, 256];
  // every size appears in every position, with odd and round neighbours
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [1, 7, 13], [7, 13, 1], [13, 1, 7], [7, 7, 7], [13, 13, 13], [64, 64, 64],
    [64, 255, 13], [255, 13, 64], [13, 64, 255], [256, 7, 64], [7, 256, 13], [13, 64, 256],
    [255, 256, 7], [256, 255, 1], [1, 255, 256], [64, 256, 255],
  ];
  for (const size of sizes) {
    for (let position = 0; position < 3; position++) {
      if (!shapes.some((s) => s[position] === size)) throw new Error(`shape list misses ${size} at ${position}`);
    }
  }
  const forms = [
    { name: 'C = A·B', fast: matmul, naive: matmulNaive },
    { name: 'C = Aᵀ·B', fast: matmulTN, naive: matmulTNNaive },
    { name: 'C = A·Bᵀ', fast: matmulNT, naive: matmulNTNaive },
  ];
  for (const form of forms) {
    for (const [m, k, n] of shapes) {
      it(`${form.name} fast path equals the naive loop for m=${m} k=${k} n=${n}`, () => {
        const a = randomArray(f32, m * k, m * 1000 + k);
        const b = randomArray(f32, k * n, k * 1000 + n);
        const fast = new Float32Array(m * n).fill(Number.NaN); // C must be overwritten, not accumulated
        const naive = new Float32Array(m * n);
        form.fast(a, b, fast, m, k, n);
        form.naive(a, b, naive, m, k, n);
        // both sum in doubles and round once; only the summation order differs
        expect(maxRelativeError(fast, naive, m * n)).toBeLessThan(1e-6);
      });
    }
    it(`${form.name} in Float64Array keeps double precision`, () => {
      const [m, k, n] = [13, 255, 7];
      const a = randomArray(f64, m * k, 1);
      const b = randomArray(f64, k * n, 2);
      const fast = new Float64Array(m * n);
      const naive = new Float64Array(m * n);
      form.fast(a, b, fast, m, k, n);
      form.naive(a, b, naive, m, k, n);
      expect(maxRelativeError(fast, naive, m * n)).toBeLessThan(1e-13);
    });
  }

  it('the naive forms agree with a hand-computed product', () => {
    // A = [[1,2],[3,4]], B = [[5,6],[7,8]]: A·B = [[19,22],[43,50]], Aᵀ·B = [[26,30],[38,44]], A·Bᵀ = [[17,23],[39,53]]
    const a = Float64Array.of(1, 2, 3, 4);
    const b = Float64Array.of(5, 6, 7, 8);
    const c = new Float64Array(4);
    matmulNaive(a, b, c, 2, 2, 2);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    matmulTNNaive(a, b, c, 2, 2, 2);
    expect(Array.from(c)).toEqual([26, 30, 38, 44]);
    matmulNTNaive(a, b, c, 2, 2, 2);
    expect(Array.from(c)).toEqual([17, 23, 39, 53]);
    matmul(a, b, c, 2, 2, 2);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it('k = 0 gives a zero product', () => {
    const c = new Float32Array(6).fill(5);
    matmul(new Float32Array(0), new Float32Array(0), c, 2, 0, 3);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

/** Φ(v) = 1/2 + ∫₀^v φ(t) dt by Simpson's rule (4000 panels, error ~1e-15), independent of normal-cdf.ts; far
 * out in the tails the step function, where v·Φ(v) is v or 0 to double precision anyway. */
function normalCdfBySimpson(v: number): number {
  if (v > 40) return 1;
  if (v < -40) return 0;
  const pdf = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  const n = 4000;
  const h = v / n;
  let sum = pdf(0) + pdf(v);
  for (let k = 1; k < n; k++) sum += (k % 2 === 1 ? 4 : 2) * pdf(k * h);
  return 0.5 + (sum * h) / 3;
}

describe('activations', () => {
  const z = Float64Array.of(-3, -0.5, 0, 0.25, 2, -1e4, 1e4);
  const definitions: Record<Exclude<ActivationName, 'softmax'>, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(v, 0),
    leakyRelu: (v) => (v > 0 ? v : 0.2 * v),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    tanh: (v) => (Math.exp(v) - Math.exp(-v)) / (Math.exp(v) + Math.exp(-v)),
    gelu: (v) => v * normalCdfBySimpson(v),
    swish: (v) => v / (1 + Math.exp(-v)),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
    softplus: (v) => (v > 700 ? v : Math.log(1 + Math.exp(v))), // e^v overflows past 709; there log(1+e^v) = v
    softsign: (v) => v / (1 + Math.abs(v)),
    mish: (v) => v * Math.tanh(Math.log(1 + Math.exp(v))),
  };
  for (const [kind, f] of Object.entries(definitions) as Array<[ActivationName, (v: number) => number]>) {
    it(`${kind} forward matches its definition`, () => {
      const a = new Float64Array(z.length);
      activationForward(kind, 0.2, z, a, 1, z.length);
      z.forEach((v, i) => {
        const expected = Number.isFinite(f(v)) ? f(v) : Math.sign(v); // tanh's textbook form overflows at ±1e4
        expect(a[i]).toBeCloseTo(expected, 12);
      });
    });
    it(`${kind} backward is the derivative times the upstream gradient`, () => {
      const smooth = Float64Array.of(-2.5, -0.7, 0.3, 1.9);
      const a = new Float64Array(4);
      activationForward(kind, 0.2, smooth, a, 1, 4);
      const upstream = Float64Array.of(0.5, -1.5, 2, 0.25);
      const dz = new Float64Array(4);
      activationBackward(kind, 0.2, smooth, a, upstream, dz, 1, 4);
      const h = 1e-6;
      smooth.forEach((v, i) => {
        const derivative = (f(v + h) - f(v - h)) / (2 * h);
        expect(dz[i]).toBeCloseTo(derivative * upstream[i]!, 8);
      });
    });
  }

  it('relu′(0) = 0 and leakyRelu′(0) = alpha', () => {
    const zero = Float64Array.of(0, 0);
    const upstream = Float64Array.of(1, 3);
    const dz = new Float64Array(2);
    activationBackward('relu', 0.2, zero, new Float64Array(2), upstream, dz, 1, 2);
    expect(Array.from(dz)).toEqual([0, 0]);
    activationBackward('leakyRelu', 0.2, zero, new Float64Array(2), upstream, dz, 1, 2);
    expect(Array.from(dz)).toEqual([0.2, 0.6000000000000001]);
  });

  it('softmax([2, 1, 0.1]) sums to 1 and equals e^z / Σe^z', () => {
    const z3 = Float64Array.of(2, 1, 0.1);
    const s = new Float64Array(3);
    activationForward('softmax', 0, z3, s, 1, 3);
    const total = Math.exp(2) + Math.exp(1) + Math.exp(0.1);
    expect(s[0]).toBeCloseTo(Math.exp(2) / total, 14);
    expect(s[1]).toBeCloseTo(Math.exp(1) / total, 14);
    expect(s[2]).toBeCloseTo(Math.exp(0.1) / total, 14);
    expect(s[0]! + s[1]! + s[2]!).toBeCloseTo(1, 14);
    expect(s[0]).toBeCloseTo(0.659, 3);
  });

  it('softmax is row-wise and survives logits of ±1e4', () => {
    const z6 = Float32Array.of(1e4, -1e4, 0, 1, 2, 3);
    const s = new Float32Array(6);
    activationForward('softmax', 0, z6, s, 2, 3);
    expect(Array.from(s.subarray(0, 3))).toEqual([1, 0, 0]);
    const total = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(s[5]).toBeCloseTo(Math.exp(3) / total, 6);
  });

  it('softmax backward is the Jacobian-vector product', () => {
    const z3 = Float64Array.of(0.3, -1.2, 2.2, 0.5);
    const s = new Float64Array(4);
    activationForward('softmax', 0, z3, s, 1, 4);
    const g = Float64Array.of(1, -2, 0.5, 3);
    const dz = new Float64Array(4);
    activationBackward('softmax', 0, z3, s, g, dz, 1, 4);
    for (let i = 0; i < 4; i++) {
      let expected = 0; // Σ_j J[j][i] g_j with J[j][i] = ∂s_j/∂z_i = s_j(δ_ij − s_i)
      for (let j = 0; j < 4; j++) expected += s[j]! * ((i === j ? 1 : 0) - s[i]!) * g[j]!;
      expect(dz[i]).toBeCloseTo(expected, 14);
    }
  });
});

describe('dense layer', () => {
  const node: DenseLayerSpec = {
    kind: 'dense', inputSize: 2, units: 1, activation: 'linear', alpha: 0, useBias: true, l2: 0,
  };

  it('inputs [0.5, 1.3], weights [0.7, −0.4], bias 0.03 give −0.14', () => {
    const z = new Float32Array(1);
    denseForward(node, Float32Array.of(0.5, 1.3), 1, Float32Array.of(0.7, -0.4), Float32Array.of(0.03), z, z);
    expect(Math.abs(z[0]! - -0.14)).toBeLessThan(1e-6);
  });

  it('backward gives dW = xᵀ·dz + 2·l2·W, db = Σ dz and dx = dz·Wᵀ', () => {
    const layer: DenseLayerSpec = { ...node, inputSize: 2, units: 2, l2: 0.5 };
    const x = Float64Array.of(1, 2, 3, 4); // 2 rows
    const w = Float64Array.of(0.1, 0.2, 0.3, 0.4);
    const z = new Float64Array(4);
    denseForward(layer, x, 2, w, Float64Array.of(0, 0), z, z);
    const dz = Float64Array.of(1, -1, 0.5, 2);
    const gradW = new Float64Array(4);
    const gradB = new Float64Array(2);
    const dx = new Float64Array(4);
    denseBackward(layer, x, 2, w, z, z, null, dz, gradW, gradB, dx);
    // xᵀ·dz = [[1·1+3·0.5, 1·−1+3·2], [2·1+4·0.5, 2·−1+4·2]] = [[2.5, 5], [4, 6]]; + 2·0.5·W
    expect(Array.from(gradW)).toEqual([2.5 + 0.1, 5 + 0.2, 4 + 0.3, 6 + 0.4]);
    expect(Array.from(gradB)).toEqual([1.5, 1]);
    // dz·Wᵀ: row 0 [1·0.1 − 1·0.2, 1·0.3 − 1·0.4], row 1 [0.5·0.1 + 2·0.2, 0.5·0.3 + 2·0.4]
    [-0.1, -0.1, 0.45, 0.95].forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 14));
  });
});

describe('losses', () => {
  it('categorical cross-entropy of [0, 1, 0] against [0.1, 0.7, 0.2] is −log 0.7', () => {
    const logits = Float64Array.of(Math.log(0.1), Math.log(0.7), Math.log(0.2));
    const y = Float64Array.of(0, 1, 0);
    const dz = new Float64Array(3);
    expect(softmaxCrossentropy(logits, y, 1, 3, dz)).toBeCloseTo(-Math.log(0.7), 14);
    // dL/dz = softmax(z) − y
    [0.1, -0.3, 0.2].forEach((v, i) => expect(dz[i]).toBeCloseTo(v, 14));
    expect(sparseSoftmaxCrossentropy(logits, Float64Array.of(1), 1, 3, null)).toBeCloseTo(-Math.log(0.7), 14);
  });

  it('losses are batch means and gradients carry the 1/B (or 1/(B·units)) factor', () => {
    const z = Float64Array.of(1, 2, 3, 0, 0, 0);
    const y = Float64Array.of(0, 0, 1, 1, 0, 0);
    const dz = new Float64Array(6);
    const row0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
    const row1 = Math.log(3);
    expect(softmaxCrossentropy(z, y, 2, 3, dz)).toBeCloseTo((row0 + row1) / 2, 14);
    expect(dz[3]).toBeCloseTo((1 / 3 - 1) / 2, 14);
    expect(sparseSoftmaxCrossentropy(z, Float64Array.of(2, 0), 2, 3, dz)).toBeCloseTo((row0 + row1) / 2, 14);

    const bz = Float64Array.of(0.5, -2);
    const by = Float64Array.of(1, 0);
    const bce = (v: number, t: number) => -(t * Math.log(1 / (1 + Math.exp(-v))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-v))));
    const bdz = new Float64Array(2);
    expect(sigmoidBinaryCrossentropy(bz, by, 2, 1, bdz)).toBeCloseTo((bce(0.5, 1) + bce(-2, 0)) / 2, 14);
    expect(bdz[1]).toBeCloseTo((1 / (1 + Math.exp(2)) - 0) / 2, 14);

    const a = Float64Array.of(1, 2, 3, 4);
    const t = Float64Array.of(0, 2, 5, 3);
    const da = new Float64Array(4);
    expect(meanSquaredError(a, t, 2, 2, da)).toBeCloseTo((1 + 0 + 4 + 1) / 4, 14);
    expect(Array.from(da)).toEqual([0.5, 0, -1, 0.5]);
  });

  it('no loss turns NaN or infinite for saturated logits (±1e4)', () => {
    const z = Float32Array.of(1e4, -1e4, 0, -1e4, 1e4, -1e4);
    const oneHot = Float32Array.of(0, 1, 0, 1, 0, 0);
    const finite = (values: Floats) => Array.from(values).every(Number.isFinite);
    const grad = new Float32Array(6);
    const ce = softmaxCrossentropy(z, oneHot, 2, 3, grad);
    expect(Number.isFinite(ce) && finite(grad)).toBe(true);
    expect(ce).toBeCloseTo((2e4 + 2e4) / 2, 0);
    const sparse = sparseSoftmaxCrossentropy(z, Float32Array.of(1, 0), 2, 3, grad);
    expect(Number.isFinite(sparse) && finite(grad)).toBe(true);
    const bce = sigmoidBinaryCrossentropy(z, oneHot, 2, 3, grad);
    expect(Number.isFinite(bce) && finite(grad)).toBe(true);
    expect(bce).toBeCloseTo((1e4 + 1e4 + Math.log(2) + 1e4 + 1e4 + 0) / 6, 2);
    // meanSquaredError sees outputs: run it behind saturated sigmoid and softmax layers, through a network
    for (const activation of ['sigmoid', 'softmax'] as const) {
      const network = new Network({
        inputSize: 1, seed: 1,
        layers: [{ kind: 'dense', inputSize: 1, units: 3, activation, alpha: 0, useBias: false, l2: 0 }],
      }, float32s);
      network.params[0]!.set([1e4, -1e4, 0]);
      network.forward(Float32Array.of(1, -1), 2, true, 0);
      const mse = network.loss('meanSquaredError', oneHot, 2, true);
      network.backward(Float32Array.of(1, -1), 2);
      expect(Number.isFinite(mse) && finite(network.grads[0]!)).toBe(true);
    }
  });

  it('accuracy counts first-max argmax matches, labels, and binary elements', () => {
    const out = Float64Array.of(0.2, 0.5, 0.5, 0.9, 0.05, 0.05);
    expect(countCorrect('categoricalCrossentropy', out, Float64Array.of(0, 1, 0, 0, 0, 1), 2, 3)).toBe(1);
    expect(countCorrect('categoricalCrossentropy', out, Float64Array.of(0, 0, 1, 1, 0, 0), 2, 3)).toBe(1);
    expect(countCorrect('sparseCategoricalCrossentropy', out, Float64Array.of(1, 0), 2, 3)).toBe(2);
    expect(countCorrect('binaryCrossentropy', Float64Array.of(0.7, 0.5, 0.2), Float64Array.of(1, 1, 0), 1, 3)).toBe(2);
  });
});

describe('dropout', () => {
  const rate = 0.3;
  const threshold = dropoutThreshold(rate);
  const scale = dropoutScale(rate);
  const count = 100_000;
  const ones = new Float32Array(count).fill(1);

  function mask(seed: number, layer: number, step: number): Float32Array {
    const out = new Float32Array(count);
    dropoutForward(ones, out, new Float32Array(count), count, dropoutKey(seed, layer, step), threshold, scale);
    return out;
  }

  it('keeps about 1 − rate of the units and scales them by 1/(1 − rate) as f32', () => {
    const out = mask(7, 1, 0);
    const kept = out.filter((v) => v !== 0);
    expect(kept.length / count).toBeGreaterThan(0.69);
    expect(kept.length / count).toBeLessThan(0.71);
    expect(kept.every((v) => v === Math.fround(1 / 0.7))).toBe(true);
  });

  it('follows the shared rule: element e kept iff (rngU32(key, e) >>> 8) >= threshold', () => {
    const key = dropoutKey(7, 1, 5);
    const out = mask(7, 1, 5);
    for (let e = 0; e < 1000; e++) expect(out[e] !== 0).toBe(rngU32(key, e) >>> 8 >= threshold);
  });

  it('draws the same mask for the same (seed, layer, step) and another one otherwise', () => {
    expect(mask(7, 1, 3)).toEqual(mask(7, 1, 3));
    expect(mask(7, 1, 3)).not.toEqual(mask(7, 1, 4));
    expect(mask(7, 1, 3)).not.toEqual(mask(7, 2, 3));
    expect(mask(7, 1, 3)).not.toEqual(mask(8, 1, 3));
  });

  it('backward multiplies by the same mask·scale', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const out = new Float32Array(8);
    const m = new Float32Array(8);
    dropoutForward(x, out, m, 8, dropoutKey(3, 0, 0), dropoutThreshold(0.5), dropoutScale(0.5));
    const dx = new Float32Array(8);
    dropoutBackward(new Float32Array(8).fill(1), m, dx, 8);
    for (let i = 0; i < 8; i++) {
      expect(dx[i]).toBe(out[i] === 0 ? 0 : 2);
      expect(out[i]).toBe(out[i] === 0 ? 0 : x[i]! * 2);
    }
    expect(dx.some((v) => v === 0) && dx.some((v) => v !== 0)).toBe(true);
  });

  it('in a network, masks layer l (its index in spec.layers) with dropoutKey(seed, l, step)', () => {
    const seed = 21;
    const network = new Network({
      inputSize: 3, seed,
      layers: [
        { kind: 'dense', inputSize: 3, units: 3, activation: 'linear', alpha: 0, useBias: false, l2: 0 },
        { kind: 'dropout', units: 3, rate: 0.5, threshold: dropoutThreshold(0.5) },
      ],
    }, float64s);
    network.params[0]!.set([1, 0, 0, 0, 1, 0, 0, 0, 1]); // identity kernel
    const x = Float64Array.from({ length: 30 }, (_, i) => i + 1);
    const out = network.forward(x, 10, true, 7);
    const key = dropoutKey(seed, 1, 7);
    for (let e = 0; e < 30; e++) {
      const kept = rngU32(key, e) >>> 8 >= dropoutThreshold(0.5);
      expect(out[e]).toBe(kept ? x[e]! * 2 : 0);
    }
  });

  it('is the identity at inference and masks in training', () => {
    const network = new Network({
      inputSize: 4, seed: 11,
      layers: [{ kind: 'dropout', units: 4, rate: 0.5, threshold: dropoutThreshold(0.5) }],
    }, float64s);
    const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect(Array.from(network.forward(x, 2, false, 0).subarray(0, 8))).toEqual(Array.from(x));
    const trained = Array.from(network.forward(x, 2, true, 0).subarray(0, 8));
    expect(trained).not.toEqual(Array.from(x));
    trained.forEach((v, i) => expect(v === 0 || v === x[i]! * 2).toBe(true));
  });
});

describe('optimizers: two steps against hand-computed values', () => {
  // one parameter w = 1 with gradient 0.5 at step 1 and 0.25 at step 2
  const g1 = 0.5;
  const g2 = 0.25;
  function run(update: (w: Float64Array, g: Float64Array, t: number) => void): [number, number] {
    const w = Float64Array.of(1);
    update(w, Float64Array.of(g1), 1);
    const first = w[0]!;
    update(w, Float64Array.of(g2), 2);
    return [first, w[0]!];
  }
  const expectSteps = (actual: [number, number], expected: [number, number]) => {
    expect(actual[0]).toBeCloseTo(expected[0], 12);
    expect(actual[1]).toBeCloseTo(expected[1], 12);
  };

  it('sgd', () => {
    expectSteps(run((w, g) => sgdUpdate(w, g, null, 1, 0.1, 0, false)), [0.95, 0.925]);
  });
  it('sgd with momentum 0.9', () => {
    const v = new Float64Array(1);
    // v1 = −0.05, w1 = 0.95; v2 = 0.9·−0.05 − 0.025 = −0.07, w2 = 0.88
    expectSteps(run((w, g) => sgdUpdate(w, g, v, 1, 0.1, 0.9, false)), [0.95, 0.88]);
    expect(v[0]).toBeCloseTo(-0.07, 14);
  });
  it('sgd with nesterov momentum 0.9', () => {
    const v = new Float64Array(1);
    // w1 = 1 + 0.9·(−0.05) − 0.05 = 0.905; w2 = 0.905 + 0.9·(−0.07) − 0.025 = 0.817
    expectSteps(run((w, g) => sgdUpdate(w, g, v, 1, 0.1, 0.9, true)), [0.905, 0.817]);
  });
  it('adam', () => {
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    // t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25
    const w1 = 1 - (0.1 * 0.5) / (0.5 + 1e-7);
    // t=2: m = 0.045 + 0.025 = 0.07, v = 0.00024975 + 0.0000625 = 0.00031225, m̂ = 0.07/0.19, v̂ = 0.00031225/0.001999
    const w2 = w1 - (0.1 * (0.07 / 0.19)) / (Math.sqrt(0.00031225 / 0.001999) + 1e-7);
    expectSteps(run((w, g, t) => adamUpdate(w, g, m, v, 1, 0.1, 0.9, 0.999, 1e-7, t)), [w1, w2]);
    expect(m[0]).toBeCloseTo(0.07, 14);
    expect(v[0]).toBeCloseTo(0.00031225, 14);
  });
  it('adamw', () => {
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    // decay first with w before the step (lr·λ = 0.1·0.01), then the same adam steps as above
    const w1 = 1 - 0.001 * 1 - (0.1 * 0.5) / (0.5 + 1e-7);
    const w2 = w1 - 0.001 * w1 - (0.1 * (0.07 / 0.19)) / (Math.sqrt(0.00031225 / 0.001999) + 1e-7);
    expectSteps(run((w, g, t) => adamwUpdate(w, g, m, v, 1, 0.1, 0.9, 0.999, 1e-7, 0.01, t)), [w1, w2]);
  });
  it('rmsprop without momentum', () => {
    const v = new Float64Array(1);
    // v1 = 0.1·0.25 = 0.025; v2 = 0.9·0.025 + 0.1·0.0625 = 0.02875
    const w1 = 1 - (0.01 * 0.5) / (Math.sqrt(0.025) + 1e-7);
    const w2 = w1 - (0.01 * 0.25) / (Math.sqrt(0.02875) + 1e-7);
    expectSteps(run((w, g) => rmspropUpdate(w, g, v, null, 1, 0.01, 0.9, 0, 1e-7)), [w1, w2]);
  });
  it('rmsprop with momentum 0.9', () => {
    const v = new Float64Array(1);
    const mom = new Float64Array(1);
    const mom1 = (0.01 * 0.5) / (Math.sqrt(0.025) + 1e-7);
    const mom2 = 0.9 * mom1 + (0.01 * 0.25) / (Math.sqrt(0.02875) + 1e-7);
    expectSteps(run((w, g) => rmspropUpdate(w, g, v, mom, 1, 0.01, 0.9, 0.9, 1e-7)), [1 - mom1, 1 - mom1 - mom2]);
  });

  it('applyOptimizer keeps slots per parameter in order: [m, v] of each parameter for adam', () => {
    const adam = { kind: 'adam' as const, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    expect(slotsPerParameter(adam)).toBe(2);
    expect(slotsPerParameter({ kind: 'sgd', learningRate: 1, momentum: 0, nesterov: false })).toBe(0);
    expect(slotsPerParameter({ kind: 'rmsprop', learningRate: 1, rho: 0.9, momentum: 0, epsilon: 1e-7 })).toBe(1);
    expect(slotsPerParameter({ kind: 'rmsprop', learningRate: 1, rho: 0.9, momentum: 0.5, epsilon: 1e-7 })).toBe(2);
    const params = [Float64Array.of(1, 1), Float64Array.of(1)];
    const grads = [Float64Array.of(0.5, -1), Float64Array.of(2)];
    const slots = [new Float64Array(2), new Float64Array(2), new Float64Array(1), new Float64Array(1)];
    applyOptimizer(adam, params, grads, slots, 1);
    expect(slots[0]![0]).toBeCloseTo(0.05, 14); // m of parameter 0: (1 − β1)·g
    expect(slots[0]![1]).toBeCloseTo(-0.1, 14);
    expect(slots[1]![1]).toBeCloseTo(0.001, 14); // v of parameter 0, element 1
    expect(slots[2]![0]).toBeCloseTo(0.2, 14); // m of parameter 1
    expect(slots[3]![0]).toBeCloseTo(0.004, 14); // v of parameter 1
  });
});
