/**
 * Typical alpha-acid content (% by weight, the middle of each variety's published range)
 * of the hops the catalogue uses. The catalogue gives grams, not alpha acids; bitterness
 * comes from alpha acids, so weighting grams by a variety's typical alpha turns "how much
 * hop" into "how much bittering potential", which is what Tinseth's formula needs.
 * Extracts are concentrated resin; the catalogue's adjuncts listed among hops (coffee,
 * ginger, lactose, …) add no alpha acids at all.
 */
import { memoBySpelling } from '../glue/spelling-memo';

// A Map, not an object: a hop called `constructor` or `__proto__` must find nothing here.
const typicalAlphaPercent: ReadonlyMap<string, number> = new Map(Object.entries({
  simcoe: 13, amarillo: 9, centennial: 10, citra: 12, chinook: 13, columbus: 15, cascade: 6, magnum: 13,
  mosaic: 12.3, 'nelson sauvin': 12.5, 'first gold': 7.5, motueka: 7, galena: 13, ahtanum: 5, 'bramling cross': 7,
  'sorachi ace': 12, saaz: 3.5, 'mandarina bavaria': 8.5, willamette: 5, fuggles: 4.5, fuggle: 4.5,
  'hallertauer mittelfrüh': 4, 'hallertauer mittelfruh': 4, challenger: 7.5, perle: 8, equinox: 14, 'hbc 366': 14,
  hersbrucker: 3.5, waimea: 17, 'vic secret': 17, ella: 15, comet: 9.5, bobek: 5, enigma: 15, crystal: 4.5,
  goldings: 5, 'east kent golding': 5, 'east kent goldings': 5, 'styrian goldings': 5, saphire: 3, sapphire: 3,
  bravo: 15.5, kohatu: 6.5, ariana: 10, tomahawk: 16, dana: 11, 'el dorado': 15, sterling: 7.5,
  'hallertauer blanc': 10, hercules: 15.5, 'mt.hood': 5, 'mt hood': 5, 'pacific hallertau': 6, galaxy: 14,
  'hbc 369': 12.3, pioneer: 9.5, pacifica: 5.5, apollo: 17, strisselspalt: 2, 'pacific jade': 13, tettnang: 4.5,
  spalter: 4, 'bramling cross/ first gold': 7.3,
  'columbus extract': 40, 'co2 extract': 40, 'c02 extract': 40, 'hop extract': 40,
}));

/** Not hops: adjuncts the recipes list with the hops. */
const noAlpha = /coffee|honey|ginger|cocoa|peel|coriander|lactose|oak|vanilla|cinnamon|milk|jasmine|maple|juice|pepper|carda|nutmeg|anis|sugar|spice|fruit|tea\b/;

/** Used for a hop variety the table does not know: the catalogue's typical bittering hop. */
export const unknownHopAlphaPercent = 9;

/** A hop name as one variety: trimmed, lower case. */
export const hopVarietyKey = (name: string | null | undefined) => (name ?? '').trim().toLowerCase();

const alphaOfSpelling = memoBySpelling((spelling) => {
  const key = hopVarietyKey(spelling);
  return typicalAlphaPercent.get(key) ?? (noAlpha.test(key) ? 0 : unknownHopAlphaPercent);
});

export const hopAlphaPercent = (name: string | null | undefined): number => alphaOfSpelling(name ?? '');
