import { BYTES, FIXED32, ProtoReader, bytesField, message, varintField } from './_protobuf.js';

// Field numbers from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto).
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 };
const OPSET = { domain: 1, version: 2 };
const GRAPH = { node: 1, output: 12 };
const NODE = { input: 1, output: 2, opType: 4, attribute: 5, domain: 7 };
const ATTR = { name: 1, f: 2, i: 3, s: 4, floats: 7, ints: 8, strings: 9 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensorType: 1 };
const TENSOR_TYPE = { elemType: 1 };

export interface OnnxAttribute {
  f?: number;
  i?: bigint;
  s?: string;
  floats: number[];
  ints: bigint[];
  strings: string[];
}

export interface OnnxNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttribute>;
}

/** What the flavor needs to know about a graph beyond what onnxruntime reports. */
export interface OnnxGraphInfo {
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  nodes: OnnxNode[];
  outputs: string[];
}

/** Reads the top of an ONNX ModelProto: IR version, opsets, the main graph's nodes and outputs. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraphInfo {
  const info: OnnxGraphInfo = { irVersion: 0, producer: '', opsets: [], nodes: [], outputs: [] };
  let hasGraph = false;
  let producerVersion = '';
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === MODEL.irVersion && wire === 0) info.irVersion = Number(r.varint());
    else if (field === MODEL.producerName && wire === BYTES) info.producer = r.string();
    else if (field === MODEL.producerVersion && wire === BYTES) producerVersion = r.string();
    else if (field === MODEL.opsetImport && wire === BYTES) info.opsets.push(readOpset(r.bytes()));
    else if (field === MODEL.graph && wire === BYTES) {
      hasGraph = true;
      readGraph(r.bytes(), info);
    } else r.skip(wire);
  }
  if (!hasGraph || info.irVersion === 0) throw new RangeError('not an ONNX model (no ir_version or graph)');
  if (producerVersion) info.producer += ` ${producerVersion}`;
  return info;
}

function readOpset(bytes: Uint8Array): { domain: string; version: number } {
  const r = new ProtoReader(bytes);
  const out = { domain: '', version: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === OPSET.domain && wire === BYTES) out.domain = r.string();
    else if (field === OPSET.version && wire === 0) out.version = Number(r.varint());
    else r.skip(wire);
  }
  return out;
}

function readGraph(bytes: Uint8Array, info: OnnxGraphInfo): void {
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === GRAPH.node && wire === BYTES) info.nodes.push(readNode(r.bytes()));
    else if (field === GRAPH.output && wire === BYTES) info.outputs.push(readValueInfoName(r.bytes()));
    else r.skip(wire);
  }
}

function readNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = { opType: '', domain: '', inputs: [], outputs: [], attrs: new Map() };
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== BYTES) r.skip(wire);
    else if (field === NODE.input) node.inputs.push(r.string());
    else if (field === NODE.output) node.outputs.push(r.string());
    else if (field === NODE.opType) node.opType = r.string();
    else if (field === NODE.domain) node.domain = r.string();
    else if (field === NODE.attribute) {
      const [name, attr] = readAttribute(r.bytes());
      node.attrs.set(name, attr);
    } else r.skip(wire);
  }
  return node;
}

function readAttribute(bytes: Uint8Array): [string, OnnxAttribute] {
  const attr: OnnxAttribute = { floats: [], ints: [], strings: [] };
  let name = '';
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === ATTR.name && wire === BYTES) name = r.string();
    else if (field === ATTR.f && wire === FIXED32) attr.f = r.float();
    else if (field === ATTR.i && wire === 0) attr.i = r.varint();
    else if (field === ATTR.s && wire === BYTES) attr.s = r.string();
    else if (field === ATTR.floats) r.floats(wire, attr.floats);
    else if (field === ATTR.ints) r.int64s(wire, attr.ints);
    else if (field === ATTR.strings && wire === BYTES) attr.strings.push(r.string());
    else r.skip(wire);
  }
  return [name, attr];
}

function readValueInfoName(bytes: Uint8Array): string {
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === VALUE_INFO.name && wire === BYTES) return r.string();
    r.skip(wire);
  }
  return '';
}

/** ONNX TensorProto.DataType codes for the element types used here. */
export const ELEM_TYPE = { float: 1, int64: 7, string: 8, double: 11 } as const;

/**
 * The model with more graph outputs. Protobuf merges a repeated occurrence of a message field into
 * the first, so appending a second `graph` field that only lists outputs adds them to the graph
 * without re-encoding (and without touching initializers, which may be large).
 */
export function withExtraOutputs(model: Uint8Array, outputs: { name: string; elemType: number }[]): Uint8Array {
  const infos = outputs.map((o) =>
    bytesField(GRAPH.output, message(bytesField(VALUE_INFO.name, o.name), bytesField(VALUE_INFO.type, bytesField(TYPE.tensorType, varintField(TENSOR_TYPE.elemType, o.elemType))))),
  );
  return message(model, bytesField(MODEL.graph, message(...infos)));
}
