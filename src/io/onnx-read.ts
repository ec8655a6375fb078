import {
  AllocationBudget,
  float32,
  forEachField,
  int64,
  lengthDelimited,
  repeatedInt64,
  WireType,
  type ProtoField,
} from './protobuf-reader.js';
import { decodeFloats, shortestFloat32 } from './float-formats.js';
import { Attribute, DataType, Dimension, Graph, Model, Node, OpsetId, Shape, StringEntry, Tensor, TypeProto, TypeTensor, ValueInfo } from './onnx-proto.js';
import { decodeUtf8, Where } from './untrusted.js';

export { DataType };

/**
 * The parts of an ONNX file (onnx/onnx.proto) that an MLP import needs, read from untrusted bytes: the model's
 * opsets and metadata, the graph's nodes, initializers, inputs and outputs. Field numbers: onnx-proto.ts.
 * Everything else (docs, value_info, training info, functions, subgraphs) is skipped unread. Tensor values are
 * decoded only when asked for (readFloatTensor), once per tensor, through the file's allocation budget.
 */

/** Names of TensorProto.DataType values, for error messages. */
const DATA_TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16',
  11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
export const dataTypeName = (t: number) => DATA_TYPE_NAMES[t] ?? `data type ${t}`;

const MAX_NAME = 4096;
const MAX_RANK = 8;
const MAX_DIM = 0x7fffffff;
const MAX_LIST = 1 << 16;
/** Far more nodes and tensors than any MLP graph has; keeps the parsed structure a small multiple of the file. */
const MAX_ENTRIES = 1 << 16;

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  ints: number[];
  floatCount: number;
  /** a tensor attribute (a Constant node's value), decoded on demand like an initializer */
  t?: OnnxTensorInfo;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
  /** position in the graph's node list, for messages about unnamed nodes */
  index: number;
}

export interface OnnxTensorInfo {
  name: string;
  dims: number[];
  dataType: number;
  /** the TensorProto's bytes, decoded on demand */
  message: Uint8Array;
  external: boolean;
}

export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  /** number: a fixed size; string: a symbolic one (dim_param); undefined: unknown */
  dims?: (number | string | undefined)[];
}

export interface OnnxModel {
  irVersion: number;
  producer: string;
  /** opset version by domain ('' is the default ONNX domain) */
  opsets: Map<string, number>;
  metadata: Map<string, string>;
  graph: {
    name: string;
    nodes: OnnxNode[];
    initializers: Map<string, OnnxTensorInfo>;
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
    hasSparseInitializers: boolean;
  };
}

function text(field: ProtoField, at: Where): string {
  const bytes = lengthDelimited(field, at);
  if (bytes.length > MAX_NAME) at.error(`a string of ${bytes.length} bytes (at most ${MAX_NAME} expected)`);
  return decodeUtf8(bytes, at);
}

function dimension(bytes: Uint8Array, at: Where): number | string | undefined {
  let dim: number | string | undefined;
  forEachField(bytes, at, (f) => {
    if (f.number === Dimension.dimValue) dim = int64(f, at);
    else if (f.number === Dimension.dimParam) dim = text(f, at);
  });
  return dim;
}

function valueInfo(bytes: Uint8Array, at: Where): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '' };
  forEachField(bytes, at, (f) => {
    if (f.number === ValueInfo.name) info.name = text(f, at);
    else if (f.number === ValueInfo.type) {
      forEachField(lengthDelimited(f, at), at, (t) => {
        if (t.number !== TypeProto.tensorType) return;
        forEachField(lengthDelimited(t, at), at, (tt) => {
          if (tt.number === TypeTensor.elemType) info.elemType = int64(tt, at);
          else if (tt.number === TypeTensor.shape) {
            info.dims = [];
            forEachField(lengthDelimited(tt, at), at, (s) => {
              if (s.number !== Shape.dim) return;
              if (info.dims!.length >= MAX_RANK) at.error(`${info.name}: a shape of more than ${MAX_RANK} dimensions`);
              info.dims!.push(dimension(lengthDelimited(s, at), at));
            });
          }
        });
      });
    }
  });
  return info;
}

