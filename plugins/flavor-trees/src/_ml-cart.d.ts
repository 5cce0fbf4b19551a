// ml-cart ships no type declarations; these cover the parts git-ml uses.
declare module 'ml-cart' {
  export interface CartNode {
    splitColumn?: number;
    splitValue?: number;
    left?: CartNode;
    right?: CartNode;
    /** A class-frequency row vector (classifier) or the mean target (regression) at a leaf. */
    distribution?: number | { to1DArray(): number[] };
  }
  export interface CartOptions {
    gainFunction?: 'gini' | 'regression';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    root: CartNode;
    train(X: number[][], y: number[]): void;
    predict(X: number[][]): number[];
  }
  export class DecisionTreeRegression {
    constructor(options?: CartOptions);
    root: CartNode;
    train(X: number[][], y: number[]): void;
    predict(X: number[][]): number[];
  }
}
