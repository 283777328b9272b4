/**
 * The IBU model's features, one module for training and prediction alike, so a beer is
 * described the same way when the model learns and when it answers.
 *
 * Two sets: `base`, the six measured columns the schema marks as base features, and
 * `hops`, those plus what the hop bill says about bitterness (the evaluation README's
 * derived features). A missing value stays NaN: the trees learn where it goes.
 */
import { boilMinutes, hopAttribute, hopStage } from '../glue/hops';
import { memoBySpelling } from '../glue/spelling-memo';
import { hopAlphaPercent, hopVarietyKey } from './hop-alpha-acids';
import { baseFeatureNames, type BaseFeatureName, type CleanedBeer, type HopStage } from '../glue/schema';

export type FeatureSet = 'base' | 'hops';
export const featureSets: readonly FeatureSet[] = ['base', 'hops'];

/** What a prediction needs: the base features (null when unknown), optionally the hop bill and the batch volume. */
export type FeatureInput = { readonly [K in BaseFeatureName]: number | null } & {
  readonly hops?: readonly HopInput[] | null;
  readonly volume_litres?: number | null;
};

/**
 * One hop addition, as the cleaned table holds it or as the API takes it: the stage is
 * always derived from `add` and the attribute normalised (glue/hops.ts), so a raw
 * spelling ("Bittering", "Dry Hop") means what the cleaned table would say it means.
 */
export interface HopInput {
  readonly name?: string | null;
  readonly grams?: number | null;
  readonly add?: string | null;
  readonly attribute?: string | null;
}

const stages = ['start', 'middle', 'end', 'dry_hop'] as const satisfies readonly HopStage[];

/** The hop-bill features, in vector order after the base features. */
export const hopFeatureNames = [
  ...stages.map((s) => `hop_grams_${s}`),
  ...stages.map((s) => `hop_grams_per_litre_${s}`),
  ...stages.map((s) => `hop_additions_${s}`),
  'hop_grams_total',
  'hop_grams_per_litre_total',
  'hop_grams_bitter',
  'hop_grams_aroma',
  'hop_additions',
  'hop_varieties',
  'hop_max_boil_minutes',
  'attenuation',
  'tinseth_ibu_proxy',
  'tinseth_ibu_proxy_per_abv',
  'alpha_grams_total',
  'alpha_grams_start',
  'tinseth_ibu_estimate',
] as const;

export function featureNames(set: FeatureSet): readonly string[] {
  return set === 'base' ? baseFeatureNames : [...baseFeatureNames, ...hopFeatureNames];
}

const orNaN = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

/**
 * Tinseth's utilisation: the share of a hop's alpha acids that end up in the beer after
 * `minutes` of boil in wort of gravity `og` (SG x 1000). Alpha acids are not in the
 * catalogue, so the proxy counts grams: it ranks hop bills, it does not compute IBU.
 */
export function tinsethUtilisation(og: number, minutes: number): number {
  return tinsethGravityFactor(og) * tinsethTimeFactor(minutes);
}
const tinsethGravityFactor = (og: number) => 1.65 * 0.000125 ** (og / 1000 - 1);
const tinsethTimeFactor = (minutes: number) => (1 - Math.exp(-0.04 * minutes)) / 4.15;

