/**
 * Field numbers of onnx/onnx.proto, for the ONNX writer (onnx.ts) and reader (onnx-read.ts): one table, so the two
 * cannot disagree. Only the fields neurite writes or reads are listed.
 */
export const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
export const OpsetId = { domain: 1, version: 2 } as const;
export const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
export const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
export const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 } as const;
/** AttributeProto.AttributeType */
export const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;
export const Tensor = { dims: 1, dataType: 2, segment: 3, floatData: 4, name: 8, rawData: 9, doubleData: 10, externalData: 13, dataLocation: 14 } as const;
export const ValueInfo = { name: 1, type: 2 } as const;
export const TypeProto = { tensorType: 1 } as const;
export const TypeTensor = { elemType: 1, shape: 2 } as const;
export const Shape = { dim: 1 } as const;
export const Dimension = { dimValue: 1, dimParam: 2 } as const;
export const StringEntry = { key: 1, value: 2 } as const;
/** TensorProto.DataType values neurite writes or reads as weights. */
export const DataType = { FLOAT: 1, DOUBLE: 11 } as const;
