import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { boilMinutes } from '../glue/hops';
import { cleanBeer } from '../lambdas/transform/clean-beer';
import { predictInputs } from './artifact';
import { featureVector, type FeatureInput } from './features';
import { hopAlphaPercent, unknownHopAlphaPercent } from './hop-alpha-acids';
import { trainIbuModel } from './train';

/** Every name Object.prototype answers to, the names a plain-object table would find there. */
const prototypeNames = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', 'toJSON'];
const unknownName = 'no such hop variety';

const beer = (name: string): FeatureInput => ({
  abv: 6.5, target_fg: 1012, target_og: 1062, ebc: 20, srm: 10, ph: 4.4, volume_litres: 20,
  hops: [{ name, grams: 50, add: 'start', attribute: 'bitter' }],
});

/** Any string, weighted towards Object.prototype's own keys in any case and padding. */
const hopName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...prototypeNames).chain((n) => fc.constantFrom(n, n.toUpperCase(), ` ${n} `)) },
  { weight: 3, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
);

describe('hop names that are Object.prototype keys', () => {
  it.each(prototypeNames)('%s has the alpha acids of an unknown hop', (name) => {
    expect(hopAlphaPercent(name)).toBe(unknownHopAlphaPercent);
  });

  it('any string as a hop name gives the same features as an unknown hop, unless the table or the adjunct list knows it', () => {
    const unknownFeatures = featureVector(beer(unknownName), 'hops');
    fc.assert(
      fc.property(hopName, (name) => {
        const alpha = hopAlphaPercent(name);
        expect(typeof alpha).toBe('number');
        // A known variety or an adjunct (coffee, lactose, …) has its own alpha; an empty name is no variety at all.
        if (alpha !== unknownHopAlphaPercent || name === '') return;
        expect([...featureVector(beer(name), 'hops')]).toEqual([...unknownFeatures]);
      }),
      { numRuns: 2000 },
    );
  });

  it('a trained hop model predicts the same IBU for them as for an unknown hop', () => {
    const raw = createRequire(import.meta.url)('punkapi-db/data.json') as unknown[];
    const rows = raw.flatMap((r, id) => {
      const cleaned = cleanBeer(r, new Date('2025-01-01T00:00:00Z'));
      return cleaned.ok && cleaned.beer.ibu !== null ? [{ ...cleaned.beer, id, ibu: cleaned.beer.ibu }] : [];
    });
    const model = trainIbuModel(rows, { featureSet: 'hops', params: { trees: 20 } });
    const [unknown] = predictInputs(model, [beer(unknownName)]);
    const predicted = predictInputs(model, prototypeNames.map(beer));
    expect([...predicted]).toEqual(prototypeNames.map(() => unknown));
  });

  it('a stage read back from the lake as any text never finds Object.prototype', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...prototypeNames), fc.string()), (stage) => {
        const minutes = boilMinutes({ add: 'start', stage });
        expect(Number.isFinite(minutes)).toBe(true);
        expect(minutes).toBe(['middle', 'end', 'dry_hop', 'other'].includes(stage) ? boilMinutes({ add: null, stage }) : 60);
      }),
    );
  });
});
