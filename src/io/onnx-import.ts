import { checkOptions, type OptionKeys } from '../errors.js';
import type { ActivationName } from '../backends/backend.js';
import type { BackendChoice } from '../backends/registry.js';
import type { Sequential } from '../model.js';
import { buildModel } from './build.js';
import { DESCRIPTION_FORMAT, DESCRIPTION_VERSION, outputSizeOf, readExtras, type LayerDescription, type ModelDescription } from './description.js';
import { checkValues, MAX_ABS_PARAMETER, transpose } from './model-file.js';
import { readFloatTensor, readOnnx, type OnnxModel, type OnnxNode, type OnnxTensorInfo } from './onnx-read.js';
import { AllocationBudget } from './protobuf-reader.js';
import { FileFormatError, parseJson, Where } from './untrusted.js';
import { activationFormatRows, type OnnxOp, type OnnxRef } from './activation-formats.js';

/**
 * ONNX → neurite: a Sequential from an MLP graph, the kind torch.onnx.export writes for an nn.Sequential of
 * Linear layers and activations (opsets 13 to 17 checked) and neurite's own export writes.
 *
 * The graph must be one chain from its single input to its single output. Walking it, each node is looked up in
 * OPS, one row per op type; a row turns its node into a step: a dense layer (Gemm, MatMul with its Add), an
 * activation (folded into the dense layer before it, as neurite layers carry their activation), or nothing
 * (Identity, Dropout at inference, Flatten of an already flat input). Any op without a row gets an error naming
 * the op and its node. The one exception to the chain: an activation written as a small subgraph (gelu's
 * x·(1 + erf(x/√2))·0.5, swish's x·sigmoid(x), mish's x·tanh(softplus(x)), softsign's x/(1 + |x|), from
 * activation-formats.ts) is
 * claimed whole where the walk reaches its input, although its input feeds two of its nodes. Its scalar
 * constants may be initializers or Constant nodes (torch.onnx.export writes the latter).
 */

export interface OnnxImportOptions {
  /** engine for the model: 'auto' (default), 'ts', 'native' or 'wasm' (after `await nn.ready('wasm')`) */
  backend?: BackendChoice;
  /** seed for the model's later training (shuffles, dropout); random when absent */
  seed?: number;
  /** the model's name (default: the graph's name) */
  name?: string;
}

export const onnxImportOptionKeys: OptionKeys<OnnxImportOptions> = { backend: true, seed: true, name: true };

/** Opsets whose semantics for the ops below are known (7 brought today's Gemm broadcasting). */
const MIN_OPSET = 7;
const MAX_OPSET = 22;

type Step =
  | { kind: 'dense'; kernel: Float32Array; inputs: number; units: number; bias?: Float32Array; output: string; alsoUsed?: OnnxNode[] }
  | { kind: 'activation'; activation: ActivationName; alpha?: number }
  | { kind: 'identity' }
  | { kind: 'flatten' }
  | { kind: 'batchNormalization'; epsilon: number; momentum: number; gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array };

/** What a row may ask about the graph around its node. */
interface Context {
  opset: number;
  /** features per row of the tensor flowing in (undefined until known) */
  width: number | undefined;
  /** rank of the tensor flowing in (undefined: unknown) */
  rank: number | undefined;
  /** an initializer's dims and float32 values (decoded once) */
  constant(node: OnnxNode, input: number): { dims: number[]; values: Float32Array };
  /** the nodes that read a tensor */
  consumers(tensor: string): OnnxNode[];
  fail(node: OnnxNode, message: string): never;
}

type OpRow = (node: OnnxNode, c: Context) => Step;

function attrFloat(n: OnnxNode, name: string, fallback: number): number {
  const a = n.attributes.get(name);
  return a?.f ?? fallback;
}

function attrInt(n: OnnxNode, name: string, fallback: number): number {
  const a = n.attributes.get(name);
  return a?.i ?? fallback;
}

