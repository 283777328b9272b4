/**
 * What an analyst needs to find what to query: the lake's tables and views, their columns,
 * types and descriptions, read from the catalog of either world. DuckDB's catalog file
 * (glue/lake-catalog) locally, the Glue Data Catalog (glue/glue-catalog) in AWS; both carry
 * the descriptions of glue/schema.
 */
export interface ColumnDescription {
  readonly name: string;
  /** The catalog's own spelling of the type (DuckDB's or Glue's). */
  readonly type: string;
  readonly description: string;
}

export interface TableDescription {
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly description: string;
  readonly columns: readonly ColumnDescription[];
}

/** The catalog has no table or view by that name. */
export class UnknownTable extends Error {
  override readonly name = 'UnknownTable';
  constructor(
    readonly table: string,
    readonly known: readonly string[],
  ) {
    super(`no table or view named ${table}: the lake has ${known.join(', ')}`);
  }
}

/**
 * The one table asked for, in any case (identifiers are case-insensitive in DuckDB, and Glue
 * stores its names in lower case: `BEERS` is `beers`), or an `UnknownTable` naming the ones there are.
 */
export function pickTable(tables: readonly TableDescription[], name: string): TableDescription {
  const table = tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!table) throw new UnknownTable(name, tables.map((t) => t.name));
  return table;
}
