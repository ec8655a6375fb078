import type { ActivationName } from '../backends/backend.js';

/**
 * Every other format's name for each neurite activation, one row per activation: the PyTorch module, the ONNX
 * nodes written on export and the ONNX ops read on import, the Keras/tfjs names read on import and the tfjs
 * form written on export. torch.ts, onnx.ts, onnx-import.ts, tfjs.ts and tfjs-export.ts read this table and
 * hold no activation names of their own, so adding an activation is one row here (see docs/architecture.md,
 * "How to add an activation").
 */

/** An input of an ONNX node in an activation's subgraph: 'x' (the activation's input), the index of an earlier
 * node of the subgraph (its output), or a scalar float constant. */
export type OnnxRef = 'x' | number | { constant: number };

export type OnnxAttr = { name: string; int: number } | { name: string; float: number };

export interface OnnxOp {
  op: string;
  inputs: OnnxRef[];
  attrs?: OnnxAttr[];
}

/** What an imported ONNX node's attributes mean for neurite: the layer's alpha, or why it cannot be imported. */
export type OnnxImportResult = { alpha?: number; error?: string };

/** Reads one attribute of the node being imported (undefined when absent). */
export type OnnxAttrReader = (name: string) => number | string | undefined;

export interface ActivationFormats {
  /** the PyTorch module after nn.Linear, or null for none */
  torch: ((alpha: number) => string) | null;
  /**
   * ONNX export (opset 13): the nodes from the Gemm output to the activation's output, in order; the last
   * node's output is the activation's. [] for none. A subgraph of several nodes is also what the importer looks
   * for (so neurite reads back what it writes, and what torch.onnx.export writes for the same module).
   */
  onnx: (alpha: number) => OnnxOp[];
  /** more subgraphs that import as this activation, besides the export's own (torch writes Softsign as one) */
  onnxPatterns?: OnnxOp[][];
  /** single ONNX ops that import as this activation, each with its attribute check */
  onnxImport: Record<string, (attr: OnnxAttrReader, opset: number) => OnnxImportResult>;
  /** Keras/tfjs activation names read on import (a Dense layer's activation or an Activation layer's) */
  keras: string[];
  /** the slope a Keras name stands for (leaky_relu: Keras 3's default 0.2) */
  kerasAlpha?: number;
  /** tfjs export: the Dense layer's activation name, or a layer after a linear Dense (name prefix and config) */
  tfjs: { activation: string } | { layer: string; prefix: string; config: (alpha: number) => Record<string, unknown> };
}

const plain = (): OnnxImportResult => ({});
const op = (name: string, attrs?: OnnxAttr[]) => (): OnnxOp[] => [{ op: name, inputs: ['x'], attrs }];

