import { ModelFormatError, type Prediction } from '@git-ml/models';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ELEM_TYPE, type OnnxGraphInfo, type OnnxNode } from './_onnx-graph.js';

type Label = number | string;

interface PlannedOutput {
  /** the graph output's name, as returned to the caller */
  name: string;
  /** the tensor fetched for it: the output itself, or the input of the ZipMap that makes it */
  source: string;
  /** for a ZipMap output: the map keys, one per column of `source` */
  zipmap?: Label[];
}

/** What to fetch from a session and how to turn the tensors into git-ml's prediction. */
export interface OutputPlan {
  fetch: string[];
  outputs: PlannedOutput[];
  /** non-tensor outputs that cannot be returned (onnxruntime-node only returns tensors) */
  dropped: string[];
  /** binary tree-ensemble classifiers: labels are derived from the probabilities (see README) */
  labelRule: { label: string; probabilities: string; classes: Label[] } | null;
}

const PROBABILITY_NAMES = ['probabilities', 'output_probability', 'probability'];

/** A classifier's or ZipMap's class labels (ONNX-ML names them classlabels_int64s, _ints or _strings). */
function classLabels(node: OnnxNode): Label[] | null {
  const ints = node.attrs.get('classlabels_int64s')?.ints ?? node.attrs.get('classlabels_ints')?.ints ?? [];
  const strings = node.attrs.get('classlabels_strings')?.strings ?? [];
  if (ints.length) return ints.map(Number);
  return strings.length ? strings : null;
}

/**
 * Inputs of ZipMaps that make graph outputs, when they are not graph outputs themselves: the model
 * is loaded with them added as outputs, so the maps can be rebuilt from them.
 */
export function hiddenZipmapInputs(graph: OnnxGraphInfo): { name: string; elemType: number }[] {
  const outputs = new Set(graph.outputs);
  return graph.nodes
    .filter((n) => n.opType === 'ZipMap' && outputs.has(n.outputs[0]) && !outputs.has(n.inputs[0]))
    .map((n) => ({ name: n.inputs[0], elemType: ELEM_TYPE.float }));
}

/**
 * Plans the outputs of a session (`metadata`: the graph's own outputs). Sequence-of-map outputs made
 * by a ZipMap (skl2onnx's `output_probability`) are rebuilt from the ZipMap's float input, because
 * onnxruntime-node cannot return non-tensor values; other non-tensor outputs are dropped.
 */
export function planOutputs(metadata: readonly InferenceSession.ValueMetadata[], graph: OnnxGraphInfo): OutputPlan {
  const plan: OutputPlan = { fetch: [], outputs: [], dropped: [], labelRule: null };
  for (const m of metadata) {
    if (m.isTensor) {
      plan.outputs.push({ name: m.name, source: m.name });
      plan.fetch.push(m.name);
      continue;
    }
    const zip = graph.nodes.find((n) => n.opType === 'ZipMap' && n.outputs[0] === m.name);
    const keys = zip && classLabels(zip);
    if (!zip || !keys) {
      plan.dropped.push(m.name);
      continue;
    }
    const source = zip.inputs[0];
    plan.outputs.push({ name: m.name, source, zipmap: keys });
    if (!plan.fetch.includes(source)) plan.fetch.push(source);
  }
  if (plan.outputs.length === 0) {
    throw new ModelFormatError(`This ONNX model has no output git-ml can return: ${plan.dropped.join(', ')} ${plan.dropped.length > 1 ? 'are' : 'is'} not a tensor, and onnxruntime-node only returns tensors.`, { outputs: plan.dropped });
  }
  plan.labelRule = labelRule(plan, metadata, graph);
  return plan;
}

function labelRule(plan: OutputPlan, metadata: readonly InferenceSession.ValueMetadata[], graph: OnnxGraphInfo): OutputPlan['labelRule'] {
  const tree = graph.nodes.find((n) => n.opType === 'TreeEnsembleClassifier' && n.domain === 'ai.onnx.ml');
  const classes = tree && classLabels(tree);
  if (!tree || !classes || classes.length !== 2) return null;
  if (!metadata.some((m) => m.name === 'label' && m.isTensor)) return null;
  const probs =
    plan.outputs.find((o) => o.zipmap)?.source ??
    metadata.find((m) => m.isTensor && m.name !== 'label' && (PROBABILITY_NAMES.includes(m.name) || m.name === tree.outputs[1]))?.name;
  return probs ? { label: 'label', probabilities: probs, classes } : null;
}

