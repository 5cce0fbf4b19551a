/** Least squares and ridge: exact recovery, the ridge closed form, collinearity, serialisation. */
import { describe, expect, it } from 'vitest';
import { RandomState } from '@git-ml/datasets';
import { fitLinearRegression, IllConditionedError, LinearRegressionModel } from '@git-ml/flavor-linear';

const rng = new RandomState(3);
const X = Array.from({ length: 200 }, () => [rng.standardNormal() * 3, rng.standardNormal() + 10, rng.uniform(-1, 1)]);
const truth = (r: number[]) => 2 * r[0] - 3 * r[1] + 0.5 * r[2] + 5;

describe('fitLinearRegression', () => {
  it('recovers an exact linear relation, intercept included', () => {
    const model = fitLinearRegression(X, X.map(truth));
    [2, -3, 0.5].forEach((c, j) => expect(model.coef[j]).toBeCloseTo(c, 10));
    expect(model.intercept).toBeCloseTo(5, 9);
    expect(model.history.train[0]).toBeLessThan(1e-18);
  });

  it('matches the ridge closed form (XcᵀXc + αI)⁻¹Xcᵀyc and leaves the intercept unpenalised', () => {
    const y = X.map((r) => truth(r) + rng.standardNormal());
    const alpha = 50;
    const model = fitLinearRegression(X, y, { alpha });
    const mean = [0, 1, 2].map((j) => X.reduce((s, r) => s + r[j], 0) / X.length);
    const yMean = y.reduce((a, b) => a + b, 0) / y.length;
    const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => X.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) + (a === b ? alpha : 0)));
    const rhs = [0, 1, 2].map((a) => X.reduce((s, r, i) => s + (r[a] - mean[a]) * (y[i] - yMean), 0));
    const w = solve3(A, rhs);
    w.forEach((c, j) => expect(model.coef[j]).toBeCloseTo(c, 9));
    expect(model.intercept).toBeCloseTo(yMean - w.reduce((s, c, j) => s + c * mean[j], 0), 9);
    expect(Math.abs(model.coef[0])).toBeLessThan(Math.abs(fitLinearRegression(X, y).coef[0]));
  });

  it('explains collinear features and is rescued by ridge', () => {
    const collinear = X.map((r) => [r[0], r[1], 2 * r[0] - r[1]]);
    const y = X.map(truth);
    expect(() => fitLinearRegression(collinear, y)).toThrow(IllConditionedError);
    expect(() => fitLinearRegression(collinear, y)).toThrow(/column 2 is constant or a linear combination.*alpha > 0/);
    expect(fitLinearRegression(collinear, y, { alpha: 1e-3 }).coef.every(Number.isFinite)).toBe(true);
  });

  it('fits through the origin when fitIntercept is false, and reports validation error', () => {
    const y = X.map((r) => 4 * r[0]);
    const model = fitLinearRegression(X, y, { fitIntercept: false, validation: { X: X.slice(0, 10), y: y.slice(0, 10) } });
    expect(model.intercept).toBe(0);
    expect(model.coef[0]).toBeCloseTo(4, 10);
    expect(model.history.validation![0]).toBeLessThan(1e-18);
  });

  it('round-trips through JSON text with identical predictions', () => {
    const model = fitLinearRegression(X, X.map(truth), { alpha: 0.1 });
    const copy = LinearRegressionModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(copy.predict(X)).toEqual(model.predict(X));
    expect(() => LinearRegressionModel.fromJSON({ ...model.toJSON(), coef: [1] })).toThrow(/coef must hold nFeatures/);
  });
});

function solve3(A: number[][], b: number[]): number[] {
  const det = (m: number[][]) =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const D = det(A);
  return [0, 1, 2].map((k) => det(A.map((row, i) => row.map((v, j) => (j === k ? b[i] : v)))) / D);
}