/** Shortest round-trip decimal, as Python's repr writes floats (1 → 1.0). */
export function pythonFloat(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** ONNX stores float attributes as float32; a default written by another tool matches to float32 precision. */
const sameFloat32 = (a: number, b: number) => Math.fround(a) === Math.fround(b);

/** SELU's constants (Klambauer et al.), which are also ONNX Selu's defaults. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

export const ACTIVATION_FORMATS: Record<ActivationName, ActivationFormats> = {
  linear: { torch: null, onnx: () => [], onnxImport: {}, keras: ['linear'], tfjs: { activation: 'linear' } },
  relu: { torch: () => 'nn.ReLU()', onnx: op('Relu'), onnxImport: { Relu: plain }, keras: ['relu'], tfjs: { activation: 'relu' } },
  leakyRelu: {
    torch: (alpha) => `nn.LeakyReLU(negative_slope=${pythonFloat(alpha)})`,
    onnx: (alpha) => [{ op: 'LeakyRelu', inputs: ['x'], attrs: [{ name: 'alpha', float: alpha }] }],
    onnxImport: {
      LeakyRelu: (attr) => {
        const alpha = (attr('alpha') as number | undefined) ?? 0.01;
        return alpha >= 0 && alpha <= 1 ? { alpha } : { error: `alpha ${alpha}: neurite's leakyRelu takes a slope in [0, 1]` };
      },
    },
    keras: ['leaky_relu'],
    kerasAlpha: 0.2,
    tfjs: { layer: 'LeakyReLU', prefix: 'leaky_re_lu', config: (alpha) => ({ alpha }) },
  },
  sigmoid: { torch: () => 'nn.Sigmoid()', onnx: op('Sigmoid'), onnxImport: { Sigmoid: plain }, keras: ['sigmoid'], tfjs: { activation: 'sigmoid' } },
  tanh: { torch: () => 'nn.Tanh()', onnx: op('Tanh'), onnxImport: { Tanh: plain }, keras: ['tanh'], tfjs: { activation: 'tanh' } },
  softmax: {
    torch: () => 'nn.Softmax(dim=-1)',
    onnx: op('Softmax', [{ name: 'axis', int: -1 }]),
    onnxImport: {
      // axis -1, or 1 for [batch, features] (the default before opset 13)
      Softmax: (attr, opset) => {
        const axis = (attr('axis') as number | undefined) ?? (opset >= 13 ? -1 : 1);
        return axis === -1 || axis === 1 ? {} : { error: `axis ${axis}: neurite applies softmax over the features (axis -1 or 1)` };
      },
    },
    keras: ['softmax'],
    tfjs: { activation: 'softmax' },
  },
  gelu: {
    torch: () => 'nn.GELU()',
    // opset 13 has no Gelu op (it came in opset 20): x·(1 + erf(x/√2))·0.5, node for node as torch.onnx.export
    // writes nn.GELU()
    onnx: () => [
      { op: 'Div', inputs: ['x', { constant: Math.SQRT2 }] },
      { op: 'Erf', inputs: [0] },
      { op: 'Add', inputs: [1, { constant: 1 }] },
      { op: 'Mul', inputs: ['x', 2] },
      { op: 'Mul', inputs: [3, { constant: 0.5 }] },
    ],
    onnxImport: {
      Gelu: (attr) => {
        const approximate = attr('approximate') ?? 'none';
        return approximate === 'none' ? {} : { error: `approximate '${String(approximate).slice(0, 20)}': neurite's gelu is the exact (erf) form` };
      },
    },
    keras: ['gelu'],
    tfjs: { activation: 'gelu' },
  },
  swish: {
    torch: () => 'nn.SiLU()',
    // x·sigmoid(x), as torch.onnx.export writes nn.SiLU() (ONNX has no Swish op in the opsets neurite reads)
    onnx: () => [
      { op: 'Sigmoid', inputs: ['x'] },
      { op: 'Mul', inputs: ['x', 0] },
    ],
    onnxImport: {},
    keras: ['swish', 'silu'],
    tfjs: { activation: 'swish' },
  },
  elu: {
    torch: () => 'nn.ELU()',
    onnx: op('Elu', [{ name: 'alpha', float: 1 }]),
    onnxImport: {
      Elu: (attr) => {
        const alpha = (attr('alpha') as number | undefined) ?? 1;
        return alpha === 1 ? {} : { error: `alpha ${alpha}: neurite's elu has alpha 1` };
      },
    },
    keras: ['elu'],
    tfjs: { activation: 'elu' },
  },
  selu: {
    torch: () => 'nn.SELU()',
    onnx: op('Selu'),
    onnxImport: {
      Selu: (attr) => {
        const alpha = (attr('alpha') as number | undefined) ?? SELU_ALPHA;
        const gamma = (attr('gamma') as number | undefined) ?? SELU_GAMMA;
        return sameFloat32(alpha, SELU_ALPHA) && sameFloat32(gamma, SELU_GAMMA)
          ? {}
          : { error: `alpha ${alpha}, gamma ${gamma}: neurite's selu has the standard constants (alpha ${SELU_ALPHA}, gamma ${SELU_GAMMA})` };
      },
    },
    keras: ['selu'],
    tfjs: { activation: 'selu' },
  },
  softplus: { torch: () => 'nn.Softplus()', onnx: op('Softplus'), onnxImport: { Softplus: plain }, keras: ['softplus'], tfjs: { activation: 'softplus' } },
  softsign: {
    torch: () => 'nn.Softsign()',
    onnx: op('Softsign'),
    // torch.onnx.export writes nn.Softsign() as x / (1 + |x|)
    onnxPatterns: [
      [
        { op: 'Abs', inputs: ['x'] },
        { op: 'Add', inputs: [0, { constant: 1 }] },
        { op: 'Div', inputs: ['x', 1] },
      ],
    ],
    onnxImport: { Softsign: plain },
    keras: ['softsign'],
    tfjs: { activation: 'softsign' },
  },
  mish: {
    torch: () => 'nn.Mish()',
    // x·tanh(softplus(x)), as torch.onnx.export writes nn.Mish() below opset 18 (which brought the Mish op)
    onnx: () => [
      { op: 'Softplus', inputs: ['x'] },
      { op: 'Tanh', inputs: [0] },
      { op: 'Mul', inputs: ['x', 1] },
    ],
    onnxImport: { Mish: plain },
    keras: ['mish'],
    tfjs: { activation: 'mish' },
  },
};

export const activationFormatRows = Object.entries(ACTIVATION_FORMATS) as [ActivationName, ActivationFormats][];
