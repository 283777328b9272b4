/**
 * A zone that Firehose delivers as Parquet: the one code path for every such zone (cleaned,
 * the prediction log). Firehose's record-format conversion reads each record's JSON with the
 * OpenX JSON SerDe, takes the columns from the zone's Glue table (itself declared with the
 * Parquet SerDe, stacks/glue-tables.ts) and writes Snappy Parquet. It needs a buffer of at
 * least 64 MiB, and the stream's role must be able to read that table.
 *
 * A record may hold several JSON documents one after another: conversion accepts
 * `{"a":1}{"a":2}` (only a JSON array is refused), so the serving Lambda's packed JSON lines
 * (lambdas/serve/prediction-log.ts) convert row by row; the newline between them is
 * whitespace. A record that cannot be converted is not delivered into the zone but under
 * the stream's error output prefix, in `errors/format-conversion-failed/`.
 */
import type { GlueCatalogTable } from '@cdktn/provider-aws/lib/glue-catalog-table';
import { errorsPrefix } from '../glue/layout';
import type { TableDefinition } from '../glue/schema';
import type { PolicyStatement } from './constructs/policy';

/** Firehose refuses record-format conversion with a smaller buffering size. */
export const conversionMinimumBufferMb = 64;

/** Where Firehose's error output prefix puts records it could not convert (its `error-output-type`). */
export const formatConversionFailedPrefix = `${errorsPrefix}format-conversion-failed/`;

export interface ParquetZone {
  /** The zone's declaration (glue/schema.ts). */
  readonly table: TableDefinition;
  /** Its Glue table: Firehose reads the schema from it, so the stream is created after it. */
  readonly glueTable: GlueCatalogTable;
  readonly database: string;
  readonly region: string;
  readonly accountId: string;
  /** The delivery stream's role, which reads the schema. */
  readonly roleArn: string;
}

export function parquetDelivery(zone: ParquetZone) {
  const glue = `arn:aws:glue:${zone.region}:${zone.accountId}`;
  const readTableSchema: PolicyStatement = {
    sid: 'ReadTableSchema',
    actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
    // A table is reached through its catalog and database: GetTable is authorised on all three.
    resources: [`${glue}:catalog`, `${glue}:database/${zone.database}`, `${glue}:table/${zone.database}/${zone.table.name}`],
  };
  return {
    readTableSchema,
    bufferingSize: (configuredMb: number) => Math.max(conversionMinimumBufferMb, configuredMb),
    dataFormatConversionConfiguration: {
      enabled: true,
      inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
      outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
      schemaConfiguration: { databaseName: zone.glueTable.databaseName, tableName: zone.glueTable.name, roleArn: zone.roleArn, region: zone.region },
    },
  };
}