/** Y = alpha·A·op(B) + beta·C, op = transpose when transB. A is the data; B and C must be constants. */
const gemm: OpRow = (n, c) => {
  if (attrInt(n, 'transA', 0) !== 0) c.fail(n, 'transA=1 is not supported (the data must be [batch, features])');
  const transB = attrInt(n, 'transB', 0) !== 0;
  const b = c.constant(n, 1);
  if (b.dims.length !== 2) c.fail(n, `B has shape [${b.dims.join(', ')}], expected a matrix`);
  const [inputs, units] = (transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!]) as [number, number];
  let kernel = transB ? transpose(b.values, units, inputs) : b.values;
  const alpha = attrFloat(n, 'alpha', 1);
  const beta = attrFloat(n, 'beta', 1);
  if (alpha !== 1) kernel = kernel.map((v) => v * alpha);
  let bias: Float32Array | undefined;
  if (n.inputs.length > 2 && n.inputs[2] !== '' && beta !== 0) {
    bias = broadcastBias(n, c, c.constant(n, 2), units);
    if (beta !== 1) bias = bias.map((v) => v * beta);
  }
  return { kind: 'dense', kernel, inputs, units, bias, output: n.outputs[0]! };
};

/** A bias of shape [units], [1, units] or a broadcast scalar, as [units]. */
function broadcastBias(n: OnnxNode, c: Context, t: { dims: number[]; values: Float32Array }, units: number): Float32Array {
  const size = t.dims.reduce((a, d) => a * d, 1);
  const leading = t.dims.slice(0, -1).every((d) => d === 1);
  if (size === units && leading) return t.values;
  if (size === 1) return new Float32Array(units).fill(t.values[0]!);
  return c.fail(n, `bias of shape [${t.dims.join(', ')}] does not broadcast to [${units}]`);
}

/** MatMul(data, W[in, units]), and the Add of a constant bias that follows it when there is one. */
const matMul: OpRow = (n, c) => {
  const w = c.constant(n, 1);
  if (w.dims.length !== 2) c.fail(n, `the weight has shape [${w.dims.join(', ')}], expected a matrix`);
  const [inputs, units] = w.dims as [number, number];
  const users = c.consumers(n.outputs[0]!);
  const add = users.length === 1 && users[0]!.opType === 'Add' && users[0]!.domain === '' ? users[0]! : undefined;
  if (add && add.inputs.length === 2) {
    if (add.outputs.length === 0 || add.outputs[0] === '') c.fail(add, 'has no output');
    const other = add.inputs[0] === n.outputs[0] ? 1 : 0;
    const bias = broadcastBias(add, c, c.constant(add, other), units);
    return { kind: 'dense', kernel: w.values, inputs, units, bias, output: add.outputs[0]!, alsoUsed: [add] };
  }
  return { kind: 'dense', kernel: w.values, inputs, units, output: n.outputs[0]! };
};

/** Dropout at inference passes its input through; its mask output must not be used. */
const dropout: OpRow = (n, c) => {
  if (n.outputs.length > 1 && n.outputs[1] !== '' && c.consumers(n.outputs[1]!).length > 0) c.fail(n, 'its mask output is used; neurite imports inference graphs');
  return { kind: 'identity' };
};

const flatten: OpRow = (n, c) => {
  const axis = attrInt(n, 'axis', 1);
  if (axis !== 1 && !(axis === -1 && c.rank === 2)) c.fail(n, `axis ${axis}: only Flatten to [batch, features] (axis 1) is supported`);
  return { kind: 'flatten' };
};

/**
 * BatchNormalization at inference (what torch.onnx.export writes for BatchNorm1d in eval mode): scale, B, mean
 * and var must be constants of the features' width; they become gamma, beta and the moving statistics. ONNX's
 * momentum has Keras's meaning (running = running·momentum + batch·(1 − momentum)).
 */
