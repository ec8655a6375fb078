import { weightInfos, type ActivationName, type WeightInfo } from '../backends/backend.js';
import type { Sequential } from '../model.js';
import { checkOptions, fail, type OptionKeys } from '../errors.js';
import { modelExtrasKeys, readExtras, type ModelExtras } from './description.js';
import { transpose } from './model-file.js';
import { Attribute, AttributeType, DataType, Dimension, Graph, Model, Node, OpsetId, Shape, StringEntry, Tensor, TypeProto, TypeTensor, ValueInfo } from './onnx-proto.js';
import { concat, floatField, intField, messageField, stringField, bytesField } from './protobuf.js';
import { Where } from './untrusted.js';
import { ACTIVATION_FORMATS, type OnnxAttr } from './activation-formats.js';

/**
 * ONNX export (opset 13): each dense layer becomes Gemm(x, W[out, in], b, transB=1) followed by its activation's
 * nodes (activation-formats.ts: one op, or a small subgraph such as gelu's Erf form with scalar initializers); an
 * activation layer the same nodes; batch normalisation BatchNormalization with the moving statistics (inference);
 * layer normalisation its decomposition (ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, Mul, Add: the op
 * itself needs opset 17); a sample shape of more than one dimension a Flatten first; dropout, an identity at
 * inference, is left out. Input "input" [batch, in] with a symbolic batch dimension,
 * output "output" [batch, out]. Browser-safe: returns the bytes of the .onnx file.
 *
 * Field numbers: onnx-proto.ts.
 */

const FLOAT = DataType.FLOAT;

/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
const IR_VERSION = 7;
const OPSET = 13;

export interface OnnxExportOptions {
  /** stored as metadata_props "neurite.extras" (JSON) so a consumer can label outputs or scale inputs */
  extras?: ModelExtras;
  producerVersion?: string;
}

export const onnxExportOptionKeys: OptionKeys<OnnxExportOptions> = { extras: true, producerVersion: true };

/** The options with extras held to the rules a saved model's extras follow (the same reader checks both). */
export function checkOnnxExportOptions(model: Sequential, options: OnnxExportOptions | undefined): OnnxExportOptions {
  const o = checkOptions('nn.exportOnnx options', options, onnxExportOptionKeys);
  if (o.producerVersion !== undefined && typeof o.producerVersion !== 'string') fail('nn.exportOnnx options.producerVersion', 'a string', o.producerVersion);
  if (o.extras === undefined) return o;
  const extras = checkOptions('nn.exportOnnx options.extras', o.extras, modelExtrasKeys);
  return { ...o, extras: readExtras(extras, new Where('nn.exportOnnx options.extras'), model.inputSize, model.outputSize) };
}

type Attr = OnnxAttr | { name: string; ints: number[] };

function attribute(a: Attr): Uint8Array {
  if ('ints' in a) {
    return concat([stringField(Attribute.name, a.name), ...a.ints.map((v) => intField(Attribute.ints, v)), intField(Attribute.type, AttributeType.INTS)]);
  }
  return 'int' in a
    ? concat([stringField(Attribute.name, a.name), intField(Attribute.i, a.int), intField(Attribute.type, AttributeType.INT)])
    : concat([stringField(Attribute.name, a.name), floatField(Attribute.f, a.float), intField(Attribute.type, AttributeType.FLOAT)]);
}

function node(opType: string, name: string, inputs: string[], outputs: string[], attributes: Attr[] = []): Uint8Array {
  return messageField(Graph.node, [
    ...inputs.map((i) => stringField(Node.input, i)),
    ...outputs.map((o) => stringField(Node.output, o)),
    stringField(Node.name, name),
    stringField(Node.opType, opType),
    ...attributes.map((a) => messageField(Node.attribute, [attribute(a)])),
  ]);
}

