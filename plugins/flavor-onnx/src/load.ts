import { readFile } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { ModelFormatError, type LoadContext, type ModelInput, type Prediction, type Predictor, type Signature } from '@git-ml/models';
import type { InferenceSession } from 'onnxruntime-node';
import { InputPlan } from './_inputs.js';
import { readOnnxGraph, withExtraOutputs, type OnnxGraphInfo } from './_onnx-graph.js';
import { hiddenZipmapInputs, planOutputs, toPrediction, type OutputPlan } from './_outputs.js';
import { openSession, sessionOptions } from './_session.js';

/** A loaded ONNX model: one onnxruntime session on the CPU, with its input and output plans. */
export class OnnxPredictor implements Predictor {
  constructor(
    readonly session: InferenceSession,
    private readonly inputs: InputPlan,
    private readonly plan: OutputPlan,
  ) {}

  /**
   * A single-input graph describes its input as a tensor (name, element type, shape with -1 for a
   * free dimension): without a signature in MLmodel, rows and `inputs`/`instances` then feed that
   * tensor, as MLflow's pyfunc does. Graphs with several inputs take one column per input instead.
   */
  get inputSignature(): Signature | undefined {
    if (this.inputs.inputs.length !== 1) return undefined;
    const input = this.inputs.inputs[0];
    return { inputs: [{ type: 'tensor', name: input.name, 'tensor-spec': { dtype: input.type, shape: input.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) } }] };
  }

  /** Graph outputs that cannot be returned (non-tensor values other than ZipMaps). */
  get droppedOutputs(): readonly string[] {
    return this.plan.dropped;
  }

  async predict(input: ModelInput): Promise<Prediction> {
    const feeds = this.inputs.feeds(input);
    const results = await this.session.run(feeds, this.plan.fetch);
    const prediction = toPrediction(this.plan, results, input.kind === 'frame');
    this.inputs.recycle(feeds);
    return prediction;
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

function invalid(message: string, data: Record<string, unknown>, cause?: unknown): ModelFormatError {
  const err = new ModelFormatError(message, data);
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** Loads `flavors.onnx.data` of a model directory (MLflow's layout, which git-ml also writes). */
export async function loadOnnx(ctx: LoadContext): Promise<OnnxPredictor> {
  const data = ctx.config.data;
  const mlmodel = join(ctx.dir, 'MLmodel');
  if (typeof data !== 'string' || !data) throw invalid(`${mlmodel}: flavors.onnx.data is missing; it names the model's .onnx file (MLflow writes model.onnx).`, { path: mlmodel, field: 'flavors.onnx.data' });
  const path = resolve(ctx.dir, data);
  const inside = relative(resolve(ctx.dir), path);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) throw invalid(`${mlmodel}: flavors.onnx.data '${data}' points outside the model directory.`, { path: mlmodel, field: 'flavors.onnx.data' });
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw invalid(`${path} not found: flavors.onnx.data in ${mlmodel} names a file that is not in the model directory.`, { path }, err);
  }
  let graph: OnnxGraphInfo;
  try {
    graph = readOnnxGraph(bytes);
  } catch (err) {
    throw invalid(`${path} is not an ONNX model (${(err as Error).message}).`, { path }, err);
  }
  const hidden = hiddenZipmapInputs(graph);
  let session: InferenceSession;
  try {
    session = await openSession(path, ctx.dir, sessionOptions(ctx.config), hidden.length ? withExtraOutputs(bytes, hidden) : undefined);
  } catch (err) {
    throw invalid(`onnxruntime cannot load ${path}: ${(err as Error).message}`, { path }, err);
  }
  try {
    const own = session.outputMetadata.filter((m) => !hidden.some((h) => h.name === m.name));
    return new OnnxPredictor(session, new InputPlan(session.inputMetadata), planOutputs(own, graph));
  } catch (err) {
    await session.release();
    throw err;
  }
}