const batchNormalization: OpRow = (n, c) => {
  if (attrInt(n, 'training_mode', 0) !== 0) c.fail(n, 'training_mode=1: neurite imports inference graphs');
  for (let k = 1; k < n.outputs.length; k++) {
    if (n.outputs[k] !== '' && c.consumers(n.outputs[k]!).length > 0) c.fail(n, 'its running statistics outputs are used; neurite imports inference graphs');
  }
  if (c.rank !== undefined && c.rank !== 2) c.fail(n, `its data has rank ${c.rank}; neurite normalises [batch, features]`);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => {
    const t = c.constant(n, k);
    if (t.dims.length !== 1 || (c.width !== undefined && t.dims[0] !== c.width)) c.fail(n, `input ${k} has shape [${t.dims.join(', ')}], expected [${c.width ?? 'features'}]`);
    return t.values;
  }) as [Float32Array, Float32Array, Float32Array, Float32Array];
  if (variance.some((v) => !(v >= 0))) c.fail(n, 'its variance input holds a negative or non-finite value');
  const epsilon = attrFloat(n, 'epsilon', 1e-5);
  if (!(epsilon > 0 && epsilon <= 1)) c.fail(n, `epsilon ${epsilon}: expected a number in (0, 1]`);
  const momentum = attrFloat(n, 'momentum', 0.9);
  if (!(momentum >= 0 && momentum <= 1)) c.fail(n, `momentum ${momentum}: expected a number in [0, 1]`);
  return { kind: 'batchNormalization', epsilon, momentum, gamma, beta, mean, variance };
};

/** The attribute reader the format table's import checks take. */
const attrValue = (n: OnnxNode) => (name: string) => {
  const a = n.attributes.get(name);
  return a?.f ?? a?.i ?? a?.s;
};

/** One row per ONNX op: the layer-building ops here, the activation ops from the format table. */
const OPS: Record<string, OpRow> = {
  Gemm: gemm,
  MatMul: matMul,
  ...Object.fromEntries(
    activationFormatRows.flatMap(([activation, row]) =>
      Object.entries(row.onnxImport).map(([op, check]): [string, OpRow] => [
        op,
        (n, c) => {
          const r = check(attrValue(n), c.opset);
          if (r.error !== undefined) c.fail(n, r.error);
          return r.alpha === undefined ? { kind: 'activation', activation } : { kind: 'activation', activation, alpha: r.alpha };
        },
      ]),
    ),
  ),
  Identity: () => ({ kind: 'identity' }),
  Dropout: dropout,
  Flatten: flatten,
  BatchNormalization: batchNormalization,
};

/** Activations written as subgraphs of several nodes (the export's own form and the table's other patterns),
 * tried before the single-op rows. */
const SUBGRAPHS: { activation: ActivationName; ops: OnnxOp[] }[] = activationFormatRows
  .flatMap(([activation, row]) => [row.onnx(0), ...(row.onnxPatterns ?? [])].map((ops) => ({ activation, ops })))
  .filter((p) => p.ops.length > 1);

const COMMUTATIVE = new Set(['Add', 'Mul']);

/**
 * The nodes of `ops` computed from tensor x, in order, when the graph holds exactly that subgraph there: each
 * node found among the readers of its first non-constant input, constants equal to float32 precision, Add and
 * Mul in either operand order, and no tensor of the subgraph (x included) read outside it.
 */
function matchSubgraph(ops: OnnxOp[], x: string, consumers: (t: string) => OnnxNode[], scalar: (t: string) => number | undefined): OnnxNode[] | undefined {
  const nodes: OnnxNode[] = [];
  const outs: string[] = [];
  const fits = (name: string, ref: OnnxRef): boolean => {
    if (ref === 'x') return name === x;
    if (typeof ref === 'number') return name === outs[ref];
    const v = scalar(name);
    return v !== undefined && Math.abs(v - ref.constant) <= 1e-6 * Math.abs(ref.constant);
  };
  for (const spec of ops) {
    const anchor = spec.inputs.find((r): r is 'x' | number => r === 'x' || typeof r === 'number');
    if (anchor === undefined) return undefined;
    const found = consumers(anchor === 'x' ? x : outs[anchor]!).find(
      (n) =>
        n.opType === spec.op &&
        (n.domain === '' || n.domain === 'ai.onnx') &&
        !nodes.includes(n) &&
        n.outputs.length >= 1 &&
        n.outputs[0] !== '' &&
        n.inputs.length === spec.inputs.length &&
        (spec.inputs.every((r, k) => fits(n.inputs[k]!, r)) ||
          (COMMUTATIVE.has(spec.op) && spec.inputs.length === 2 && fits(n.inputs[0]!, spec.inputs[1]!) && fits(n.inputs[1]!, spec.inputs[0]!))),
    );
    if (!found) return undefined;
    nodes.push(found);
    outs.push(found.outputs[0]!);
  }
  const inside = new Set(nodes);
  for (const t of [x, ...outs.slice(0, -1)]) if (consumers(t).some((n) => !inside.has(n))) return undefined;
  return nodes;
}

