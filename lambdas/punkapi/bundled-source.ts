/** The bundled catalogue as a beer source: the same beers the PunkAPI served, replayed without HTTP. */
import { maxPerPage, type BeerSource, type CollectedBeer } from './beer-source';
import { catalogue } from './catalogue';

export function createBundledSource(options: { random?: () => number; beers?: readonly CollectedBeer[] } = {}): BeerSource {
  const beers = options.beers ?? catalogue;
  const random = options.random ?? Math.random;
  return {
    description: 'bundled catalogue (punkapi-db)',
    async random(count) {
      return Array.from({ length: count }, () => beers[Math.floor(random() * beers.length)]!);
    },
    async *pages(perPage) {
      const size = Math.min(Math.max(1, perPage), maxPerPage);
      for (let start = 0; start < beers.length; start += size) yield beers.slice(start, start + size);
    },
  };
}
