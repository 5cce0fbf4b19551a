import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readOnnxGraph } from './_onnx-graph.js';

/** What the ONNX flavor saves: the serialized ModelProto, bare or with the onnx package version that made it. */
export type OnnxModel = Uint8Array | { onnx: Uint8Array; onnxVersion?: string };

export const MODEL_FILE = 'model.onnx';

function bytesOf(model: unknown): Uint8Array | null {
  if (model instanceof Uint8Array) return model;
  if (model && typeof model === 'object' && (model as { onnx?: unknown }).onnx instanceof Uint8Array) return (model as { onnx: Uint8Array }).onnx;
  return null;
}

/** Whether `model` is ONNX bytes (or `{ onnx: bytes }`) that parse as a ModelProto with a graph. */
export function isOnnxModel(model: unknown): model is OnnxModel {
  const bytes = bytesOf(model);
  if (!bytes) return false;
  try {
    readOnnxGraph(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `model.onnx` and returns MLflow's `onnx` flavor entry (MLflow's layout, so Python's
 * `mlflow.onnx.load_model` can read the directory). `onnx_version` is only recorded when the caller knows it.
 */
export async function saveOnnx(model: OnnxModel, dir: string): Promise<Record<string, unknown>> {
  const bytes = bytesOf(model);
  if (!bytes) throw new TypeError('The ONNX flavor saves a serialized ONNX model: pass its bytes (Uint8Array/Buffer) or { onnx: bytes }.');
  let graph;
  try {
    graph = readOnnxGraph(bytes);
  } catch (err) {
    throw new TypeError(`These bytes are not an ONNX model (${(err as Error).message}); pass the serialized ModelProto (model.SerializeToString() in Python).`, { cause: err });
  }
  await writeFile(join(dir, MODEL_FILE), bytes);
  const version = !(model instanceof Uint8Array) ? model.onnxVersion : undefined;
  return {
    code: null,
    data: MODEL_FILE,
    ...(version ? { onnx_version: version } : {}),
    onnx_ir_version: graph.irVersion,
    onnx_opsets: Object.fromEntries(graph.opsets.map((o) => [o.domain || 'ai.onnx', o.version])),
    onnx_session_options: null,
    providers: ['CPUExecutionProvider'],
  };
}
