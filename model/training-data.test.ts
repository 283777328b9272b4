import { describe, expect, it } from 'vitest';
import { hopsFromText, trainingRowOf } from './training-data';

describe('training rows', () => {
  it("read Athena's text form of the hop bill", () => {
    expect(hopsFromText('[{name=Bramling Cross/ First Gold, grams=20.5, add=start, stage=start, attribute=bitter}, {name=Citra, grams=null, add=dry hop, stage=dry_hop, attribute=aroma}]')).toEqual([
      { name: 'Bramling Cross/ First Gold', grams: 20.5, add: 'start', stage: 'start', attribute: 'bitter' },
      { name: 'Citra', grams: null, add: 'dry hop', stage: 'dry_hop', attribute: 'aroma' },
    ]);
    expect(hopsFromText('[]')).toEqual([]);
  });

  it('read a DuckDB row as it comes, numbers as numbers and missing features as null', () => {
    const row = trainingRowOf({ id: 1, ibu: 60, abv: 4.5, target_fg: null, target_og: '1044', ebc: 20, srm: 10, ph: 4.4, volume_litres: 20, hops: [] });
    expect(row).toMatchObject({ id: 1, ibu: 60, abv: 4.5, target_fg: null, target_og: 1044, hops: [] });
  });
});
