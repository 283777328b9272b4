/** The PunkAPI catalogue (325 beers) bundled by the `punkapi-db` package: the source that needs no network. */
import catalogueJson from 'punkapi-db/data.json' with { type: 'json' };
import type { CollectedBeer } from './beer-source';

export const catalogue: readonly CollectedBeer[] = catalogueJson as unknown as CollectedBeer[];
