import type { Sequential } from '../model.js';
import { checkOptions, fail, type OptionKeys } from '../errors.js';
import { modelExtrasKeys, readExtras, type ModelExtras } from './description.js';
import { transpose } from './model-file.js';
import { concat, floatField, intField, messageField, stringField, bytesField } from './protobuf.js';
import { Where } from './untrusted.js';
import { ACTIVATION_FORMATS, type OnnxAttr } from './activation-formats.js';

/**
 * ONNX export (opset 13): each dense layer becomes Gemm(x, W[out, in], b, transB=1) followed by its activation's
 * nodes (activation-formats.ts: one op, or a small subgraph such as gelu's Erf form with scalar initializers);
 * dropout, an identity at inference, is left out. Input "input" [batch, in] with a symbolic batch dimension,
 * output "output" [batch, out]. Browser-safe: returns the bytes of the .onnx file.
 *
 * Field numbers are those of onnx/onnx.proto; only the fields used here are listed.
 */

const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const OpsetId = { domain: 1, version: 2 } as const;
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const Attribute = { name: 1, f: 2, i: 3, type: 20 } as const;
const AttributeType = { FLOAT: 1, INT: 2 } as const;
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfo = { name: 1, type: 2 } as const;
const TypeProto = { tensorType: 1 } as const;
const TypeTensor = { elemType: 1, shape: 2 } as const;
const Shape = { dim: 1 } as const;
const Dimension = { dimValue: 1, dimParam: 2 } as const;
const StringEntry = { key: 1, value: 2 } as const;
const FLOAT = 1;

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

type Attr = OnnxAttr;

function attribute(a: Attr): Uint8Array {
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

function valueInfo(field: number, name: string, features: number): Uint8Array {
  const dims = [messageField(Shape.dim, [stringField(Dimension.dimParam, 'batch')]), messageField(Shape.dim, [intField(Dimension.dimValue, features)])];
  const tensorType = messageField(TypeProto.tensorType, [intField(TypeTensor.elemType, FLOAT), messageField(TypeTensor.shape, dims)]);
  return messageField(field, [stringField(ValueInfo.name, name), messageField(ValueInfo.type, [tensorType])]);
}

export function exportOnnx(model: Sequential, options?: OnnxExportOptions): Uint8Array {
  const o = checkOnnxExportOptions(model, options);
  const weights = model.getWeightArrays();
  const layers = model.spec.layers;
  const lastDense = layers.reduce((last, l, i) => (l.kind === 'dense' ? i : last), -1);
  const nodes: Uint8Array[] = [];
  const initializers: Uint8Array[] = [];
  let current = 'input';
  let w = 0;
  layers.forEach((layer, i) => {
    if (layer.kind !== 'dense') return;
    const isLast = i === lastDense;
    const kernel = weights[w++]!;
    const weightName = `layers.${i}.weight`;
    initializers.push(floatTensor(weightName, [layer.units, layer.inputSize], transpose(kernel, layer.inputSize, layer.units)));
    const gemmInputs = [current, weightName];
    if (layer.useBias) {
      const biasName = `layers.${i}.bias`;
      initializers.push(floatTensor(biasName, [layer.units], weights[w++]!));
      gemmInputs.push(biasName);
    }
    const linearOut = isLast && layer.activation === 'linear' ? 'output' : `layers.${i}.linear`;
    nodes.push(node('Gemm', `layers.${i}.gemm`, gemmInputs, [linearOut], [{ name: 'transB', int: 1 }]));
    current = linearOut;
    if (layer.activation === 'linear') return;
    const out = isLast ? 'output' : `layers.${i}.out`;
    const name = `layers.${i}.${layer.activation}`;
    // the activation's nodes from the format table; a subgraph's inner tensors and constants are named after it
    const ops = ACTIVATION_FORMATS[layer.activation].onnx(layer.alpha);
    const outputs = ops.map((_, k) => (k === ops.length - 1 ? out : `${name}.${k}`));
    ops.forEach((o, k) => {
      const inputs = o.inputs.map((ref, r) => {
        if (ref === 'x') return linearOut;
        if (typeof ref === 'number') return outputs[ref]!;
        const constName = `${name}.${k}.c${r}`;
        initializers.push(floatTensor(constName, [], Float32Array.of(ref.constant)));
        return constName;
      });
      nodes.push(node(o.op, ops.length === 1 ? name : `${name}.${k}`, inputs, [outputs[k]!], o.attrs));
    });
    current = out;
  });
  // A model of dropout layers only still needs a node that produces "output".
  if (current !== 'output') nodes.push(node('Identity', 'identity', [current], ['output']));

  const graph = concat([
    ...nodes,
    stringField(Graph.name, model.name),
    ...initializers,
    valueInfo(Graph.input, 'input', model.inputSize),
    valueInfo(Graph.output, 'output', model.outputSize),
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
