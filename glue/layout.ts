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

// ---- hours: the unit a window reads and compaction rewrites ---------------------------

const hourMs = 3_600_000;

/** The start of the UTC hour holding `time`. */
export function hourStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / hourMs) * hourMs);
}

/** A closed-open time range, `[from, to)`. */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

/** More hour folders than this in one window is a mistake (over eleven years of hours), not a query. */
export const maxWindowHours = 100_000;

/** A window that cannot be turned into hours: names the bound and the reason. */
export class InvalidTimeWindow extends RangeError {
  override readonly name = 'InvalidTimeWindow';
}

/**
 * The hour folders (`YYYY/MM/DD/HH/`, oldest first) holding every record of `window`: the
 * ONE place a time window becomes the files a reader may touch. A record lands in the
 * folder of the hour Firehose delivered it, which is never earlier than the event it
 * records, so the folders run from the hour of `from` to the hour of `to + lateness`;
 * `lateness` (default one hour) covers the buffering between an event and its delivery.
 */
export function hourFoldersInWindow(window: TimeWindow, options: { lateness?: number } = {}): string[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (!Number.isFinite(from)) throw new InvalidTimeWindow('window.from: not a valid time');
  if (!Number.isFinite(to)) throw new InvalidTimeWindow('window.to: not a valid time');
  if (to < from) throw new InvalidTimeWindow(`window.to (${window.to.toISOString()}) is before window.from (${window.from.toISOString()})`);
  const first = Math.floor(from / hourMs) * hourMs;
  const last = Math.floor((to + (options.lateness ?? hourMs)) / hourMs) * hourMs;
  if ((last - first) / hourMs + 1 > maxWindowHours) throw new InvalidTimeWindow(`window spans more than ${maxWindowHours} hours`);
  const folders: string[] = [];
  for (let t = first; t <= last; t += hourMs) folders.push(hourFolder(new Date(t)));
  return folders;
}

/** The start of the hour a `YYYY/MM/DD/HH` folder (with or without its trailing `/`) names; undefined for any other name. */
export function hourOfFolder(folder: string): Date | undefined {
  const match = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/?$/.exec(folder);
  if (!match) return undefined;
  const [, y, m, d, h] = match.map(Number) as [number, number, number, number, number];
  const time = new Date(Date.UTC(y, m - 1, d, h));
  return hourFolder(time) === `${folder.replace(/\/?$/, '/')}` ? time : undefined;
}

/** `YYYY/MM/DD/`, the day folder holding the hour folders of `time`'s UTC day. */
export function dayFolder(time: Date): string {
  return hourFolder(time).slice(0, -3);
}

/** The `YYYY/MM/DD/` a lake-table-relative folder starts with: an hour folder's day (any other name: not a day, see `dayOfFolder`). */
export const dayFolderOf = (folder: string) => folder.slice(0, 'YYYY/MM/DD/'.length);

/** The start of the day a `YYYY/MM/DD` folder (with or without its trailing `/`) names; undefined for any other name. */
export function dayOfFolder(folder: string): Date | undefined {
  return hourOfFolder(`${folder.replace(/\/?$/, '/')}00/`);
}

/**
 * Firehose's suffix for an object its record-format conversion wrote (Parquet), and the
 * names compaction gives the one Parquet file that replaces what a closed period holds:
 * `compacted-YYYY-MM-DD-HH.parquet` in an hour folder (that hour's files), and
 * `compacted-YYYY-MM-DD.parquet` in a day folder (every file of that day's hour folders).
 * Within the folder holding it, that file IS the period: every other file there, or in an
 * hour folder below a compacted day, is already in it.
 */
export const parquetSuffix = '.parquet';
export function compactedObjectName(hour: Date): string {
  const stamp = hourFolder(hour).slice(0, -1).replaceAll('/', '-');
  return `compacted-${stamp}${parquetSuffix}`;
}
export const isCompactedObjectName = (name: string) => /^compacted-\d{4}-\d{2}-\d{2}-\d{2}\.parquet$/.test(name);
export function compactedDayObjectName(day: Date): string {
  const stamp = dayFolder(day).slice(0, -1).replaceAll('/', '-');
  return `compacted-${stamp}${parquetSuffix}`;
}
export const isCompactedDayObjectName = (name: string) => /^compacted-\d{4}-\d{2}-\d{2}\.parquet$/.test(name);
