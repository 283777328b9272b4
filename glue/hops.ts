/**
 * The hop bill, normalised: when each addition goes in (stage), what it is for
 * (attribute) and how much (grams). The transform writes it into the cleaned table, the
 * model reads its features from it, and the API normalises the hop bills it is sent with
 * it, so all three agree on what "a start addition of 20 g" is.
 *
 * Stage rules follow the evaluation README (/work/shared/eval/README.md): start / first
 * wort / mash or >= 45 boil minutes; middle / kettle or 15-44 min; end / flame-out /
 * whirlpool or < 15 min; dry hop / fermenter (FV, secondary, maturation). Anything else
 * ("Wood Ageing", "Additions") is `other`.
 */
import type { RawAmount, RawHop } from './raw-beer';
import { memoBySpelling } from './spelling-memo';
import type { HopAddition, HopAttribute, HopStage } from './schema';

/** Minutes of boil at or above which a numeric addition counts as `start`, and as `middle`. */
const startMinutes = 45;
const middleMinutes = 15;

/**
 * The boil time assumed for an addition written as a stage rather than minutes. BrewDog's
 * DIY Dog recipes boil for 60 minutes: `start` sees all of it (first wort and mash hops
 * are counted the same), `middle` half of it, the middle of the 15-44 minute band.
 * `end` goes in at flame-out and a dry hop never boils: Tinseth gives them no bitterness.
 */
export const stageBoilMinutes: Readonly<Record<HopStage, number>> = { start: 60, middle: 30, end: 0, dry_hop: 0, other: 0 };

const numericAdd = /^(\d+(?:\.\d+)?)\s*(?:m|mins?|minutes?)?$/;

/** Boil minutes written in an `add` ("60", "10 min"), or undefined when it is not a number. */
function addMinutes(add: string): number | undefined {
  const match = numericAdd.exec(add.trim().toLowerCase());
  return match ? Number(match[1]) : undefined;
}

function stageOfMinutes(minutes: number): HopStage {
  return minutes >= startMinutes ? 'start' : minutes >= middleMinutes ? 'middle' : 'end';
}

const dryHopWords = /\b(?:dry|fv|fermenter|fermentor|fermentation|secondary|maturation|conditioning)\b/;
const startWords = /\b(?:start|first wort|fwh|mash|bittering)\b/;
const middleWords = /\b(?:middle|mid|kettle)\b/;
const endWords = /\b(?:end|flame ?-?out|whirlpool|knock ?-?out|hop ?stand)\b/;

function stageOfText(add: string): HopStage {
  const text = add.trim().toLowerCase();
  const minutes = addMinutes(text);
  if (minutes !== undefined) return stageOfMinutes(minutes);
  if (dryHopWords.test(text)) return 'dry_hop';
  if (startWords.test(text)) return 'start';
  if (middleWords.test(text)) return 'middle';
  if (endWords.test(text)) return 'end';
  return 'other';
}

/** Every `add` the catalogue uses, resolved once: the hot path is a map lookup. */
const catalogueAdds = [
  'start', 'middle', 'end', 'dry hop', 'Start', 'Middle', 'End', 'Dry Hop', 'First Wort Hops', 'Flame Out', 'Flame out',
  'Wood Ageing', 'Kettle', 'FV Addition', 'fv', 'FV', 'Whirlpool', 'whirlpool', 'Mash', 'secondary', 'maturation',
  'Additions', '0', '10', '15', '30', '45', '60', '65', '70', '90',
];
const stageOfSpelling = memoBySpelling(stageOfText, catalogueAdds);

/** The stage of an addition from its `add` text; `other` when there is none or it names no stage. */
export function hopStage(add: string | null | undefined): HopStage {
  if (add === null || add === undefined) return 'other';
  return stageOfSpelling(add);
}

// The first purpose named wins ("aroma / bitter" is an aroma hop); misspellings seen in the catalogue included.
const attributeWords: readonly (readonly [RegExp, HopAttribute])[] = [
  [/\bbit+e?r/, 'bitter'],
  [/\bflavou?o?u?r/, 'flavour'],
  [/\baroma/, 'aroma'],
];

function attributeOfText(attribute: string): HopAttribute {
  const text = attribute.trim().toLowerCase();
  let best: HopAttribute = 'other';
  let bestAt = Infinity;
  for (const [word, value] of attributeWords) {
    const at = text.search(word);
    if (at >= 0 && at < bestAt) {
      best = value;
      bestAt = at;
    }
  }
  return best;
}

const catalogueAttributes = [
  'bitter', 'flavour', 'aroma', 'Bitter', 'Flavour', 'Aroma', 'Bittering', 'Bitering', 'flavoour', 'flavouor', ' aroma',
  'aroma / bitter', 'twist', 'Wood Ageing', 'other',
];
const attributeOfSpelling = memoBySpelling(attributeOfText, catalogueAttributes);

/** What an addition is for: bitter | flavour | aroma, or `other` ("twist", "Wood Ageing", none). */
export function hopAttribute(attribute: string | null | undefined): HopAttribute {
  if (attribute === null || attribute === undefined) return 'other';
  return attributeOfSpelling(attribute);
}

const gramsPerUnit: ReadonlyMap<string, number> = new Map([
  ['grams', 1], ['gram', 1], ['g', 1],
  ['kilograms', 1000], ['kilogram', 1000], ['kg', 1000],
]);

/** The amount in grams; null when it is missing or not a mass (ml, "total"). */
export function hopGrams(amount: RawAmount | null | undefined): number | null {
  if (amount?.value === null || amount?.value === undefined || amount.unit === null || amount.unit === undefined) return null;
  const factor = gramsPerUnit.get(amount.unit) ?? gramsPerUnit.get(amount.unit.trim().toLowerCase());
  return factor === undefined ? null : amount.value * factor;
}

/** One addition of a raw hop bill, normalised into the cleaned table's shape. */
export function normalizeHop(hop: RawHop): HopAddition {
  const add = hop.add ?? null;
  return {
    name: hop.name ?? null,
    grams: hopGrams(hop.amount),
    add,
    stage: hopStage(add),
    attribute: hopAttribute(hop.attribute),
  };
}

/**
 * The boil minutes an addition sees, for a Tinseth-style bitterness proxy: the minutes
 * written in `add` when it is a number, otherwise the stage's assumed time (`stageBoilMinutes`).
 */
export function boilMinutes(hop: Pick<HopAddition, 'add' | 'stage'>): number {
  const written = hop.add === null ? undefined : addMinutes(hop.add);
  if (written !== undefined) return written;
  // A stage read back from the lake is any text: only the five stages index the table (never `constructor`).
  const stage = hop.stage !== null && Object.hasOwn(stageBoilMinutes, hop.stage) ? (hop.stage as HopStage) : hopStage(hop.add);
  return stageBoilMinutes[stage];
}
