/**
 * The format a zone's delivery stream writes: JSON lines as they come (Firehose's default),
 * or Parquet converted through the zone's table schema (Firehose's record-format conversion;
 * locally local/firehose/record-format-conversion.ts). The zones that can convert each have
 * one environment variable, read by both worlds under the same name with the same values:
 * the stacks (stacks/config.ts) default to Parquet, the local delivery loops to JSON lines.
 */
export const zoneFormats = ['json', 'parquet'] as const;
export type ZoneFormat = (typeof zoneFormats)[number];

/** Each convertible zone's setting, by table name. `raw` stays JSON lines: it keeps what was collected, as it came. */
export const zoneFormatEnv = { cleaned: 'BREWLAKE_CLEANED_FORMAT', prediction_log: 'BREWLAKE_PREDICTION_LOG_FORMAT' } as const;
export type ConvertibleZone = keyof typeof zoneFormatEnv;

export const isZoneFormat = (value: string): value is ZoneFormat => (zoneFormats as readonly string[]).includes(value);

/** What a bad value is told, in both worlds. */
export const zoneFormatExpected = `expected ${zoneFormats.join(' or ')}`;