function attribute(bytes: Uint8Array, at: Where): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0, ints: [], floatCount: 0 };
  forEachField(bytes, at, (f) => {
    switch (f.number) {
      case Attribute.name:
        a.name = text(f, at);
        break;
      case Attribute.type:
        a.type = int64(f, at);
        break;
      case Attribute.f:
        a.f = shortestFloat32(float32(f, at));
        break;
      case Attribute.i:
        a.i = int64(f, at);
        break;
      case Attribute.s:
        a.s = text(f, at);
        break;
      case Attribute.t:
        a.t = tensorInfo(lengthDelimited(f, at), at);
        break;
      case Attribute.ints:
        repeatedInt64(f, at, a.ints, MAX_LIST);
        break;
      case Attribute.floats:
        a.floatCount += f.wire === WireType.FIXED32 ? 1 : lengthDelimited(f, at).length / 4;
        break;
    }
  });
  return a;
}

function node(bytes: Uint8Array, index: number, at: Where): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map(), index };
  forEachField(bytes, at, (f) => {
    switch (f.number) {
      case Node.input:
        if (n.inputs.length >= MAX_LIST) at.error(`node ${index}: more than ${MAX_LIST} inputs`);
        n.inputs.push(text(f, at));
        break;
      case Node.output:
        if (n.outputs.length >= MAX_LIST) at.error(`node ${index}: more than ${MAX_LIST} outputs`);
        n.outputs.push(text(f, at));
        break;
      case Node.name:
        n.name = text(f, at);
        break;
      case Node.opType:
        n.opType = text(f, at);
        break;
      case Node.domain:
        n.domain = text(f, at);
        break;
      case Node.attribute: {
        const a = attribute(lengthDelimited(f, at), at);
        if (n.attributes.size >= MAX_LIST) at.error(`node ${index}: more than ${MAX_LIST} attributes`);
        n.attributes.set(a.name, a);
        break;
      }
    }
  });
  return n;
}

function tensorInfo(bytes: Uint8Array, at: Where): OnnxTensorInfo {
  const t: OnnxTensorInfo = { name: '', dims: [], dataType: 0, message: bytes, external: false };
  forEachField(bytes, at, (f) => {
    if (f.number === Tensor.name) t.name = text(f, at);
    else if (f.number === Tensor.dims) repeatedInt64(f, at, t.dims, MAX_RANK);
    else if (f.number === Tensor.dataType) t.dataType = int64(f, at);
    else if (f.number === Tensor.dataLocation) t.external = int64(f, at) === 1;
    else if (f.number === Tensor.externalData) t.external = true;
    else if (f.number === Tensor.segment) at.error(`tensor ${JSON.stringify(t.name)} is segmented, which neurite does not read`);
  });
  return t;
}

/** The structure of an ONNX file; tensor values stay undecoded. */
export function readOnnx(bytes: Uint8Array, source: string): OnnxModel {
  const top = new Where(source);
  const model: OnnxModel = {
    irVersion: 0,
    producer: '',
    opsets: new Map(),
    metadata: new Map(),
    graph: { name: '', nodes: [], initializers: new Map(), inputs: [], outputs: [], hasSparseInitializers: false },
  };
  let graphBytes: Uint8Array | undefined;
  forEachField(bytes, top, (f) => {
    switch (f.number) {
      case Model.irVersion:
        model.irVersion = int64(f, top);
        break;
      case Model.producerName:
        model.producer = text(f, top.key('producer_name'));
        break;
      case Model.graph:
        graphBytes = lengthDelimited(f, top);
        break;
      case Model.opsetImport: {
        const at = top.key('opset_import');
        let domain = '';
        let version = 0;
        forEachField(lengthDelimited(f, at), at, (o) => {
          if (o.number === OpsetId.domain) domain = text(o, at);
          else if (o.number === OpsetId.version) version = int64(o, at);
        });
        model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        break;
      }
      case Model.metadataProps: {
        const at = top.key('metadata_props');
        let key = '';
        let value = '';
        forEachField(lengthDelimited(f, at), at, (e) => {
          if (e.number === StringEntry.key) key = text(e, at);
          else if (e.number === StringEntry.value) value = decodeUtf8(lengthDelimited(e, at), at);
        });
        if (model.metadata.size >= MAX_ENTRIES) at.error(`more than ${MAX_ENTRIES} entries`);
        model.metadata.set(key, value);
        break;
      }
    }
  });
  if (!graphBytes) return top.error('no graph: not an ONNX model file');
  const at = top.key('graph');
  const g = model.graph;
  forEachField(graphBytes, at, (f) => {
    switch (f.number) {
      case Graph.node:
        if (g.nodes.length >= MAX_ENTRIES) at.error(`more than ${MAX_ENTRIES} nodes`);
        g.nodes.push(node(lengthDelimited(f, at), g.nodes.length, at.key('node').index(g.nodes.length)));
        break;
      case Graph.name:
        g.name = text(f, at.key('name'));
        break;
      case Graph.initializer: {
        if (g.initializers.size >= MAX_ENTRIES) at.error(`more than ${MAX_ENTRIES} initializers`);
        const t = tensorInfo(lengthDelimited(f, at), at.key('initializer'));
        if (g.initializers.has(t.name)) at.key('initializer').error(`two initializers named ${JSON.stringify(t.name)}`);
        g.initializers.set(t.name, t);
        break;
      }
      case Graph.input:
        if (g.inputs.length >= MAX_ENTRIES) at.error(`more than ${MAX_ENTRIES} inputs`);
        g.inputs.push(valueInfo(lengthDelimited(f, at), at.key('input')));
        break;
      case Graph.output:
        if (g.outputs.length >= MAX_ENTRIES) at.error(`more than ${MAX_ENTRIES} outputs`);
        g.outputs.push(valueInfo(lengthDelimited(f, at), at.key('output')));
        break;
      case Graph.sparseInitializer:
        g.hasSparseInitializers = true;
        break;
    }
  });
  return model;
}