export const supportedOnnxOps: readonly string[] = Object.keys(OPS);

function nodeLabel(n: OnnxNode): string {
  return n.name ? JSON.stringify(n.name.slice(0, 120)) : `#${n.index} (unnamed)`;
}

export function checkOnnxImportOptions(options: unknown): OnnxImportOptions {
  const o = checkOptions('loadOnnx: options', options as OnnxImportOptions | undefined, onnxImportOptionKeys);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length > 256)) throw new FileFormatError(`loadOnnx: options.name: expected a string of at most 256 characters, got ${String(o.name)}`);
  return o;
}

interface Plan {
  inputSize: number;
  layers: LayerDescription[];
  weights: Float32Array[];
}

function plan(model: OnnxModel, top: Where, budget: AllocationBudget): Plan {
  const g = model.graph;
  const opset = model.opsets.get('');
  if (opset === undefined) top.error('no opset for the default ONNX domain (opset_import)');
  if (opset < MIN_OPSET || opset > MAX_OPSET) top.error(`opset ${opset} is outside the ${MIN_OPSET}–${MAX_OPSET} neurite knows`);
  if (g.hasSparseInitializers) top.error('sparse initializers are not supported');

  const dataInputs = g.inputs.filter((i) => !g.initializers.has(i.name));
  if (dataInputs.length !== 1) top.error(`the graph has ${dataInputs.length} data inputs (${dataInputs.map((i) => JSON.stringify(i.name.slice(0, 60))).slice(0, 5).join(', ')}); neurite imports single-input networks`);
  if (g.outputs.length !== 1) top.error(`the graph has ${g.outputs.length} outputs; neurite imports single-output networks`);
  const input = dataInputs[0]!;
  const output = g.outputs[0]!;
  if (input.elemType !== undefined && input.elemType !== 1) top.error(`input ${JSON.stringify(input.name)} is not float32`);

  const consumers = new Map<string, OnnxNode[]>();
  const produced = new Set<string>([input.name, ...g.initializers.keys()]);
  for (const n of g.nodes) {
    for (const name of n.inputs) {
      if (name === '') continue;
      const list = consumers.get(name) ?? [];
      // a node listing the same tensor twice (Add(h, h)) counts once; nodes come in order, so it is the last one
      if (list.at(-1) !== n) list.push(n);
      consumers.set(name, list);
    }
    for (const name of n.outputs) {
      if (name === '') continue;
      if (produced.has(name)) top.error(`tensor ${JSON.stringify(name.slice(0, 80))} is produced twice (by node ${nodeLabel(n)} and before it)`);
      produced.add(name);
    }
  }

  let rank = input.dims?.length;
  if (rank !== undefined && rank < 2) top.error(`input ${JSON.stringify(input.name)} has rank ${rank}; expected [batch, features]`);
  const featureDims = input.dims?.slice(1) ?? [];
  let width: number | undefined = input.dims && featureDims.every((d) => typeof d === 'number') ? featureDims.reduce<number>((a, d) => a * (d as number), 1) : undefined;
  if (width === 0) top.error(`input ${JSON.stringify(input.name)} has no features`);
  let inputSize = rank === 2 ? width : undefined;

  // Constant nodes hold values like initializers do (torch.onnx.export writes scalars as Constant nodes). They
  // compute nothing, so they are not steps of the walk.
  const constantNodes = new Map<string, OnnxTensorInfo>();
  const visited = new Set<OnnxNode>();
  for (const n of g.nodes) {
    const t = n.attributes.get('value')?.t;
    if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx') && n.inputs.length === 0 && t && n.outputs.length === 1) {
      constantNodes.set(n.outputs[0]!, { ...t, name: n.outputs[0]! });
      visited.add(n);
    }
  }
  const decoded = new Map<string, Float32Array>();
  const fail = (n: OnnxNode, message: string): never => top.error(`node ${nodeLabel(n)} (${n.opType}): ${message}`);
  const context: Context = {
    opset,
    width,
    rank,
    consumers: (t) => consumers.get(t) ?? [],
    fail,
    constant(n, k) {
      const name = n.inputs[k];
      if (name === undefined || name === '') return fail(n, `input ${k} is missing`);
      const t: OnnxTensorInfo | undefined = g.initializers.get(name) ?? constantNodes.get(name);
      if (!t) return fail(n, `input ${k} (${JSON.stringify(name.slice(0, 80))}) must be a constant (an initializer): neurite imports fixed weights`);
      let values = decoded.get(name);
      if (!values) {
        values = readFloatTensor(t, budget, top);
        decoded.set(name, values);
      }
      return { dims: t.dims, values };
    },
  };

  /** A scalar constant's value (an initializer or a Constant node of one float), else undefined. */
  const scalar = (name: string): number | undefined => {
    const t = g.initializers.get(name) ?? constantNodes.get(name);
    if (!t || t.dims.some((d) => d !== 1)) return undefined;
    let values = decoded.get(name);
    if (!values) {
      values = readFloatTensor(t, budget, top);
      decoded.set(name, values);
    }
    return values.length === 1 ? values[0] : undefined;
  };

  const layers: LayerDescription[] = [];
  const weights: Float32Array[] = [];
  let current = input.name;
  let softmaxAt: OnnxNode | undefined;
  // Folded into the dense layer right before it; anywhere else (after a normalisation or another activation) a
  // layer of its own.
  const foldActivation = (n: OnnxNode, activation: ActivationName, alpha: number | undefined) => {
    const last = layers.at(-1);
    if (!last) return fail(n, 'comes before any Gemm or MatMul');
    if (last.kind === 'dense' && last.activation === 'linear') {
      last.activation = activation;
      if (alpha !== undefined) last.alpha = alpha;
    } else {
      layers.push({ kind: 'activation', activation, alpha: alpha ?? 0.3 });
    }
    if (activation === 'softmax') softmaxAt = n;
  };
  for (;;) {
    const users = consumers.get(current) ?? [];
    if (users.length === 0) break;
    const at = current;
    const sub = SUBGRAPHS.map((p) => ({ activation: p.activation, nodes: matchSubgraph(p.ops, at, (t) => consumers.get(t) ?? [], scalar) })).find((m) => m.nodes);
    if (sub?.nodes) {
      const first = sub.nodes[0]!;
      for (const n of sub.nodes) {
        if (visited.has(n)) fail(n, 'the graph has a cycle');
        visited.add(n);
      }
      if (softmaxAt) fail(first, `follows the Softmax in node ${nodeLabel(softmaxAt)}; neurite applies softmax only on the output layer`);
      foldActivation(first, sub.activation, undefined);
      current = sub.nodes.at(-1)!.outputs[0]!;
      continue;
    }
    if (users.length > 1) {
      top.error(`tensor ${JSON.stringify(current.slice(0, 80))} feeds ${users.length} nodes (${users.slice(0, 4).map(nodeLabel).join(', ')}): neurite imports a chain of layers, not a branching graph`);
    }
    const n = users[0]!;
    if (visited.has(n)) fail(n, 'the graph has a cycle');
    visited.add(n);
    const row = n.domain === '' || n.domain === 'ai.onnx' ? (Object.prototype.hasOwnProperty.call(OPS, n.opType) ? OPS[n.opType] : undefined) : undefined;
    if (!row) {
      const op = n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}.${n.opType}`;
      top.error(`unsupported op ${JSON.stringify(op.slice(0, 80))} in node ${nodeLabel(n)}; neurite imports ${supportedOnnxOps.join(', ')}`);
    }
    if (n.inputs[0] !== current) fail(n, `expected the data (${JSON.stringify(current.slice(0, 80))}) as its first input`);
    if (n.outputs.length === 0 || n.outputs[0] === '') fail(n, 'has no output');
    context.width = width;
    context.rank = rank;
    const step = row(n, context);
    if (softmaxAt && step.kind !== 'identity') fail(n, `follows the Softmax in node ${nodeLabel(softmaxAt)}; neurite applies softmax only on the output layer`);
    switch (step.kind) {
      case 'dense': {
        if (rank !== undefined && rank !== 2) fail(n, `its data has rank ${rank}; add a Flatten before it`);
        if (width !== undefined && step.inputs !== width) fail(n, `takes ${step.inputs} features, the data before it has ${width}`);
        if (inputSize === undefined) inputSize = step.inputs;
        for (const extra of step.alsoUsed ?? []) visited.add(extra);
        weights.push(step.kernel);
        if (step.bias) weights.push(step.bias);
        layers.push({
          kind: 'dense',
          units: step.units,
          activation: 'linear',
          alpha: 0.3,
          useBias: step.bias !== undefined,
          l2: 0,
          kernelInitializer: 'glorotUniform',
          biasInitializer: 'zeros',
        });
        width = step.units;
        rank = 2;
        current = step.output;
        continue;
      }
      case 'activation':
        foldActivation(n, step.activation, step.alpha);
        break;
      case 'batchNormalization': {
        if (width === undefined) fail(n, 'normalises data of unknown width');
        if (inputSize === undefined) inputSize = width;
        layers.push({ kind: 'batchNormalization', momentum: step.momentum, epsilon: step.epsilon, center: true, scale: true });
        weights.push(step.gamma, step.beta, step.mean, step.variance);
        rank = 2;
        break;
      }
      case 'flatten':
        if (rank !== undefined && rank > 2) {
          if (layers.length > 0 || width === undefined) fail(n, 'flattens data of unknown size');
          inputSize = width;
        }
        rank = 2;
        break;
      case 'identity':
        break;
    }
    current = n.outputs[0]!;
  }
  if (current !== output.name) top.error(`the chain from input ${JSON.stringify(input.name.slice(0, 80))} ends at ${JSON.stringify(current.slice(0, 80))}, not at the graph's output ${JSON.stringify(output.name.slice(0, 80))}`);
  const stray = g.nodes.find((n) => !visited.has(n));
  if (stray) top.error(`node ${nodeLabel(stray)} (${stray.opType}) is not on the path from the input to the output`);
  if (!layers.some((l) => l.kind === 'dense') || inputSize === undefined) return top.error('no Gemm or MatMul: the graph has no dense layer to import');
  const outWidth = output.dims?.at(-1);
  if (typeof outWidth === 'number' && outWidth !== width) top.error(`output ${JSON.stringify(output.name)} is declared with ${outWidth} features, the layers produce ${width}`);
  weights.forEach((w, i) => checkValues(w, `weight ${i}`, top, MAX_ABS_PARAMETER, false));
  return { inputSize, layers, weights };
}