function floatTensor(name: string, dims: number[], data: Float32Array): Uint8Array {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return messageField(Graph.initializer, [
    ...dims.map((d) => intField(Tensor.dims, d)),
    intField(Tensor.dataType, FLOAT),
    stringField(Tensor.name, name),
    bytesField(Tensor.rawData, raw),
  ]);
}

function valueInfo(field: number, name: string, sample: number[]): Uint8Array {
  const dims = [
    messageField(Shape.dim, [stringField(Dimension.dimParam, 'batch')]),
    ...sample.map((d) => messageField(Shape.dim, [intField(Dimension.dimValue, d)])),
  ];
  const tensorType = messageField(TypeProto.tensorType, [intField(TypeTensor.elemType, FLOAT), messageField(TypeTensor.shape, dims)]);
  return messageField(field, [stringField(ValueInfo.name, name), messageField(ValueInfo.type, [tensorType])]);
}

interface NodeSpec {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attr[];
}

/**
 * The ONNX nodes of an activation applied to `input` (none for linear), from the format table: one op, or a small
 * subgraph whose inner tensors and scalar constants are named after it.
 */
function activationNodes(
  activation: ActivationName, alpha: number, prefix: string, input: string, out: string,
  constant: (name: string, data: Float32Array, dims?: number[]) => string,
): NodeSpec[] {
  const name = `${prefix}.${activation}`;
  const ops = ACTIVATION_FORMATS[activation].onnx(alpha);
  const outputs = ops.map((_, k) => (k === ops.length - 1 ? out : `${name}.${k}`));
  return ops.map((o, k) => ({
    op: o.op,
    name: ops.length === 1 ? name : `${name}.${k}`,
    inputs: o.inputs.map((ref, r) =>
      ref === 'x' ? input : typeof ref === 'number' ? outputs[ref]! : constant(`${name}.${k}.c${r}`, Float32Array.of(ref.constant), []),
    ),
    outputs: [outputs[k]!],
    attributes: o.attrs,
  }));
}