/**
 * An initializer's values as float32 (FLOAT or DOUBLE; from raw_data, float_data or double_data). The element
 * count is checked against the bytes present before anything is allocated.
 */
export function readFloatTensor(t: OnnxTensorInfo, budget: AllocationBudget, at: Where): Float32Array {
  const name = JSON.stringify(t.name);
  if (t.external) at.error(`initializer ${name} keeps its data in an external file, which neurite does not read (save the model with its weights inside)`);
  if (t.dataType !== DataType.FLOAT && t.dataType !== DataType.DOUBLE) {
    at.error(`initializer ${name} is ${dataTypeName(t.dataType)}; neurite reads FLOAT or DOUBLE weights`);
  }
  let count = 1;
  for (const d of t.dims) {
    if (d < 0 || d > MAX_DIM) at.error(`initializer ${name} has dimension ${d}`);
    count *= d;
    if (count > t.message.length) at.error(`initializer ${name} of shape [${t.dims.join(', ')}] holds more values than its ${t.message.length} bytes can`);
  }
  const width = t.dataType === DataType.FLOAT ? 4 : 8;
  // First pass: where the values are. Exactly one of raw_data and float_data / double_data may hold them.
  let raw: Uint8Array | undefined;
  const runs: ProtoField[] = [];
  let listed = 0;
  const listField = t.dataType === DataType.FLOAT ? Tensor.floatData : Tensor.doubleData;
  forEachField(t.message, at, (f) => {
    if (f.number === Tensor.rawData) raw = lengthDelimited(f, at);
    else if (f.number === listField) {
      const fixed = t.dataType === DataType.FLOAT ? WireType.FIXED32 : WireType.FIXED64;
      if (f.wire === fixed) listed += 1;
      else if (f.wire === WireType.LENGTH_DELIMITED) {
        if (f.bytes.length % width !== 0) at.error(`initializer ${name}: packed values of ${f.bytes.length} bytes are not a whole number of ${width}-byte values`);
        listed += f.bytes.length / width;
      } else at.error(`initializer ${name}: values with wire type ${f.wire}`);
      runs.push(f);
    }
  });
  if (raw && runs.length > 0) at.error(`initializer ${name} has both raw_data and listed values`);
  const format = width === 4 ? 'F32' : 'F64';
  if (raw) {
    if (raw.length !== count * width) at.error(`initializer ${name}: raw_data has ${raw.length} bytes, shape [${t.dims.join(', ')}] needs ${count * width}`);
    budget.take(count * 4, `initializer ${name}`);
    return decodeFloats(raw, 0, count, format);
  }
  if (listed !== count) at.error(`initializer ${name} lists ${listed} values, shape [${t.dims.join(', ')}] needs ${count}`);
  budget.take(count * 4, `initializer ${name}`);
  const out = new Float32Array(count);
  let k = 0;
  for (const f of runs) {
    const n = f.bytes.length / width;
    decodeFloats(f.bytes, 0, n, format, { out, offset: k });
    k += n;
  }
  return out;
}
