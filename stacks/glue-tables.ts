/**
 * The lake's tables as the Glue Data Catalog holds them, derived from `glue/schema.ts`:
 * columns and types from the one declaration, partitions found by projection over
 * Firehose's `YYYY/MM/DD/HH` key layout, and the `beers` view in Athena's own view format.
 */
import { glueType } from '../glue/column-types';
import type { ColumnType, TableDefinition } from '../glue/schema';

/** The hour partition every table has: Firehose's `YYYY/MM/DD/HH` folder. */
export const hourPartition = { name: 'dt', type: 'string', comment: 'delivery hour, yyyy/MM/dd/HH (UTC)' } as const;

const jsonSerDe = {
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  // The lake's timestamps: `YYYY-MM-DD HH:MM:SS.sss`, UTC (see glue/schema.ts).
  parameters: { 'timestamp.formats': 'yyyy-MM-dd HH:mm:ss.SSS', 'ignore.malformed.json': 'FALSE' },
};
const parquetSerDe = { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: {} };

export function glueTableInput(table: TableDefinition, bucketName: string, format: 'json' | 'parquet') {
  const location = `s3://${bucketName}/${table.prefix}`;
  return {
    name: table.name,
    description: table.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      EXTERNAL: 'TRUE',
      classification: format,
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy/MM/dd/HH',
      'projection.dt.range': '2024/01/01/00,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'HOURS',
      // `$${dt}` is Terraform's escape for a literal `${dt}`, which Athena fills in per partition.
      'storage.location.template': `${location}$\${dt}/`,
    },
    partitionKeys: [hourPartition],
    storageDescriptor: {
      location,
      inputFormat: format === 'json' ? 'org.apache.hadoop.mapred.TextInputFormat' : 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: format === 'json' ? 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' : 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serDeInfo: format === 'json' ? jsonSerDe : parquetSerDe,
      columns: table.columns.map((c) => ({ name: c.name, type: glueType(c.type), comment: c.comment })),
    },
  };
}

/** Presto/Trino spelling of a column type, as Athena's stored views record it. */
export function prestoType(type: ColumnType): string {
  if (typeof type === 'string') return { int: 'integer', bigint: 'bigint', double: 'double', string: 'varchar', boolean: 'boolean', timestamp: 'timestamp(3)' }[type];
  if (type.kind === 'array') return `array(${prestoType(type.of)})`;
  return `row(${type.fields.map((f) => `${f.name} ${prestoType(f.type)}`).join(', ')})`;
}

/**
 * An Athena view stored in Glue (a `VIRTUAL_VIEW` table): Athena reads the view's SQL and
 * columns from a base64 JSON document inside `viewOriginalText`.
 */
export function athenaViewInput(view: { name: string; description: string; sql: string; columns: TableDefinition['columns'] }, database: string) {
  const document = {
    originalSql: view.sql,
    catalog: 'awsdatacatalog',
    schema: database,
    columns: view.columns.map((c) => ({ name: c.name, type: prestoType(c.type) })),
  };
  return {
    name: view.name,
    description: view.description,
    tableType: 'VIRTUAL_VIEW',
    parameters: { presto_view: 'true', comment: 'Presto View' },
    viewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(document)).toString('base64')} */`,
    viewExpandedText: '/* Presto View */',
    storageDescriptor: { columns: view.columns.map((c) => ({ name: c.name, type: glueType(c.type), comment: c.comment })) },
  };
}
