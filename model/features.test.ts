import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hopStage } from '../glue/hops';
import { featureNames, featureVector, type FeatureInput, type HopInput } from './features';

const names = featureNames('hops');
const feature = (input: FeatureInput, name: string) => featureVector(input, 'hops')[names.indexOf(name)]!;
const base = { abv: 6, target_fg: 1012, target_og: 1060, ebc: 20, srm: 10, ph: 4.4 };

/** A hop addition whose amount may be unknown: a number, null, or no `grams` at all. */
const addition = fc.record(
  {
    name: fc.constantFrom('Simcoe', 'Chinook', 'Cascade', 'Cold Brew Coffee'),
    grams: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: null }),
    add: fc.constantFrom('start', '60', 'middle', '30', 'end', 'Flame Out', 'dry hop', 'FV Addition'),
    attribute: fc.constantFrom('bitter', 'aroma', 'flavour'),
  },
  { requiredKeys: ['name', 'add', 'attribute'] },
);
const unknown = (hop: HopInput) => hop.grams === null || hop.grams === undefined;

describe('a hop addition without an amount in grams', () => {
  it('makes every gram sum it enters missing, never 0; what needs no amount is still counted', () => {
    fc.assert(
      fc.property(fc.array(addition, { minLength: 1, maxLength: 12 }), (hops) => {
        const input = { ...base, volume_litres: 20, hops };
        const total = feature(input, 'hop_grams_total');
        if (hops.some(unknown)) expect(total).toBeNaN();
        else expect(total).toBeCloseTo(hops.reduce((s, h) => s + h.grams!, 0), 6);
        for (const stage of ['start', 'middle', 'end', 'dry_hop'] as const) {
          const inStage = hops.filter((h) => hopStage(h.add) === stage);
          const grams = feature(input, `hop_grams_${stage}`);
          if (inStage.some(unknown)) expect(grams, stage).toBeNaN();
          else expect(grams, stage).toBeCloseTo(inStage.reduce((s, h) => s + h.grams!, 0), 6);
          expect(feature(input, `hop_additions_${stage}`)).toBe(inStage.length);
        }
        expect(feature(input, 'hop_additions')).toBe(hops.length);
        if (hops.some(unknown)) expect(feature(input, 'alpha_grams_total')).toBeNaN();
      }),
    );
  });

  it('reads the same whether `grams` is null or left out', () => {
    fc.assert(
      fc.property(fc.array(addition, { minLength: 1, maxLength: 12 }), (hops) => {
        const asNull = featureVector({ ...base, hops: hops.map((h) => ({ ...h, grams: h.grams ?? null })) }, 'hops');
        const leftOut = featureVector({ ...base, hops: hops.map(({ grams, ...h }) => (grams === null || grams === undefined ? h : { ...h, grams })) }, 'hops');
        expect([...leftOut]).toEqual([...asNull]);
      }),
    );
  });

  it('adds nothing bitter when it is a dry hop: the Tinseth sums stay known', () => {
    const known = [{ name: 'Simcoe', grams: 20, add: 'start', attribute: 'bitter' }];
    const withDryHop = [...known, { name: 'Cold Brew Coffee', grams: null, add: 'FV Addition', attribute: 'flavour' }];
    for (const name of ['tinseth_ibu_proxy', 'tinseth_ibu_estimate']) {
      expect(feature({ ...base, volume_litres: 20, hops: withDryHop }, name), name).toBe(feature({ ...base, volume_litres: 20, hops: known }, name));
      expect(feature({ ...base, volume_litres: 20, hops: withDryHop }, name), name).toBeGreaterThan(0);
    }
    // Boiled, an unknown amount leaves the bitterness unknown.
    expect(feature({ ...base, volume_litres: 20, hops: [...known, { name: 'Chinook', add: '60', attribute: 'bitter' }] }, 'tinseth_ibu_proxy')).toBeNaN();
  });
});
