/**
 * The lake's tables as the Glue Data Catalog declares them in AWS (what Athena queries and
 * its console shows): GetTables for the list, GetTable for one, every column with the
 * comment the stacks copied from glue/schema. The client is a parameter so that a test can
 * answer for AWS.
 */
import { GetTableCommand, GetTablesCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { pickTable, type TableDescription } from './table-descriptions';

/** The one call this module makes on a Glue client. */
export interface GlueCatalogClient {
  send(command: GetTablesCommand | GetTableCommand): Promise<{ TableList?: Table[]; NextToken?: string; Table?: Table }>;
}

export const glueClient = (region?: string): GlueCatalogClient => new GlueClient(region ? { region } : {}) as GlueCatalogClient;

/** A Glue table as a description: its columns, then its partition keys (which Athena shows as columns too). */
export function describeGlueTable(table: Table): TableDescription {
  const columns = [...(table.StorageDescriptor?.Columns ?? []), ...(table.PartitionKeys ?? [])];
  return {
    name: table.Name ?? '',
    kind: table.TableType === 'VIRTUAL_VIEW' ? 'view' : 'table',
    description: table.Description ?? '',
    columns: columns.map((c) => ({ name: c.Name ?? '', type: c.Type ?? '', description: c.Comment ?? '' })),
  };
}

/** Every table and view of the database, following GetTables' pages, in the catalog's order. */
export async function describeGlueTables(client: GlueCatalogClient, database: string): Promise<TableDescription[]> {
  const tables: TableDescription[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetTablesCommand({ DatabaseName: database, ...(token ? { NextToken: token } : {}) }));
    tables.push(...(page.TableList ?? []).map(describeGlueTable));
    token = page.NextToken;
  } while (token);
  return tables;
}

/**
 * One table by name, in any case (GetTable by the lower-case name Glue stores; failing that,
 * the database's tables matched without case); an unknown name is an `UnknownTable` listing them.
 */
export async function describeGlueTableNamed(client: GlueCatalogClient, database: string, name: string): Promise<TableDescription> {
  try {
    const { Table: table } = await client.send(new GetTableCommand({ DatabaseName: database, Name: name.toLowerCase() }));
    if (table) return describeGlueTable(table);
  } catch (error) {
    if ((error as { name?: string }).name !== 'EntityNotFoundException') throw error;
  }
  return pickTable(await describeGlueTables(client, database), name);
}
