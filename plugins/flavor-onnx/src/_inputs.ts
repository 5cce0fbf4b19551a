import { BadInputError, ModelFormatError, previewName, type Frame, type ModelInput, type Tensor as InputTensor } from '@git-ml/models';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildable, toTensor, type GraphInput, type Writable } from './_to-tensor.js';

type Feeds = Record<string, Tensor>;

/** Buffers above this many elements are not kept for reuse. */
const SPARE_LIMIT = 1 << 20;

/** Turns git-ml's ModelInput into onnxruntime feeds for one session's inputs (checked once, at load). */
export class InputPlan {
  readonly inputs: GraphInput[];
  /**
   * One idle input buffer per input, reused by the next call of the same size: allocating a typed
   * array costs as much as filling it. A buffer is only handed out when idle, so concurrent calls
   * never share one.
   */
  private readonly spare = new Map<string, Writable>();

  constructor(metadata: readonly InferenceSession.ValueMetadata[]) {
    this.inputs = metadata.map((m) => {
      if (!m.isTensor) throw new ModelFormatError(`ONNX input '${m.name}' is a sequence or map; onnxruntime-node only feeds tensors, so this model cannot be loaded here.`, { input: m.name });
      if (!buildable(m.type)) throw new ModelFormatError(`ONNX input '${m.name}' has element type ${m.type}, which git-ml cannot build from JSON numbers.`, { input: m.name });
      return { name: m.name, type: m.type, shape: [...m.shape] };
    });
  }

  feeds(input: ModelInput): Feeds {
    return input.kind === 'frame' ? this.fromFrame(input.frame) : this.fromTensors(input.tensors);
  }

  /** Gives the feeds' buffers back once onnxruntime is done with them. */
  recycle(feeds: Feeds): void {
    for (const name in feeds) {
      const data = feeds[name].data as Writable;
      if (ArrayBuffer.isView(data) && data.length <= SPARE_LIMIT) this.spare.set(name, data);
    }
  }

  private take(name: string): Writable | null {
    const s = this.spare.get(name) ?? null;
    if (s) this.spare.delete(name);
    return s;
  }

  /** One input: rows become a [rows, columns] tensor. Several: each input is the column of that name. */
  private fromFrame(frame: Frame): Feeds {
    const rows = frame.data.length;
    if (this.inputs.length === 1) {
      const input = this.inputs[0];
      const width = frame.columns.length || (frame.data[0]?.length ?? 0);
      const shape = input.shape.length === 1 && width === 1 ? [rows] : [rows, width];
      checkShape(input, shape);
      return { [input.name]: toTensor(input, shape, { rows: frame.data, column: null, columns: frame.columns }, this.take(input.name)) };
    }
    const feeds: Feeds = {};
    const missing = this.inputs.filter((x) => !frame.columns.includes(x.name)).map((x) => x.name);
    if (missing.length) throw new BadInputError(`missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}: this ONNX model takes inputs ${this.inputs.map((x) => `'${x.name}'`).join(', ')}, one column each.`, { missing });
    for (const input of this.inputs) {
      const j = frame.columns.indexOf(input.name);
      const shape = input.shape.length === 1 ? [rows] : [rows, 1];
      checkShape(input, shape);
      feeds[input.name] = toTensor(input, shape, { rows: frame.data, column: j, columns: frame.columns }, this.take(input.name));
    }
    return feeds;
  }

  /** Tensors by input name; a single tensor goes to a single-input model whatever its name. */
  private fromTensors(tensors: Record<string, InputTensor>): Feeds {
    const given = Object.keys(tensors);
    const names = this.inputs.map((x) => x.name);
    if (given.length === 1 && this.inputs.length === 1) return { [names[0]]: this.fromTensor(this.inputs[0], tensors[given[0]]) };
    const unknown = given.filter((g) => !names.includes(g));
    const missing = names.filter((n) => !given.includes(n));
    if (unknown.length || missing.length) {
      throw new BadInputError(`this ONNX model takes tensors ${names.map((n) => `'${n}'`).join(', ')}${missing.length ? `; missing ${missing.map((m) => `'${m}'`).join(', ')}` : ''}${unknown.length ? `; unknown ${previewName(unknown.map((u) => `'${u}'`).join(', '))}` : ''}.`, { missing, unknown: unknown.slice(0, 10).map(previewName) });
    }
    return Object.fromEntries(this.inputs.map((input) => [input.name, this.fromTensor(input, tensors[input.name])]));
  }

  private fromTensor(input: GraphInput, t: InputTensor): Tensor {
    checkShape(input, t.shape);
    if (!Array.isArray(t.data) || t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
      throw new BadInputError(`tensor for ONNX input '${input.name}' has ${Array.isArray(t.data) ? t.data.length : 'no'} values; shape [${t.shape.join(', ')}] needs ${t.shape.reduce((a, b) => a * b, 1)}.`, { input: input.name });
    }
    return toTensor(input, t.shape, { flat: t.data }, this.take(input.name));
  }
}

function checkShape(input: GraphInput, shape: number[]): void {
  const want = input.shape;
  const bad = want.length !== shape.length || want.some((d, i) => typeof d === 'number' && d !== shape[i]);
  if (bad) {
    throw new BadInputError(`ONNX input '${input.name}' takes shape [${want.map((d) => (typeof d === 'number' ? d : '?')).join(', ')}] (? = any); got [${shape.join(', ')}].`, { input: input.name, shape, expected: want });
  }
}
