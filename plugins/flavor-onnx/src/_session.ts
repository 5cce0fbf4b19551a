import { InferenceSession } from 'onnxruntime-node';

const OPTIMIZATION: Record<string, InferenceSession.SessionOptions['graphOptimizationLevel']> = {
  0: 'disabled',
  1: 'basic',
  2: 'extended',
  3: 'layout',
  99: 'all',
};

/**
 * onnxruntime SessionOptions from MLflow's `onnx_session_options` (the Python attribute names).
 * Only the CPU provider is used: MLflow's `providers` list (CUDA, TensorRT, …) is ignored because
 * onnxruntime-node here ships the CPU build, and CPU is MLflow's own fallback.
 */
export function sessionOptions(config: Record<string, unknown>): InferenceSession.SessionOptions {
  const options: InferenceSession.SessionOptions = { executionProviders: ['cpu'] };
  const given = config.onnx_session_options;
  if (!given || typeof given !== 'object') return options;
  const o = given as Record<string, unknown>;
  if (Number.isInteger(o.intra_op_num_threads)) options.intraOpNumThreads = o.intra_op_num_threads as number;
  if (Number.isInteger(o.inter_op_num_threads)) options.interOpNumThreads = o.inter_op_num_threads as number;
  const level = OPTIMIZATION[String(o.graph_optimization_level)];
  if (level) options.graphOptimizationLevel = level;
  const mode = String(o.execution_mode ?? '').toLowerCase();
  if (mode.includes('parallel')) options.executionMode = 'parallel';
  else if (mode.includes('sequential')) options.executionMode = 'sequential';
  if (typeof o.enable_cpu_mem_arena === 'boolean') options.enableCpuMemArena = o.enable_cpu_mem_arena;
  if (typeof o.enable_mem_pattern === 'boolean') options.enableMemPattern = o.enable_mem_pattern;
  return options;
}

/**
 * Opens a session from the file, or from edited bytes of it. From bytes, onnxruntime is told the
 * model's folder so that external-data initializers (models over 2 GB) are still found.
 */
export function openSession(path: string, dir: string, options: InferenceSession.SessionOptions, bytes?: Uint8Array): Promise<InferenceSession> {
  if (!bytes) return InferenceSession.create(path, options);
  return InferenceSession.create(bytes, { ...options, extra: { session: { model_external_initializers_file_folder_path: dir } } });
}
