import { describe, it } from 'vitest';
import { conformanceSuite } from '@git-ml/models/conformance';
import { flavor, ruleModel } from 'git-ml-flavor-rules';

const model = ruleModel({ age: 0.1, income: 0.002 }, -5, 0);
const data = [
  [30, 1000],
  [60, 400],
  [20, 3000],
  [45, 200],
];

conformanceSuite(
  { describe, it },
  {
    flavor,
    cases: [
      {
        name: 'two numeric columns',
        model,
        input: { columns: ['age', 'income'], data },
        signature: {
          inputs: [
            { type: 'double', name: 'age', required: true },
            { type: 'double', name: 'income', required: true },
          ],
          outputs: [{ type: 'long', required: true }],
        },
        expected: data.map(([a, i]) => (0.1 * a + 0.002 * i - 5 >= 0 ? 1 : 0)),
      },
    ],
  },
);
