import type { FlatForest } from './flat-forest.js';

/**
 * Writes each split's mean impurity decrease into the forest's `gain` array: training rows are
 * routed through tree 0, and a split of `N` rows into `N_L` and `N_R` scores
 * `(N·I(node) − N_L·I(left) − N_R·I(right)) / n`, with Gini impurity for classes (targets are class
 * indices below `nClasses`) or variance for values (`nClasses` 0). Summed per feature, these are
 * scikit-learn's `feature_importances_` before normalisation.
 */
export function recordImpurityDecrease(forest: FlatForest, X: number[][], targets: number[], nClasses: number): void {
  const nodes = forest.feature.length;
  const width = nClasses > 0 ? nClasses : 2;
  const stats = new Float64Array(nodes * width);
  const count = new Float64Array(nodes);
  X.forEach((row, i) => {
    let node = forest.roots[0];
    for (;;) {
      count[node] += 1;
      if (nClasses > 0) stats[node * width + targets[i]] += 1;
      else {
        stats[node * width] += targets[i];
        stats[node * width + 1] += targets[i] * targets[i];
      }
      if (forest.feature[node] < 0) break;
      node = row[forest.feature[node]] < forest.threshold[node] ? forest.left[node] : forest.right[node];
    }
  });
  const weightedImpurity = (node: number): number => {
    const n = count[node];
    if (n === 0) return 0;
    if (nClasses === 0) return stats[node * width + 1] - stats[node * width] ** 2 / n;
    let sumSq = 0;
    for (let k = 0; k < width; k++) sumSq += stats[node * width + k] ** 2;
    return n - sumSq / n;
  };
  for (let node = 0; node < nodes; node++) {
    if (forest.feature[node] < 0) continue;
    const decrease = weightedImpurity(node) - weightedImpurity(forest.left[node]) - weightedImpurity(forest.right[node]);
    forest.gain[node] = Math.max(decrease, 0) / X.length;
  }
}