/** Fills `out` (length = featureNames(set).length) with the features of one beer. */
export function writeFeatures(input: FeatureInput, set: FeatureSet, out: Float64Array | number[]): void {
  let i = 0;
  for (const name of baseFeatureNames) out[i++] = orNaN(input[name]);
  if (set === 'base') return;

  const hops = input.hops;
  const volume = orNaN(input.volume_litres);
  const og = orNaN(input.target_og);
  const fg = orNaN(input.target_fg);
  if (!hops) {
    // No hop bill known: every hop feature is missing (not zero: zero would claim "no hops").
    for (const name of hopFeatureNames) out[i++] = name === 'attenuation' ? attenuation(og, fg) : Number.NaN;
    return;
  }
  // This runs for every beer of every request: per-stage sums live in a reused array indexed
  // by stage, and every text (add, attribute, name) is resolved through a lookup table once.
  const sums = stageSums.fill(0);
  let total = 0;
  let bitter = 0;
  let aroma = 0;
  let maxBoil = 0;
  let proxy = 0;
  let alphaTotal = 0;
  let alphaStart = 0;
  let estimate = 0;
  let varietyCount = 0;
  // Unknown OG: a typical wort's, so the hop bill still counts.
  const gravityFactor = tinsethGravityFactor(Number.isFinite(og) ? og : 1050);
  for (let h = 0; h < hops.length; h++) {
    const hop = hops[h]!;
    // An addition without an amount in grams (none sent, or the catalogue's "160 ml", "1 total")
    // is NaN: every sum it enters is unknown (missing), never the 0 that would say "no hops".
    // The count of additions, the varieties and the boil time do not need it.
    const g = orNaN(hop.grams);
    const add = hop.add === null || hop.add === undefined ? noAddition : additionOf(hop.add);
    if (add.stageIndex >= 0) {
      sums[stages.length + add.stageIndex]!++;
      sums[add.stageIndex]! += g;
    }
    const name = hop.name ? varietyOf(hop.name) : undefined;
    if (name && !seenAmongFirst(name.key, varietyCount)) seenVarieties[varietyCount++] = name.key;
    total += g;
    const attribute = hopAttribute(hop.attribute);
    if (attribute === 'bitter') bitter += g;
    if (attribute === 'aroma') aroma += g;
    if (add.minutes > maxBoil) maxBoil = add.minutes;
    const utilisation = gravityFactor * add.timeFactor;
    const alphaGrams = (g * (name?.alphaPercent ?? hopAlphaPercent(hop.name))) / 100;
    alphaTotal += alphaGrams;
    if (add.stage === 'start') alphaStart += alphaGrams;
    // No utilisation (a dry hop, a flame-out addition): nothing bitter, whatever the amount.
    if (utilisation > 0) {
      proxy += g * utilisation;
      estimate += alphaGrams * utilisation;
    }
  }
  const perLitre = (g: number) => (volume > 0 ? g / volume : Number.NaN);
  for (let s = 0; s < stages.length; s++) out[i++] = sums[s]!;
  for (let s = 0; s < stages.length; s++) out[i++] = perLitre(sums[s]!);
  for (let s = 0; s < stages.length; s++) out[i++] = sums[stages.length + s]!;
  out[i++] = total;
  out[i++] = perLitre(total);
  out[i++] = bitter;
  out[i++] = aroma;
  out[i++] = hops.length;
  out[i++] = varietyCount;
  out[i++] = maxBoil;
  out[i++] = attenuation(og, fg);
  const tinseth = perLitre(proxy * 1000);
  out[i++] = tinseth;
  const abv = orNaN(input.abv);
  out[i++] = abv > 0 ? tinseth / abv : Number.NaN;
  out[i++] = alphaTotal;
  out[i++] = alphaStart;
  // Tinseth: mg of alpha acids per litre times utilisation is IBU.
  out[i++] = perLitre(estimate * 1000);
}

// Grams per stage, then additions per stage; reused by every call (writeFeatures is synchronous).
const stageSums = new Float64Array(stages.length * 2);
const seenVarieties: string[] = [];
function seenAmongFirst(key: string, count: number): boolean {
  for (let v = 0; v < count; v++) if (seenVarieties[v] === key) return true;
  return false;
}

/** What an `add` text means for the features: its stage (always derived, so a stage sent by a client is never trusted) and boil time. */
interface Addition {
  readonly stage: HopStage;
  /** Index into `stages`; -1 for `other`. */
  readonly stageIndex: number;
  readonly minutes: number;
  readonly timeFactor: number;
}

function readAddition(add: string | null): Addition {
  const stage = hopStage(add);
  const minutes = stage === 'dry_hop' || stage === 'other' ? 0 : boilMinutes({ add, stage });
  return { stage, stageIndex: (stages as readonly string[]).indexOf(stage), minutes, timeFactor: tinsethTimeFactor(minutes) };
}
const additionOf = memoBySpelling(readAddition);
const noAddition = readAddition(null);

const varietyOf = memoBySpelling((name) => ({ key: hopVarietyKey(name), alphaPercent: hopAlphaPercent(name) }));

/** Apparent attenuation from the gravities: the share of sugar fermented. */
function attenuation(og: number, fg: number): number {
  return og > 1000 && fg > 0 ? (og - fg) / (og - 1000) : Number.NaN;
}

/** The features of one beer as a new vector. */
export function featureVector(input: FeatureInput, set: FeatureSet): Float64Array {
  const out = new Float64Array(featureNames(set).length);
  writeFeatures(input, set, out);
  return out;
}

/** A cleaned row is a feature input as it stands: the schema guarantees the names. */
export const cleanedBeerInput = (beer: Pick<CleanedBeer, BaseFeatureName | 'hops' | 'volume_litres'>): FeatureInput => beer;
