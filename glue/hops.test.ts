import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boilMinutes, hopAttribute, hopGrams, hopStage, normalizeHop, stageBoilMinutes } from './hops';
import type { RawBeer } from './raw-beer';
import type { HopAttribute, HopStage } from './schema';

const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as RawBeer[];
const catalogueHops = catalogue.flatMap((b) => b.ingredients?.hops ?? []);

/** Every `add` the catalogue writes, with the stage the evaluation README gives it. */
const stageOfAdd: Record<string, HopStage> = {
  start: 'start', Start: 'start', 'First Wort Hops': 'start', Mash: 'start',
  '90': 'start', '70': 'start', '65': 'start', '60': 'start', '45': 'start',
  middle: 'middle', Middle: 'middle', Kettle: 'middle', '30': 'middle', '15': 'middle',
  end: 'end', End: 'end', 'Flame Out': 'end', 'Flame out': 'end', Whirlpool: 'end', whirlpool: 'end', '10': 'end', '0': 'end',
  'dry hop': 'dry_hop', 'Dry Hop': 'dry_hop', 'FV Addition': 'dry_hop', fv: 'dry_hop', FV: 'dry_hop', secondary: 'dry_hop', maturation: 'dry_hop',
  'Wood Ageing': 'other', Additions: 'other',
};

const attributeOf: Record<string, HopAttribute> = {
  bitter: 'bitter', Bitter: 'bitter', Bittering: 'bitter', Bitering: 'bitter',
  flavour: 'flavour', Flavour: 'flavour', flavoour: 'flavour', flavouor: 'flavour',
  aroma: 'aroma', Aroma: 'aroma', ' aroma': 'aroma', 'aroma / bitter': 'aroma',
  twist: 'other', 'Wood Ageing': 'other',
};

describe('hopStage', () => {
  it('the table covers every add the catalogue writes', () => {
    expect(new Set(catalogueHops.map((h) => h.add))).toEqual(new Set(Object.keys(stageOfAdd)));
  });

  it.each(Object.entries(stageOfAdd))('%j is %s', (add, stage) => {
    expect(hopStage(add)).toBe(stage);
  });

  it('reads spellings the catalogue does not use yet', () => {
    expect(hopStage(' DRY-HOP ')).toBe('dry_hop');
    expect(hopStage('Fermenter')).toBe('dry_hop');
    expect(hopStage('flameout')).toBe('end');
    expect(hopStage('Hop stand')).toBe('end');
    expect(hopStage('20 min')).toBe('middle');
    expect(hopStage('44.5')).toBe('middle');
    expect(hopStage('FWH')).toBe('start');
    expect(hopStage('')).toBe('other');
    expect(hopStage(null)).toBe('other');
  });

  it('any whole number of boil minutes: >= 45 start, 15-44 middle, < 15 end', () => {
    fc.assert(
      fc.property(fc.nat({ max: 300 }), (minutes) => {
        expect(hopStage(String(minutes))).toBe(minutes >= 45 ? 'start' : minutes >= 15 ? 'middle' : 'end');
      }),
    );
  });

  it('any text gets one of the five stages', () => {
    fc.assert(
      fc.property(fc.string(), (add) => {
        expect(['start', 'middle', 'end', 'dry_hop', 'other']).toContain(hopStage(add));
      }),
    );
  });
});

describe('hopAttribute', () => {
  it('the table covers every attribute the catalogue writes', () => {
    expect(new Set(catalogueHops.map((h) => h.attribute))).toEqual(new Set(Object.keys(attributeOf)));
  });

  it.each(Object.entries(attributeOf))('%j is %s', (attribute, expected) => {
    expect(hopAttribute(attribute)).toBe(expected);
  });

  it('reads American spelling and nothing', () => {
    expect(hopAttribute('Flavor')).toBe('flavour');
    expect(hopAttribute('bitter/aroma')).toBe('bitter');
    expect(hopAttribute(null)).toBe('other');
  });
});

describe('hopGrams', () => {
  it.each([
    [{ value: 20, unit: 'grams' }, 20],
    [{ value: 1, unit: 'kilogram' }, 1000],
    [{ value: 0.5, unit: 'kilograms' }, 500],
    [{ value: 12.5, unit: ' Grams ' }, 12.5],
    [{ value: 160, unit: 'ml' }, null],
    [{ value: 1, unit: 'total' }, null],
    [{ value: null, unit: 'grams' }, null],
    [{ value: 3, unit: null }, null],
    [null, null],
  ])('%j is %j g', (amount, grams) => {
    expect(hopGrams(amount)).toBe(grams);
  });
});

describe('normalizeHop', () => {
  it('keeps the name and the add as written, beside the normalised stage, attribute and grams', () => {
    expect(normalizeHop({ name: 'Cold Brew Coffee', amount: { value: 160, unit: 'ml' }, add: 'FV Addition', attribute: 'Flavour' })).toEqual({
      name: 'Cold Brew Coffee',
      grams: null,
      add: 'FV Addition',
      stage: 'dry_hop',
      attribute: 'flavour',
    });
    expect(normalizeHop({})).toEqual({ name: null, grams: null, add: null, stage: 'other', attribute: 'other' });
  });

  it('every catalogue hop gets grams unless its unit is not a mass', () => {
    for (const hop of catalogueHops) {
      const mass = hop.amount?.unit === 'grams' || hop.amount?.unit === 'kilogram';
      expect(normalizeHop(hop).grams === null, JSON.stringify(hop)).toBe(!mass);
    }
  });
});

describe('boilMinutes', () => {
  it('is the number written in add when there is one', () => {
    expect(boilMinutes({ add: '90', stage: 'start' })).toBe(90);
    expect(boilMinutes({ add: '10', stage: 'end' })).toBe(10);
    expect(boilMinutes({ add: '0', stage: 'end' })).toBe(0);
  });

  it("is the stage's assumed boil otherwise: start 60, middle 30, end, dry hop and other 0", () => {
    expect(stageBoilMinutes).toEqual({ start: 60, middle: 30, end: 0, dry_hop: 0, other: 0 });
    expect(boilMinutes({ add: 'First Wort Hops', stage: 'start' })).toBe(60);
    expect(boilMinutes({ add: 'middle', stage: 'middle' })).toBe(30);
    expect(boilMinutes({ add: 'Flame Out', stage: 'end' })).toBe(0);
    expect(boilMinutes({ add: 'dry hop', stage: 'dry_hop' })).toBe(0);
    expect(boilMinutes({ add: 'start', stage: null })).toBe(60);
  });

  it('an addition that boils longer is never given fewer minutes (numeric adds)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 180 }), fc.nat({ max: 180 }), (a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        const minutes = (m: number) => boilMinutes(normalizeHop({ add: String(m) }));
        expect(minutes(shorter)).toBeLessThanOrEqual(minutes(longer));
      }),
    );
  });
});
