// Hand-encodes tiny ONNX models (ModelProto bytes) for tests: there is no Python `onnx` package
// here, and onnxruntime only reads models. Field numbers are from onnx/onnx.proto.
import { bytesField, floatField, message, packedFloats, packedVarints, varintField } from '../src/_protobuf.js';

export const FLOAT = 1;
export const INT64 = 7;
export const STRING = 8;
export const DOUBLE = 11;

export type Attr = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { strings: string[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  attrs?: Record<string, Attr>;
}

/** A TypeProto: a tensor of `elemType` with `dims` (a string is a symbolic dimension). */
export function tensorType(elemType: number, dims: (number | string)[]): Uint8Array {
  const shape = message(...dims.map((d) => bytesField(1, typeof d === 'number' ? varintField(1, d) : bytesField(2, d))));
  return bytesField(1, message(varintField(1, elemType), bytesField(2, shape)));
}

/** A TypeProto: seq(map(key, float)) — what skl2onnx's ZipMap produces. */
export function seqMapType(keyType: number): Uint8Array {
  return bytesField(4, bytesField(1, bytesField(5, message(varintField(1, keyType), bytesField(2, tensorType(FLOAT, []))))));
}

/** A TypeProto: seq(tensor(float)), a non-tensor output that is not a ZipMap. */
export function seqTensorType(): Uint8Array {
  return bytesField(4, bytesField(1, tensorType(FLOAT, [])));
}

export interface ValueSpec {
  name: string;
  type: Uint8Array;
}

function attribute(name: string, a: Attr): Uint8Array {
  const head = bytesField(1, name);
  if ('i' in a) return message(head, varintField(3, a.i), varintField(20, 2));
  if ('f' in a) return message(head, floatField(2, a.f), varintField(20, 1));
  if ('s' in a) return message(head, bytesField(4, a.s), varintField(20, 3));
  if ('ints' in a) return message(head, packedVarints(8, a.ints), varintField(20, 7));
  if ('floats' in a) return message(head, packedFloats(7, a.floats), varintField(20, 6));
  return message(head, ...a.strings.map((s) => bytesField(9, s)), varintField(20, 8));
}

function node(n: NodeSpec, i: number): Uint8Array {
  return message(
    ...n.inputs.map((x) => bytesField(1, x)),
    ...n.outputs.map((x) => bytesField(2, x)),
    bytesField(3, `${n.op}_${i}`),
    bytesField(4, n.op),
    ...Object.entries(n.attrs ?? {}).map(([k, a]) => bytesField(5, attribute(k, a))),
    ...(n.domain ? [bytesField(7, n.domain)] : []),
  );
}

const valueInfo = (v: ValueSpec) => message(bytesField(1, v.name), bytesField(2, v.type));

/** A ModelProto with one graph (initializers: encoded TensorProtos); `opsets` maps an operator domain ('' = ai.onnx) to its version. */
export function buildModel(spec: { nodes: NodeSpec[]; inputs: ValueSpec[]; outputs: ValueSpec[]; opsets?: Record<string, number>; irVersion?: number; initializers?: Uint8Array[] }): Uint8Array {
  const graph = message(
    ...spec.nodes.map((n, i) => bytesField(1, node(n, i))),
    bytesField(2, 'test_graph'),
    ...(spec.initializers ?? []).map((t) => bytesField(5, t)),
    ...spec.inputs.map((v) => bytesField(11, valueInfo(v))),
    ...spec.outputs.map((v) => bytesField(12, valueInfo(v))),
  );
  const opsets = Object.entries(spec.opsets ?? { '': 13 }).map(([domain, version]) => bytesField(8, message(bytesField(1, domain), varintField(2, version))));
  return message(varintField(1, spec.irVersion ?? 8), bytesField(2, 'git-ml-test'), bytesField(3, '0'), bytesField(7, graph), ...opsets);
}
