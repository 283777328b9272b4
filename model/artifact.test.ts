import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';
import { maxTreeDepth, parseArtifact, predictInputs, predictMany, treeDepth } from './artifact';
import { predictGbm, type TreeArrays } from './gbm';
import { trainIbuModel } from './train';

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

describe('a hop-bill model asked without a hop bill', () => {
  const rows = catalogue
    .map((b) => cleanedRowOf(b, new Date(0)))
    .filter((b) => b.ibu !== null)
    .map((b) => ({ ...b, ibu: b.ibu! }));
  const model = trainIbuModel(rows, { featureSet: 'hops' });
  const base = trainIbuModel(rows, { featureSet: 'base' });

  it('answers with the base model trained beside it; with a bill (even an empty one), with the hop model', () => {
    const beers = rows.slice(0, 40);
    const withoutBill = beers.map(({ hops: _h, ...b }) => b);
    expect(Array.from(predictInputs(model, withoutBill))).toEqual(Array.from(predictInputs(base, beers)));
    expect(Array.from(predictInputs(model, beers.map((b) => ({ ...b, hops: null }))))).toEqual(Array.from(predictInputs(base, beers)));
    const { withoutHops: _w, ...hopsOnly } = model;
    expect(Array.from(predictInputs(model, beers))).toEqual(Array.from(predictInputs(hopsOnly, beers)));
    const emptyBill = beers.map((b) => ({ ...b, hops: [] }));
    expect(Array.from(predictInputs(model, emptyBill))).toEqual(Array.from(predictInputs(hopsOnly, emptyBill)));
  });

  it('survives the artifact file, and a base model carrying one is refused', () => {
    const loaded = parseArtifact(JSON.parse(JSON.stringify(model)), 'model.json');
    expect(loaded.withoutHops?.featureSet).toBe('base');
    expect(() => parseArtifact(JSON.parse(JSON.stringify({ ...base, withoutHops: base })), 'model.json')).toThrow(/withoutHops: only a hops model/);
    expect(() => parseArtifact(JSON.parse(JSON.stringify({ ...model, withoutHops: model.withoutHops && { ...model.withoutHops, trees: [] } })), 'model.json')).toThrow(/model.json withoutHops: .*trees/);
  });
});
