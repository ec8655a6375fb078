import { bytesField, concat, floatField, intField, messageField, stringField } from '../../src/io/protobuf.js';

/**
 * Hand-built ONNX files for the import tests: each field written from onnx.proto's field numbers, so a test can
 * make exactly the graph it needs (transB=0, alpha/beta, a branch, an unsupported op, a hostile dimension...).
 */

export interface Attr {
  name: string;
  i?: number;
  f?: number;
  s?: string;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Attr[];
  domain?: string;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  values: ArrayLike<number>;
  /** 'raw' (default), 'float_data' (packed), 'float_data_unpacked', 'double' (raw DOUBLE) */
  encoding?: 'raw' | 'float_data' | 'float_data_unpacked' | 'double';
  dataType?: number;
  external?: boolean;
}

export interface GraphSpec {
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  /** [name, dims] with a string for a symbolic dimension; dims undefined: no shape */
  inputs?: [string, (number | string)[] | undefined][];
  outputs?: [string, (number | string)[] | undefined][];
  opset?: number | null;
  name?: string;
  metadata?: Record<string, string>;
}

function attribute(a: Attr): Uint8Array {
  const parts = [stringField(1, a.name)];
  if (a.f !== undefined) parts.push(floatField(2, a.f), intField(20, 1));
  else if (a.s !== undefined) parts.push(stringField(4, a.s), intField(20, 3));
  else parts.push(intField(3, a.i ?? 0), intField(20, 2));
  return concat(parts);
}

export function nodeBytes(n: NodeSpec): Uint8Array {
  return concat([
    ...n.inputs.map((i) => stringField(1, i)),
    ...n.outputs.map((o) => stringField(2, o)),
    stringField(3, n.name ?? `${n.op.toLowerCase()}_node`),
    stringField(4, n.op),
    ...(n.attrs ?? []).map((a) => messageField(5, [attribute(a)])),
    ...(n.domain ? [stringField(7, n.domain)] : []),
  ]);
}

export function tensorBytes(t: TensorSpec): Uint8Array {
  const encoding = t.encoding ?? 'raw';
  const dataType = t.dataType ?? (encoding === 'double' ? 11 : 1);
  const parts = [...t.dims.map((d) => intField(1, d)), intField(2, dataType), stringField(8, t.name)];
  if (encoding === 'double') {
    const raw = new Uint8Array(8 * t.values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < t.values.length; i++) view.setFloat64(8 * i, t.values[i]!, true);
    parts.push(bytesField(9, raw));
  } else if (encoding === 'float_data_unpacked') {
    for (let i = 0; i < t.values.length; i++) parts.push(floatField(4, t.values[i]!));
  } else {
    const raw = new Uint8Array(4 * t.values.length);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < t.values.length; i++) view.setFloat32(4 * i, t.values[i]!, true);
    parts.push(bytesField(encoding === 'raw' ? 9 : 4, raw));
  }
  if (t.external) parts.push(intField(14, 1));
  return concat(parts);
}

function valueInfo(name: string, dims: (number | string)[] | undefined): Uint8Array {
  const tensorType = [intField(1, 1)];
  if (dims) tensorType.push(messageField(2, dims.map((d) => messageField(1, [typeof d === 'number' ? intField(1, d) : stringField(2, d)]))));
  return concat([stringField(1, name), messageField(2, [messageField(1, tensorType)])]);
}

export function onnxBytes(g: GraphSpec): Uint8Array {
  const graph = concat([
    ...g.nodes.map((n) => messageField(1, [nodeBytes(n)])),
    stringField(2, g.name ?? 'hand_built'),
    ...(g.initializers ?? []).map((t) => messageField(5, [tensorBytes(t)])),
    ...(g.inputs ?? [['x', ['batch', 4]]]).map(([n, d]) => messageField(11, [valueInfo(n, d)])),
    ...(g.outputs ?? [['y', ['batch', 3]]]).map(([n, d]) => messageField(12, [valueInfo(n, d)])),
  ]);
  const opset = g.opset === undefined ? 13 : g.opset;
  return concat([
    intField(1, 7),
    stringField(2, 'hand'),
    bytesField(7, graph),
    ...(opset === null ? [] : [messageField(8, [stringField(1, ''), intField(2, opset)])]),
    ...Object.entries(g.metadata ?? {}).map(([k, v]) => messageField(14, [stringField(1, k), stringField(2, v)])),
  ]);
}