export function exportOnnx(model: Sequential, options?: OnnxExportOptions): Uint8Array {
  const o = checkOnnxExportOptions(model, options);
  const weights = model.getWeightArrays();
  const infos = weightInfos(model.spec);
  const byLayer = (i: number, role: WeightInfo['role']) => {
    const at = infos.findIndex((w) => w.layer === i && w.role === role);
    return at < 0 ? undefined : weights[at]!;
  };
  const nodes: NodeSpec[] = [];
  const initializers: Uint8Array[] = [];
  const constant = (name: string, data: Float32Array, dims = [data.length]) => {
    initializers.push(floatTensor(name, dims, data));
    return name;
  };
  let current = 'input';
  if (model.inputShape.length > 1) {
    // samples of shape [28, 28] go in as they are; Flatten(axis 1) makes rows of them
    nodes.push({ op: 'Flatten', name: 'flatten', inputs: [current], outputs: ['flatten.out'], attributes: [{ name: 'axis', int: 1 }] });
    current = 'flatten.out';
  }
  model.spec.layers.forEach((layer, i) => {
    const prefix = `layers.${i}`;
    const emit = (...specs: NodeSpec[]) => {
      nodes.push(...specs);
      if (specs.length) current = specs[specs.length - 1]!.outputs[0]!;
    };
    switch (layer.kind) {
      case 'dropout':
        return; // identity at inference
      case 'dense': {
        const weightName = constant(`${prefix}.weight`, transpose(byLayer(i, 'kernel')!, layer.inputSize, layer.units), [layer.units, layer.inputSize]);
        const gemmInputs = [current, weightName];
        if (layer.useBias) gemmInputs.push(constant(`${prefix}.bias`, byLayer(i, 'bias')!));
        emit({ op: 'Gemm', name: `${prefix}.gemm`, inputs: gemmInputs, outputs: [`${prefix}.linear`], attributes: [{ name: 'transB', int: 1 }] });
        return emit(...activationNodes(layer.activation, layer.alpha, prefix, current, `${prefix}.out`, constant));
      }
      case 'activation':
        return emit(...activationNodes(layer.activation, layer.alpha, prefix, current, `${prefix}.out`, constant));
      case 'batchNormalization': {
        // inference: the moving statistics; absent gamma is 1 and absent beta 0, as ONNX needs both inputs
        const gamma = byLayer(i, 'gamma') ?? new Float32Array(layer.units).fill(1);
        const beta = byLayer(i, 'beta') ?? new Float32Array(layer.units);
        const inputs = [
          current, constant(`${prefix}.weight`, gamma), constant(`${prefix}.bias`, beta),
          constant(`${prefix}.running_mean`, byLayer(i, 'movingMean')!), constant(`${prefix}.running_var`, byLayer(i, 'movingVariance')!),
        ];
        return emit({ op: 'BatchNormalization', name: `${prefix}.batchnorm`, inputs, outputs: [`${prefix}.out`], attributes: [{ name: 'epsilon', float: layer.epsilon }] });
      }
      case 'layerNormalization': {
        // LayerNormalization is an opset-17 op; at opset 13 it is spelled out: (x − mean)/√(var + ε)·γ + β
        const n = (op: string, inputs: string[], attributes?: Attr[]): NodeSpec => ({ op, name: `${prefix}.${op.toLowerCase()}${nodes.length}`, inputs, outputs: [`${prefix}.${op.toLowerCase()}${nodes.length}`], attributes });
        const axes: Attr[] = [{ name: 'axes', ints: [-1] }, { name: 'keepdims', int: 1 }];
        const mean = n('ReduceMean', [current], axes);
        emit(mean);
        const centered = n('Sub', [mean.inputs[0]!, mean.outputs[0]!]);
        emit(centered);
        const squared = n('Mul', [centered.outputs[0]!, centered.outputs[0]!]);
        emit(squared);
        const variance = n('ReduceMean', [squared.outputs[0]!], axes);
        emit(variance);
        emit(n('Add', [variance.outputs[0]!, constant(`${prefix}.epsilon`, Float32Array.of(layer.epsilon))]));
        emit(n('Sqrt', [current]));
        emit(n('Div', [centered.outputs[0]!, current]));
        const gamma = byLayer(i, 'gamma');
        if (gamma) emit(n('Mul', [current, constant(`${prefix}.weight`, gamma)]));
        const beta = byLayer(i, 'beta');
        if (beta) emit(n('Add', [current, constant(`${prefix}.bias`, beta)]));
        return;
      }
    }
  });
  // The last node writes "output"; a model of dropout layers only still needs a node that produces it.
  const last = nodes[nodes.length - 1];
  if (last && last.outputs[0] === current && current !== 'input') last.outputs[0] = 'output';
  else nodes.push({ op: 'Identity', name: 'identity', inputs: [current], outputs: ['output'] });
  const encoded = nodes.map((spec) => node(spec.op, spec.name, spec.inputs, spec.outputs, spec.attributes));

  const graph = concat([
    ...encoded,
    stringField(Graph.name, model.name),
    ...initializers,
    valueInfo(Graph.input, 'input', model.inputShape),
    valueInfo(Graph.output, 'output', [model.outputSize]),
  ]);
  const metadata =
    o.extras && Object.keys(o.extras).length > 0
      ? [messageField(Model.metadataProps, [stringField(StringEntry.key, 'neurite.extras'), stringField(StringEntry.value, JSON.stringify(o.extras))])]
      : [];
  return concat([
    intField(Model.irVersion, IR_VERSION),
    stringField(Model.producerName, 'neurite'),
    stringField(Model.producerVersion, o.producerVersion ?? '0.1.0'),
    bytesField(Model.graph, graph),
    messageField(Model.opsetImport, [stringField(OpsetId.domain, ''), intField(OpsetId.version, OPSET)]),
    ...metadata,
  ]);
}
