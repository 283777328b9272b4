/**
 * The lake's key layout: the same keys in S3 and in the local lake folder, so a query,
 * a crawler or a person finds a file in the same place in both worlds.
 *
 * Firehose writes `<prefix>YYYY/MM/DD/HH/<delivery stream>-<version>-YYYY-MM-DD-HH-MM-SS-<id>`
 * (UTC), and failed records under `errors/<error-output-type>/YYYY/MM/DD/HH/`.
 */
import { cleanedBeerTable, predictionLogTable, rawBeerTable } from './schema';

/** The local lake folder when a command is given no `--lake`. */
export const defaultLakeDir = 'lake';

export const errorsPrefix = 'errors/';
/** Firehose's `error-output-type` for records a transform marked ProcessingFailed. */
export const processingFailedPrefix = `${errorsPrefix}processing-failed/`;

/** The delivery streams and where each writes. */
export const deliveryStreams = {
  raw: { name: 'raw', prefix: rawBeerTable.prefix, transformed: false },
  cleaned: { name: 'cleaned', prefix: cleanedBeerTable.prefix, transformed: true },
  predictionLog: { name: 'prediction-log', prefix: predictionLogTable.prefix, transformed: false },
} as const;
export type DeliveryStreamName = keyof typeof deliveryStreams;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY/MM/DD/HH/`, the hourly folder Firehose writes a file delivered at `time` into. */
export function hourFolder(time: Date): string {
  return `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/${pad(time.getUTCHours())}/`;
}

/** The key of one delivered file, exactly as Firehose names it. */
export function firehoseObjectKey(opts: {
  prefix: string;
  deliveryStream: string;
  time: Date;
  id: string;
  version?: number;
}): string {
  const t = opts.time;
  const stamp = [t.getUTCFullYear(), pad(t.getUTCMonth() + 1), pad(t.getUTCDate()), pad(t.getUTCHours()), pad(t.getUTCMinutes()), pad(t.getUTCSeconds())].join('-');
  return `${opts.prefix}${hourFolder(t)}${opts.deliveryStream}-${opts.version ?? 1}-${stamp}-${opts.id}`;
}

/** The S3 prefix expressions Firehose is configured with (stacks/), matching the keys above. */
export const firehosePrefixExpression = (prefix: string) => `${prefix}!{timestamp:yyyy/MM/dd/HH}/`;
export const firehoseErrorPrefixExpression = `${errorsPrefix}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/`;

/** The local model registry's folder inside the lake (a models bucket prefix in AWS). */
export const localModelsFolder = '_models';