/** The prediction: one output → its array (one entry per row); several → `{ name: array }`. */
export function toPrediction(plan: OutputPlan, results: Record<string, Tensor>, squeeze: boolean): Prediction {
  const rule = plan.labelRule;
  const out: Record<string, unknown[]> = {};
  for (const o of plan.outputs) {
    const t = results[o.source];
    if (o.zipmap) out[o.name] = zipmapRows(t, o.zipmap);
    else if (rule && o.name === rule.label) out[o.name] = labelsFromProbabilities(results[rule.probabilities], rule.classes) ?? rows(t, squeeze);
    else out[o.name] = rows(t, squeeze);
  }
  return plan.outputs.length === 1 ? out[plan.outputs[0].name] : out;
}

/** classes[argmax] per row; ties go to the first class, as numpy's argmax does. */
function labelsFromProbabilities(t: Tensor, classes: Label[]): Label[] | null {
  if (t.dims.length !== 2 || t.dims[1] !== 2) return null;
  const p = t.data as Float32Array;
  const out: Label[] = new Array(t.dims[0]);
  for (let i = 0; i < out.length; i++) out[i] = p[2 * i + 1] > p[2 * i] ? classes[1] : classes[0];
  return out;
}

function zipmapRows(t: Tensor, keys: Label[]): Record<string, number>[] {
  const p = t.data as Float32Array;
  const k = keys.length;
  const n = t.dims.length === 2 ? t.dims[0] : p.length / k;
  const out: Record<string, number>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, number> = {};
    for (let j = 0; j < k; j++) row[keys[j]] = p[i * k + j];
    out[i] = row;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The tensor's values as JS values: int64 → number (exact up to 2^53), bool → boolean. */
function values(t: Tensor): ArrayLike<unknown> {
  if (t.type === 'bool') return Array.from(t.data as Uint8Array, Boolean);
  if (t.type !== 'int64' && t.type !== 'uint64') return t.data as ArrayLike<unknown>;
  const big = t.data as BigInt64Array | BigUint64Array;
  const out = new Array<number>(big.length);
  // Number(bigint) is slow; two 32-bit halves give the same correctly rounded double.
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < big.length; i++) out[i] = Number(big[i]);
    return out;
  }
  const half = new Int32Array(big.buffer, big.byteOffset, big.length * 2);
  const signed = t.type === 'int64';
  for (let i = 0; i < big.length; i++) out[i] = (signed ? half[2 * i + 1] : half[2 * i + 1] >>> 0) * 4294967296 + (half[2 * i] >>> 0);
  return out;
}

/** Splits a tensor along its first dimension into plain JS values; `squeeze` turns [n, 1] into n scalars. */
export function rows(t: Tensor, squeeze: boolean): unknown[] {
  const v = values(t);
  const dims = t.dims;
  const slice = (from: number, to: number): unknown[] => {
    const a = new Array(to - from);
    for (let i = from; i < to; i++) a[i - from] = v[i];
    return a;
  };
  if (dims.length === 0) return slice(0, 1);
  if (dims.length === 1 || (squeeze && dims.length === 2 && dims[1] === 1)) return Array.isArray(v) ? v : slice(0, v.length);
  if (dims.length === 2) {
    // the common case (class probabilities, embeddings): one tight loop
    const [n, w] = dims;
    const out = new Array(n);
    for (let i = 0, k = 0; i < n; i++) {
      const row = new Array(w);
      for (let j = 0; j < w; j++) row[j] = v[k++];
      out[i] = row;
    }
    return out;
  }
  const nest = (from: number, d: number): unknown[] => {
    const size = dims[d];
    const out = new Array(size);
    let stride = 1;
    for (let j = d + 1; j < dims.length; j++) stride *= dims[j];
    for (let i = 0; i < size; i++) out[i] = d === dims.length - 1 ? v[from + i] : nest(from + i * stride, d + 1);
    return out;
  };
  return nest(0, 0);
}
