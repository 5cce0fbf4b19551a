import { IllConditionedError } from './errors.js';

/**
 * Solves `min ||A w - b||²` for a tall `rows × cols` matrix `A` (row-major) by Householder QR,
 * which avoids squaring the condition number as the normal equations would. Throws when `A` is
 * rank-deficient, naming the first column that depends on the ones before it.
 */
export function leastSquares(A: Float64Array, b: Float64Array, rows: number, cols: number): Float64Array {
  const R = Float64Array.from(A);
  const q = Float64Array.from(b);
  const diagonal = new Float64Array(cols);
  let scale = 0;
  for (const v of A) scale = Math.max(scale, Math.abs(v));
  const tiny = scale * Math.max(rows, cols) * Number.EPSILON * 16;

  for (let k = 0; k < cols; k++) {
    let norm = 0;
    for (let i = k; i < rows; i++) norm = Math.hypot(norm, R[i * cols + k]);
    if (norm <= tiny) {
      throw new IllConditionedError(
        `Feature column ${k} is constant or a linear combination of the columns before it, so least squares has no unique ` +
          'solution. Drop that column, or pass alpha > 0 (ridge) to regularise.',
        { column: k },
      );
    }
    const alpha = R[k * cols + k] > 0 ? -norm : norm;
    // v = x - alpha e1, stored in place below the diagonal; H = I - 2 v vᵀ / (vᵀ v).
    R[k * cols + k] -= alpha;
    let vtv = 0;
    for (let i = k; i < rows; i++) vtv += R[i * cols + k] ** 2;
    for (let j = k + 1; j < cols; j++) {
      let s = 0;
      for (let i = k; i < rows; i++) s += R[i * cols + k] * R[i * cols + j];
      const f = (2 * s) / vtv;
      for (let i = k; i < rows; i++) R[i * cols + j] -= f * R[i * cols + k];
    }
    let s = 0;
    for (let i = k; i < rows; i++) s += R[i * cols + k] * q[i];
    const f = (2 * s) / vtv;
    for (let i = k; i < rows; i++) q[i] -= f * R[i * cols + k];
    diagonal[k] = alpha;
  }

  const w = new Float64Array(cols);
  for (let k = cols - 1; k >= 0; k--) {
    let s = q[k];
    for (let j = k + 1; j < cols; j++) s -= R[k * cols + j] * w[j];
    w[k] = s / diagonal[k];
  }
  return w;
}
