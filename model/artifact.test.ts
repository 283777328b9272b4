import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxTreeDepth, predictMany, treeDepth } from './artifact';
import { predictGbm, type TreeArrays } from './gbm';

const featureCount = 5;

/** A random tree of at most `depth` levels, built node by node as the trainer lays it out (children after parents). */
function treeArbitrary(depth: number): fc.Arbitrary<TreeArrays> {
  type Node = { leaf: true; value: number } | { leaf: false; feature: number; threshold: number; missingLeft: 0 | 1; left: Node; right: Node };
  const node: fc.Memo<Node> = fc.memo((level) =>
    level <= 1 || depth === 0
      ? fc.record({ leaf: fc.constant(true as const), value: fc.double({ min: -100, max: 100, noNaN: true }) })
      : fc.oneof(
          { weight: 1, arbitrary: fc.record({ leaf: fc.constant(true as const), value: fc.double({ min: -100, max: 100, noNaN: true }) }) },
          {
            weight: 3,
            arbitrary: fc.record({
              leaf: fc.constant(false as const),
              feature: fc.integer({ min: 0, max: featureCount - 1 }),
              threshold: fc.constantFrom(-1, 0, 0.5, 1, 2),
              missingLeft: fc.constantFrom(0 as const, 1 as const),
              left: node(level - 1),
              right: node(level - 1),
            }),
          },
        ),
  );
  return node(depth + 1).map((root) => {
    const tree = { feature: [] as number[], threshold: [] as number[], left: [] as number[], right: [] as number[], missingLeft: [] as number[], value: [] as number[] };
    const add = (n: Node): number => {
      const at = tree.feature.length;
      tree.feature.push(n.leaf ? -1 : n.feature);
      tree.threshold.push(n.leaf ? 0 : n.threshold);
      tree.missingLeft.push(n.leaf ? 0 : n.missingLeft);
      tree.value.push(n.leaf ? n.value : 0);
      tree.left.push(-1);
      tree.right.push(-1);
      if (!n.leaf) {
        tree.left[at] = add(n.left);
        tree.right[at] = add(n.right);
      }
      return at;
    };
    add(root);
    return tree;
  });
}

const forest = fc.record({ baseScore: fc.double({ min: -10, max: 10, noNaN: true }), trees: fc.array(treeArbitrary(4), { minLength: 1, maxLength: 6 }) });
const vector = fc.array(fc.oneof(fc.constantFrom(-1, 0, 0.5, 1, 2, Number.NaN), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: featureCount, maxLength: featureCount });

describe('the compiled forest', () => {
  it('predicts what walking each tree predicts, for every forest and input, missing values included', () => {
    fc.assert(
      fc.property(forest, fc.array(vector, { minLength: 1, maxLength: 8 }), (model, xs) => {
        const compiled = predictMany(model, xs);
        xs.forEach((x, i) => expect(compiled[i]).toBeCloseTo(predictGbm(model, x), 9));
      }),
      { numRuns: 1000 },
    );
  });

  it('measures depth as the longest path to a leaf', () => {
    const leaf: TreeArrays = { feature: [-1], threshold: [0], left: [-1], right: [-1], missingLeft: [0], value: [3] };
    expect(treeDepth(leaf)).toBe(0);
    const lopsided: TreeArrays = { feature: [0, -1, 1, -1, -1], threshold: [0, 0, 0, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1], missingLeft: [1, 0, 0, 0, 0], value: [0, 1, 0, 2, 3] };
    expect(treeDepth(lopsided)).toBe(2);
    expect(maxTreeDepth).toBeGreaterThanOrEqual(4);
  });
});