/** A Sequential from an ONNX file's bytes (browser-safe). Extras exported by neurite land on model.extras. */
export function fromOnnx(bytes: Uint8Array | ArrayBuffer, options: OnnxImportOptions = {}, source = 'onnx'): Sequential {
  const opts = checkOnnxImportOptions(options);
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) throw new FileFormatError(`loadOnnx: source: expected a file path, a Uint8Array or an ArrayBuffer, got ${typeof bytes}`);
  const top = new Where(source);
  const model = readOnnx(data, source);
  // decoded weights never exceed the file's own size (see AllocationBudget)
  const p = plan(model, top, new AllocationBudget(data.length));
  const extrasText = model.metadata.get('neurite.extras');
  const at = top.key('metadata_props').key('neurite.extras');
  const extras = extrasText === undefined ? {} : readExtras(parseJson(extrasText, at), at, p.inputSize, outputSizeOf(p));
  const graphName = model.graph.name.slice(0, 256);
  const description: ModelDescription = {
    format: DESCRIPTION_FORMAT,
    version: DESCRIPTION_VERSION,
    name: opts.name ?? (graphName || 'sequential'),
    inputSize: p.inputSize,
    seed: opts.seed ?? Math.floor(Math.random() * 0x100000000),
    layers: p.layers,
  };
  const built = buildModel(description, p.weights, { backend: opts.backend });
  built.extras = extras;
  return built;
}
